"""How fast are the team boards at scale?

    .venv/bin/python bench/leaderboard.py                # 100,000 users, 1,000 teams, 10M responses
    .venv/bin/python bench/leaderboard.py --small        # a tenth of that
    .venv/bin/python bench/leaderboard.py --reuse        # measure again without re-seeding

Creates (drops and re-creates) a separate database, `quizsite_bench_teams` by default, on the
server of DATABASE_URL; migrates it; loads users, profiles, teams, memberships and the
per-user daily statistics equivalent to the requested number of responses with COPY (indexes
and constraints dropped before the load and rebuilt after it); then requests the team board
and the public board through Django's test client and reports p50/p95/p99 latency, the
queries per request and EXPLAIN ANALYZE of both board queries. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESPONSES_PER_INTERVIEW = 10  # the default preset: 10 questions in 20 minutes
TOPICS = [
    "basics", "activation", "optimization", "regularization", "init-norm", "cnn", "rnn",
    "transformer", "generative", "transfer", "practice",
]  # fmt: skip
TIMEZONES = ["Asia/Shanghai"] * 17 + ["Europe/Berlin", "America/New_York", "Asia/Tokyo"]
LOADED_TABLES = [
    "auth_user", "accounts_profile", "teams_team", "teams_membership", "teams_dailystat",
]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--teams", type=int, default=1_000)
    parser.add_argument("--responses", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365, help="history the interviews span")
    parser.add_argument(
        "--second-team", type=float, default=0.1, help="share of users in a second team"
    )
    parser.add_argument("--requests", type=int, default=300, help="team board requests")
    parser.add_argument("--public-requests", type=int, default=60)
    parser.add_argument("--database", default="quizsite_bench_teams")
    parser.add_argument("--small", action="store_true", help="10,000 users, 100 teams, 1M")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args()
    if args.small:
        args.users, args.teams, args.responses = 10_000, 100, 1_000_000
    return args


def point_django_at(database: str) -> str:
    """Use the bench database; returns the URL of the server's maintenance database."""
    url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/quizsite"))
    os.environ["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{database}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["LOG_LEVEL"] = "WARNING"
    return urlunsplit(url._replace(path="/postgres"))


def create_database(maintenance_url: str, database: str, reuse: bool) -> bool:
    """(Re)create the bench database; True when it needs seeding."""
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists and reuse:
            return False
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return True


class Timer:
    def __init__(self):
        self.steps: list[tuple[str, float]] = []

    def step(self, name: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        self.steps.append((name, elapsed))
        print(f"  {name:<44} {elapsed:7.1f} s", flush=True)


def drop_indexes_and_constraints(cursor) -> list[str]:
    """Drop every index and key of the loaded tables; returns the statements that rebuild them."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c
        WHERE c.conrelid::regclass::text = ANY(%s) AND c.contype IN ('p', 'u', 'f')
        ORDER BY CASE c.contype WHEN 'f' THEN 0 ELSE 1 END
        """,
        [LOADED_TABLES],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [LOADED_TABLES],
    )
    indexes = cursor.fetchall()
    # Constraints referencing the loaded tables from elsewhere (sessions, interviews...).
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.confrelid::regclass::text = ANY(%s) AND c.contype = 'f'
          AND NOT c.conrelid::regclass::text = ANY(%s)
        """,
        [LOADED_TABLES, LOADED_TABLES],
    )
    foreign = cursor.fetchall()
    for table, name, _ in foreign:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for table, name, _, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    keys = [(t, n, d) for t, n, d, kind in constraints if kind != "f"]
    fks = [(t, n, d) for t, n, d, kind in constraints if kind == "f"] + foreign
    return (
        [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in keys]
        + [definition for _, definition in indexes]
        + [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in fks]
    )


def plan_activity(args, rng: random.Random) -> dict[int, int]:
    """Interviews per user: a few keen users sit many, most sit a few, some none."""
    interviews = args.responses // RESPONSES_PER_INTERVIEW
    weights = [rng.paretovariate(1.6) if rng.random() < 0.85 else 0.0 for _ in range(args.users)]
    total = sum(weights)
    counts = {user: round(interviews * w / total) for user, w in enumerate(weights, start=1)}
    return {user: n for user, n in counts.items() if n}


def daily_rows(args, rng: random.Random, activity: dict[int, int], today: dt.date):
    """Rows of teams_dailystat: each interview on a day of its user's history, aggregated."""
    from teams.models import SCORE_SCALE

    topic_json: dict[tuple, str] = {}
    for user, count in activity.items():
        span = rng.randint(7, args.days)
        ability = rng.uniform(0.35, 0.9)
        days: dict[int, list] = defaultdict(lambda: [0, 0, 0, set()])
        for _ in range(count):
            # Recent days are busier: squaring the uniform draw leans towards today.
            day = int(span * rng.random() ** 2)
            score = round(min(1.0, max(0.0, rng.gauss(ability, 0.12))) * SCORE_SCALE)
            entry = days[day]
            entry[0] += 1
            entry[1] += score
            entry[2] = max(entry[2], score)
            entry[3].update(rng.sample(TOPICS, rng.randint(2, 4)))
        for day, (n, total, best, topics) in days.items():
            key = tuple(sorted(topics))
            if key not in topic_json:
                topic_json[key] = json.dumps(list(key))
            yield (
                user,
                today - dt.timedelta(days=day),
                n,
                total,
                best,
                topic_json[key],
            )


def seed(args, timer: Timer) -> dict:
    from django.core.management import call_command
    from django.db import connection

    rng = random.Random(args.seed)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timer.step("migrate", started)

    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    users = range(1, args.users + 1)
    order = list(users)
    rng.shuffle(order)
    per_team = args.users // args.teams
    primary = {user: index // per_team % args.teams + 1 for index, user in enumerate(order)}
    second = {user: rng.randint(1, args.teams) for user in users if rng.random() < args.second_team}
    second = {user: team for user, team in second.items() if team != primary[user]}
    owners = {}
    for user in order:
        owners.setdefault(primary[user], user)

    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own cursor, for COPY
        started = time.perf_counter()
        rebuild = drop_indexes_and_constraints(cursor)
        timer.step("drop indexes and constraints", started)

        started = time.perf_counter()
        with cursor.copy(
            "COPY auth_user (id, password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined) FROM STDIN"
        ) as copy:
            for user in users:
                copy.write_row((user, "!", False, f"bench{user}", "", "", "", False, True, now))
        with cursor.copy(
            "COPY accounts_profile (id, user_id, display_name, language, timezone) FROM STDIN"
        ) as copy:
            for user in users:
                copy.write_row((user, user, f"学员 {user}", "zh-hans", rng.choice(TIMEZONES)))
        with cursor.copy(
            "COPY teams_team (id, name, description, invite_code, owner_id, "
            "public_board_opt_out, created_at) FROM STDIN"
        ) as copy:
            for team in range(1, args.teams + 1):
                copy.write_row(
                    (
                        team,
                        f"学习小组 {team}",
                        "",
                        secrets.token_urlsafe(12),
                        owners[team],
                        rng.random() < 0.02,
                        now,
                    )
                )
        memberships = 0
        with cursor.copy(
            "COPY teams_membership (team_id, user_id, role, joined_at) FROM STDIN"
        ) as copy:
            for user in users:
                role = "owner" if owners[primary[user]] == user else "member"
                copy.write_row((primary[user], user, role, now))
                memberships += 1
                if user in second:
                    copy.write_row((second[user], user, "member", now))
                    memberships += 1
        timer.step(f"COPY {args.users:,} users, {memberships:,} memberships", started)

        started = time.perf_counter()
        activity = plan_activity(args, rng)
        stats = 0
        with cursor.copy(
            "COPY teams_dailystat (user_id, day, interviews, score_sum, best_score, topics) "
            "FROM STDIN"
        ) as copy:
            for row in daily_rows(args, rng, activity, today):
                copy.write_row(row)
                stats += 1
        interviews = sum(activity.values())
        timer.step(f"generate + COPY {stats:,} daily stat rows", started)

        started = time.perf_counter()
        for statement in rebuild:
            cursor.execute(statement)
        for table in ("auth_user", "accounts_profile", "teams_team", "teams_membership"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        timer.step(f"rebuild {len(rebuild)} indexes and constraints", started)
        started = time.perf_counter()
        # Autovacuum's steady state: statistics, and a visibility map for index-only scans.
        cursor.execute("VACUUM ANALYZE teams_dailystat, teams_membership")
        cursor.execute("ANALYZE")
        timer.step("VACUUM ANALYZE", started)
    return {
        "interviews": interviews,
        "responses": interviews * RESPONSES_PER_INTERVIEW,
        "daily_rows": stats,
        "memberships": memberships,
    }


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    return (
        f"p50 {at(50):6.1f} ms  p95 {at(95):6.1f} ms  p99 {at(99):6.1f} ms  "
        f"(mean {statistics.fmean(ordered) * 1000:.1f} ms, n={len(ordered)})"
    )


def measure(args) -> None:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from teams import selectors
    from teams.models import DailyStat, Membership, Team

    rng = random.Random(args.seed + 1)
    print(
        f"\nData: {get_user_model().objects.count():,} users, {Team.objects.count():,} teams, "
        f"{Membership.objects.count():,} memberships, {DailyStat.objects.count():,} daily rows"
    )
    size = {
        row[0]: row[1]
        for row in Membership.objects.current().values_list("team_id").annotate(n=Count("*"))
    }
    print(f"Team sizes: min {min(size.values())}, max {max(size.values())} members")

    team_ids = rng.sample(sorted(size), min(50, len(size)))
    viewers = {
        team: Membership.objects.current().filter(team_id=team).order_by("?").first().user
        for team in team_ids
    }
    clients = {}
    for team, user in viewers.items():
        client = Client()
        client.force_login(user)
        clients[team] = client

    periods = list(selectors.PERIODS)
    for _ in range(20):  # warm-up: connections, caches, templates
        team = rng.choice(team_ids)
        clients[team].get(f"/teams/{team}/?period={rng.choice(periods)}")

    print(f"\nTeam board, {args.requests} requests through the Django stack (rendered page):")
    samples: dict[str, list[float]] = defaultdict(list)
    query_counts: set[int] = set()
    for i in range(args.requests):
        team = rng.choice(team_ids)
        period = periods[i % len(periods)]
        htmx = {"HTTP_HX_REQUEST": "true"} if i % 2 else {}
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = clients[team].get(f"/teams/{team}/?period={period}", **htmx)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        samples[period].append(elapsed)
        samples["all periods"].append(elapsed)
        query_counts.add(len(captured))
    for period, values in samples.items():
        print(f"  {period:<12} {percentiles(values)}")
    print(f"  queries per request: {sorted(query_counts)}")

    print("\nTeam board query alone (selectors.team_board):")
    now = timezone.now()
    for key in periods:
        period = selectors.period_for(key, timezone.localdate())
        values = []
        for _ in range(100):
            team = rng.choice(team_ids)
            started = time.perf_counter()
            selectors.team_board(team_id=team, period=period, now=now)
            values.append(time.perf_counter() - started)
        print(f"  {key:<12} {percentiles(values)}")

    client = clients[team_ids[0]]
    for cached in (False, True):
        label = "ranking cached" if cached else "ranking computed (cache cleared first)"
        print(f"\nPublic board, {args.public_requests} requests per period, {label}:")
        public_counts: set[int] = set()
        for key in periods:
            values = []
            client.get(f"/teams/board/?period={key}")
            for _ in range(args.public_requests):
                if not cached:
                    cache.clear()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(f"/teams/board/?period={key}")
                    values.append(time.perf_counter() - started)
                assert response.status_code == 200
                public_counts.add(len(captured))
            print(f"  {key:<12} {percentiles(values)}")
        print(f"  queries per request: {sorted(public_counts)}")

    team = team_ids[0]
    with connection.cursor() as cursor:
        week = selectors.period_for("week", timezone.localdate())
        params = selectors.team_board_params(team_id=team, period=week, now=now)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + selectors.TEAM_BOARD_SQL, params)
        print(f"\nEXPLAIN ANALYZE team board (team {team}, {size[team]} members, this week):")
        print("\n".join("  " + row[0] for row in cursor.fetchall()))
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + selectors.PUBLIC_BOARD_SQL,
            selectors.public_board_params(period=week),
        )
        print("\nEXPLAIN ANALYZE public board (this week):")
        print("\n".join("  " + row[0] for row in cursor.fetchall()))


def main() -> None:
    args = parse_args()
    maintenance_url = point_django_at(args.database)
    print(
        f"Bench database {args.database}: {args.users:,} users, {args.teams:,} teams, "
        f"{args.responses:,} responses over {args.days} days"
    )
    fresh = create_database(maintenance_url, args.database, args.reuse)

    import django

    django.setup()
    if fresh:
        timer = Timer()
        started = time.perf_counter()
        print("Seeding:")
        totals = seed(args, timer)
        total = time.perf_counter() - started
        print(
            f"  seeded in {total:.1f} s: {totals['daily_rows']:,} daily rows standing for "
            f"{totals['interviews']:,} interviews = {totals['responses']:,} responses"
        )
    else:
        print("Reusing the seeded database.")
    measure(args)


if __name__ == "__main__":
    main()
