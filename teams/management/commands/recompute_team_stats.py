from django.core.management.base import BaseCommand
from django.db import connection, transaction

from teams.models import SCORE_SCALE
from teams.selectors import DEFAULT_TIMEZONE

# The same rules as teams.receivers, over every interview at once: timed interviews that were
# finished or timed out, on the user's local date of finishing in their profile's time zone.
REBUILD = """
INSERT INTO teams_dailystat (user_id, day, interviews, score_sum, best_score, topics)
WITH counted AS (
    SELECT i.user_id, ROUND(COALESCE(i.score, 0) * %(scale)s)::int AS score, i.topic_scores,
           (i.finished_at AT TIME ZONE COALESCE(p.timezone, %(default_tz)s))::date AS day
    FROM interviews_interview i
    LEFT JOIN accounts_profile p ON p.user_id = i.user_id
    WHERE i.mode = 'interview' AND i.deadline IS NOT NULL
      AND i.state IN ('finished', 'timed_out') AND i.finished_at IS NOT NULL
),
sums AS (
    SELECT user_id, day, COUNT(*) AS interviews, SUM(score) AS score_sum, MAX(score) AS best
    FROM counted
    GROUP BY user_id, day
),
topics AS (
    SELECT c.user_id, c.day,
           jsonb_agg(DISTINCT t.slug COLLATE "C" ORDER BY t.slug COLLATE "C") AS topics
    FROM counted c CROSS JOIN LATERAL jsonb_array_elements_text(
        jsonb_path_query_array(c.topic_scores, '$[*].slug')) AS t(slug)
    GROUP BY c.user_id, c.day
)
SELECT s.user_id, s.day, s.interviews, s.score_sum, s.best, COALESCE(t.topics, '[]')
FROM sums s LEFT JOIN topics t ON t.user_id = s.user_id AND t.day = s.day
"""


class Command(BaseCommand):
    help = (
        "Rebuild the per-user daily statistics behind the team leaderboards from the raw "
        "interviews (one transaction; boards keep showing the old numbers until it commits)."
    )

    def handle(self, *args, **options):
        with transaction.atomic(), connection.cursor() as cursor:
            # Finishing interviews wait for the rebuild instead of adding to rows it replaces.
            cursor.execute("LOCK TABLE teams_dailystat IN EXCLUSIVE MODE")
            cursor.execute("DELETE FROM teams_dailystat")
            cursor.execute(REBUILD, {"default_tz": DEFAULT_TIMEZONE, "scale": SCORE_SCALE})
            rows = cursor.rowcount
        self.stdout.write(f"Rebuilt {rows} daily statistics rows.")
