"""How fast are the team boards at scale?

    .venv/bin/python bench/leaderboard.py --reuse    # measure the database bench/seed.py filled
    .venv/bin/python bench/leaderboard.py            # seed it first (bench/seed.py), then measure
    .venv/bin/python bench/leaderboard.py --small    # seed 10,000 users and 100 teams, measure
    .venv/bin/python bench/leaderboard.py --reuse --json bench/results/leaderboard.json

Measures the database `quizsite_bench` (--database) that `bench/seed.py` fills (users in teams
of about 100, their interviews, and the daily statistics `recompute_team_stats` derives from
them); without --reuse it seeds it first through `seed.seed` with the same flags. Requests the
team board and the public board through Django's test client and reports p50/p95/p99 latency,
the queries per request and EXPLAIN (ANALYZE, BUFFERS) of both board queries; --json writes the
numbers. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

import seed  # bench/seed.py


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    seed.add_arguments(parser)
    parser.add_argument("--reuse", action="store_true", help="measure the seeded database")
    parser.add_argument("--requests", type=int, default=300, help="team board requests")
    parser.add_argument("--public-requests", type=int, default=60)
    parser.add_argument("--json", type=Path, default=None, help="write the numbers here")
    return seed.resolve_size(parser.parse_args())


def summary(samples: list[float]) -> dict:
    """Percentiles in milliseconds of samples in seconds."""
    ordered = sorted(samples)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000, 1)

    return {
        "n": len(ordered),
        "p50_ms": at(50),
        "p95_ms": at(95),
        "p99_ms": at(99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


def show(label: str, stats: dict) -> None:
    print(
        f"  {label:<12} p50 {stats['p50_ms']:6.1f} ms  p95 {stats['p95_ms']:6.1f} ms  "
        f"p99 {stats['p99_ms']:6.1f} ms  (mean {stats['mean_ms']:.1f} ms, n={stats['n']})"
    )


def measure(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from interviews.models import Interview, Response
    from teams import selectors
    from teams.models import DailyStat, Membership, Team

    report: dict = {"database": args.database}
    rng = random.Random(args.seed + 1)
    data = {
        "users": get_user_model().objects.count(),
        "teams": Team.objects.count(),
        "memberships": Membership.objects.count(),
        "current_memberships": Membership.objects.current().count(),
        "interviews": Interview.objects.count(),
        "responses": Response.objects.count(),
        "daily_rows": DailyStat.objects.count(),
    }
    report["data"] = data
    print(
        f"\nData: {data['users']:,} users, {data['teams']:,} teams, "
        f"{data['current_memberships']:,} current memberships, {data['interviews']:,} "
        f"interviews, {data['responses']:,} responses, {data['daily_rows']:,} daily rows"
    )
    if not data["daily_rows"]:
        raise SystemExit("teams_dailystat is empty: seed with the aggregates first.")
    size = {
        row[0]: row[1]
        for row in Membership.objects.current().values_list("team_id").annotate(n=Count("*"))
    }
    report["team_size"] = {"min": min(size.values()), "max": max(size.values())}
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
        # A test client builds its own middleware chain on its first request (WhiteNoise then
        # indexes the static files, about 30 ms), which a server's worker does once: build it
        # here, on a page that reads none of the boards' data.
        client.get("/healthz")
        clients[team] = client

    periods = list(selectors.PERIODS)
    for _ in range(20):  # warm-up: connections, caches, templates
        team = rng.choice(team_ids)
        clients[team].get(f"/teams/{team}/?period={rng.choice(periods)}")

    print(f"\nTeam board, {args.requests} requests through the Django stack (rendered page):")
    samples: dict[str, list[float]] = defaultdict(list)
    cpu: list[float] = []
    query_counts: set[int] = set()
    for i in range(args.requests):
        team = rng.choice(team_ids)
        period = periods[i % len(periods)]
        htmx = {"HTTP_HX_REQUEST": "true"} if i % 2 else {}
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = clients[team].get(f"/teams/{team}/?period={period}", **htmx)
            elapsed = time.perf_counter() - started
            cpu.append(time.process_time() - cpu_started)
        assert response.status_code == 200, response.status_code
        samples[period].append(elapsed)
        samples["all periods"].append(elapsed)
        query_counts.add(len(captured))
    report["team_board_page"] = {period: summary(values) for period, values in samples.items()}
    for period, stats in report["team_board_page"].items():
        show(period, stats)
    # CPU time of this process per request: what other jobs' load does not inflate (the
    # board query's own time in the database is not in it).
    report["team_board_page_cpu"] = summary(cpu)
    show("CPU time", report["team_board_page_cpu"])
    report["team_board_queries_per_request"] = sorted(query_counts)
    print(f"  queries per request: {sorted(query_counts)}")

    print("\nTeam board query alone (selectors.team_board):")
    now = timezone.now()
    report["team_board_query"] = {}
    for key in periods:
        period = selectors.period_for(key, timezone.localdate())
        values = []
        for _ in range(100):
            team = rng.choice(team_ids)
            started = time.perf_counter()
            selectors.team_board(team_id=team, period=period, now=now)
            values.append(time.perf_counter() - started)
        report["team_board_query"][key] = summary(values)
        show(key, report["team_board_query"][key])

    client = clients[team_ids[0]]
    report["public_board_page"] = {}
    for cached in (False, True):
        label = "ranking cached" if cached else "ranking computed (cache cleared first)"
        print(f"\nPublic board, {args.public_requests} requests per period, {label}:")
        public_counts: set[int] = set()
        by_period = {}
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
            by_period[key] = summary(values)
            show(key, by_period[key])
        print(f"  queries per request: {sorted(public_counts)}")
        report["public_board_page"]["cached" if cached else "computed"] = {
            **by_period,
            "queries_per_request": sorted(public_counts),
        }

    team = team_ids[0]
    with connection.cursor() as cursor:
        week = selectors.period_for("week", timezone.localdate())
        params = selectors.team_board_params(team_id=team, period=week, now=now)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + selectors.TEAM_BOARD_SQL, params)
        plan = [row[0] for row in cursor.fetchall()]
        print(f"\nEXPLAIN ANALYZE team board (team {team}, {size[team]} members, this week):")
        print("\n".join("  " + line for line in plan))
        report["explain_team_board"] = {"team": team, "members": size[team], "plan": plan}
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + selectors.PUBLIC_BOARD_SQL,
            selectors.public_board_params(period=week),
        )
        plan = [row[0] for row in cursor.fetchall()]
        print("\nEXPLAIN ANALYZE public board (this week):")
        print("\n".join("  " + line for line in plan))
        report["explain_public_board"] = {"plan": plan}
    return report


def main() -> None:
    args = parse_args()
    os.environ["ALLOWED_HOSTS"] = "testserver"
    seed.measure_main(args, measure)


if __name__ == "__main__":
    main()
