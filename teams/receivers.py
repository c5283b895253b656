"""Keeps teams_dailystat in step with finished interviews."""

from __future__ import annotations

import json

from interviews.models import Interview
from quizsite import rows
from teams.models import SCORE_SCALE

COUNTED_STATES = (Interview.State.FINISHED, Interview.State.TIMED_OUT)

UPSERT = """
INSERT INTO teams_dailystat AS s (user_id, day, interviews, score_sum, best_score, topics)
VALUES (%(user)s, %(day)s, 1, %(score)s, %(score)s, %(topics)s::jsonb)
ON CONFLICT (user_id, day) DO UPDATE SET
    interviews = s.interviews + 1,
    score_sum = s.score_sum + EXCLUDED.score_sum,
    best_score = GREATEST(s.best_score, EXCLUDED.best_score),
    topics = (
        SELECT jsonb_agg(DISTINCT t COLLATE "C" ORDER BY t COLLATE "C")
        FROM jsonb_array_elements_text(s.topics || EXCLUDED.topics) AS t
    )
"""


def counts_on_boards(interview: Interview) -> bool:
    """Only timed interviews that ended normally count: not practice, not abandoned."""
    return (
        interview.mode == Interview.Mode.INTERVIEW
        and interview.deadline is not None
        and interview.state in COUNTED_STATES
        and interview.finished_at is not None
    )


def record_finished_interview(sender, *, interview: Interview, **kwargs) -> None:
    """Add a finished interview to its user's day, atomically with the finish itself."""
    if not counts_on_boards(interview):
        return
    day = interview.finished_at.astimezone(interview.owner_timezone()).date()
    topics = sorted({topic["slug"] for topic in interview.topic_scores})
    score = int((interview.score or 0) * SCORE_SCALE)
    params = {"user": interview.user_id, "day": day, "score": score, "topics": json.dumps(topics)}
    rows.execute(UPSERT, params)
