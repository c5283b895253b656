"""Reads of teams and their boards. Each board is one SQL query over teams_dailystat (the
public ranking, the same for every viewer, is cached for PUBLIC_BOARD_TTL seconds).

The score of a period, its ties and its boundaries are defined in README.md, "Teams and
leaderboards"; the SQL below is that definition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, OuterRef, Subquery

from accounts.models import DEFAULT_TIMEZONE
from teams.errors import InviteInvalid, TeamNotFound
from teams.models import SCORE_SCALE, Membership, Team

# The public board lists teams with at least this many members active in the period.
MIN_ACTIVE_MEMBERS = 3
# The public board shows this many places, plus the viewer's own teams below them.
PUBLIC_BOARD_PLACES = 50
# Seconds the public ranking is reused before it is computed again.
PUBLIC_BOARD_TTL = 30
RANKING_VERSION_KEY = "teams:public-ranking:version"


@dataclass(frozen=True)
class Period:
    key: str
    label_zh: str
    label_en: str
    # Local dates, start inclusive and end exclusive; None means unbounded.
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def last_day(self) -> dt.date | None:
        return self.end - dt.timedelta(days=1) if self.end else None


PERIODS = {
    "week": ("本周", "This week"),
    "month": ("本月", "This month"),
    "all": ("全部", "All time"),
}
DEFAULT_PERIOD = "week"


def period_for(key: str, today: dt.date) -> Period:
    """The calendar week (Monday to Sunday) or month containing `today`, or all time."""
    zh, en = PERIODS[key]
    if key == "week":
        start = today - dt.timedelta(days=today.weekday())
        return Period(key, zh, en, start, start + dt.timedelta(days=7))
    if key == "month":
        start = today.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        return Period(key, zh, en, start, end)
    return Period(key, zh, en)


def membership_for(*, user, team_id: int) -> Membership:
    """The user's current membership of a live team, with the team; TeamNotFound otherwise."""
    membership = (
        Membership.objects.current()
        .select_related("team")
        .filter(user=user, team_id=team_id, team__archived_at__isnull=True)
        .first()
    )
    if membership is None:
        raise TeamNotFound
    return membership


def team_for_code(code: str) -> Team:
    """The live team whose current invite code this is; InviteInvalid otherwise."""
    team = Team.objects.active().filter(invite_code=code).first()
    if team is None:
        raise InviteInvalid
    return team


def is_member(*, user, team: Team) -> bool:
    return Membership.objects.current().filter(user=user, team=team).exists()


def memberships_of(user) -> list[Membership]:
    """The user's current memberships of live teams, each with its team and member_count."""
    member_count = (
        Membership.objects.current()
        .filter(team=OuterRef("team"))
        .values("team")
        .annotate(count=Count("*"))
        .values("count")
    )
    return list(
        Membership.objects.current()
        .filter(user=user, team__archived_at__isnull=True)
        .select_related("team")
        .annotate(member_count=Subquery(member_count))
        .order_by("team__name", "team_id")
    )


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    role: str
    joined_at: dt.datetime
    rank: int | None
    interviews: int
    average: Decimal | None
    best: Decimal | None
    topics: int
    streak: int

    @property
    def is_owner(self) -> bool:
        return self.role == Membership.Role.OWNER


# One row per current member: the period's sums and topics, and the current streak, each looked
# up per member through the (user_id, day) primary key (LATERAL), so the work grows with the
# team, never with the table. The streak is gaps and islands: walking a member's days newest
# first, consecutive days share day + ROW_NUMBER(). Then one RANK() over the team.
TEAM_BOARD_SQL = """
WITH members AS MATERIALIZED (
    SELECT m.user_id, m.role, m.joined_at,
           COALESCE(NULLIF(p.display_name, ''), split_part(u.username, '@', 1)) AS name,
           COALESCE(p.timezone, %(default_tz)s) AS tz
    FROM teams_membership m
    JOIN auth_user u ON u.id = m.user_id
    LEFT JOIN accounts_profile p ON p.user_id = m.user_id
    WHERE m.team_id = %(team)s AND m.left_at IS NULL
),
stats AS (
    SELECT m.user_id, m.name, m.role, m.joined_at,
           p.interviews,
           ROUND(p.score_sum::numeric / p.interviews / %(per_cent)s, 1) AS average,
           ROUND(p.best::numeric / %(per_cent)s, 1) AS best,
           (SELECT COUNT(DISTINCT topic)
            FROM jsonb_array_elements(p.topic_lists) AS lists(list),
                 jsonb_array_elements_text(lists.list) AS topic) AS topics,
           k.streak
    FROM members m
    LEFT JOIN LATERAL (
        SELECT SUM(s.interviews) AS interviews, SUM(s.score_sum) AS score_sum,
               MAX(s.best_score) AS best, jsonb_agg(s.topics) AS topic_lists
        FROM teams_dailystat s
        WHERE s.user_id = m.user_id AND s.day >= %(start)s AND s.day < %(end)s
    ) p ON true
    LEFT JOIN LATERAL (
        SELECT COUNT(*) AS streak
        FROM (
            SELECT s.day + (ROW_NUMBER() OVER newest_first)::int AS island,
                   FIRST_VALUE(s.day) OVER newest_first AS last_day
            FROM teams_dailystat s
            WHERE s.user_id = m.user_id
            WINDOW newest_first AS (ORDER BY s.day DESC)
        ) days
        WHERE island = last_day + 1 AND last_day >= (%(now)s AT TIME ZONE m.tz)::date - 1
    ) k ON true
)
SELECT user_id, name, role, joined_at,
       CASE WHEN interviews > 0 THEN
           RANK() OVER (ORDER BY average DESC NULLS LAST, interviews DESC NULLS LAST,
                                 best DESC NULLS LAST)
       END AS rank,
       COALESCE(interviews, 0), average, best, COALESCE(topics, 0), streak
FROM stats
ORDER BY rank NULLS LAST, name, user_id
"""


def _period_params(period: Period) -> dict:
    return {
        "start": period.start or dt.date.min,
        "end": period.end or dt.date.max,
        "per_cent": SCORE_SCALE // 100,
    }


def team_board_params(*, team_id: int, period: Period, now: dt.datetime) -> dict:
    return {"team": team_id, "now": now, "default_tz": DEFAULT_TIMEZONE, **_period_params(period)}


def team_board(*, team_id: int, period: Period, now: dt.datetime) -> list[MemberRow]:
    """Every current member with their numbers for the period, ranked; one query."""
    with connection.cursor() as cursor:
        cursor.execute(TEAM_BOARD_SQL, team_board_params(team_id=team_id, period=period, now=now))
        return [MemberRow(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class TeamRow:
    team_id: int
    name: str
    rank: int
    score: Decimal
    active_members: int
    interviews: int
    is_mine: bool = False


PUBLIC_BOARD_SQL = """
WITH per_user AS (
    SELECT s.user_id, SUM(s.interviews) AS interviews,
           SUM(s.score_sum)::numeric / SUM(s.interviews) AS mean
    FROM teams_dailystat s
    WHERE s.day >= %(start)s AND s.day < %(end)s
    GROUP BY s.user_id
),
per_team AS (
    SELECT m.team_id, COUNT(*) AS active_members, SUM(pu.interviews) AS interviews,
           ROUND(AVG(pu.mean) / %(per_cent)s, 1) AS score
    FROM teams_membership m JOIN per_user pu ON pu.user_id = m.user_id
    WHERE m.left_at IS NULL
    GROUP BY m.team_id
    HAVING COUNT(*) >= %(min_active)s
)
SELECT t.id, t.name,
       RANK() OVER (ORDER BY pt.score DESC, pt.active_members DESC, pt.interviews DESC) AS rank,
       pt.score, pt.active_members, pt.interviews
FROM per_team pt JOIN teams_team t ON t.id = pt.team_id
WHERE t.archived_at IS NULL AND NOT t.public_board_opt_out
ORDER BY rank, t.name, t.id
"""


def public_board_params(*, period: Period) -> dict:
    return {"min_active": MIN_ACTIVE_MEMBERS, **_period_params(period)}


def public_ranking(period: Period) -> list[TeamRow]:
    """Every listed team, ranked: the same for every viewer, so it is cached for a while.

    Computing it aggregates every user's days in the period (a few hundred ms at 100,000
    users); with the cache, the boards polling every 30 s cost one computation per period per
    PUBLIC_BOARD_TTL and app process.
    """
    version = cache.get(RANKING_VERSION_KEY, 0)
    key = f"teams:public-ranking:{version}:{period.start}:{period.end}"
    ranking = cache.get(key)
    if ranking is None:
        with connection.cursor() as cursor:
            cursor.execute(PUBLIC_BOARD_SQL, public_board_params(period=period))
            ranking = [TeamRow(*row) for row in cursor.fetchall()]
        cache.set(key, ranking, PUBLIC_BOARD_TTL)
    return ranking


def public_ranking_changed() -> None:
    """Forget the cached rankings (a team opted out, was renamed or archived)."""
    try:
        cache.incr(RANKING_VERSION_KEY)
    except ValueError:
        cache.set(RANKING_VERSION_KEY, 1, None)


def public_board(*, period: Period, viewer) -> list[TeamRow]:
    """The top places of the public ranking and the viewer's own teams, marked."""
    mine = set(Membership.objects.current().filter(user=viewer).values_list("team_id", flat=True))
    return [
        replace(row, is_mine=row.team_id in mine)
        for row in public_ranking(period)
        if row.rank <= PUBLIC_BOARD_PLACES or row.team_id in mine
    ]
