"""How fast is the progress dashboard at 100,000 users and 10,000,000 responses?

    .venv/bin/python bench/dashboard.py --reuse      # measure the database bench/seed.py filled
    .venv/bin/python bench/dashboard.py              # seed it first (bench/seed.py), then measure
    .venv/bin/python bench/dashboard.py --small      # seed 10,000 users and 1M responses, measure
    .venv/bin/python bench/dashboard.py --reuse --json bench/results/dashboard.json

Measures the database `quizsite_bench` (--database) that `bench/seed.py` fills; without --reuse
it seeds it first through `seed.seed` with the same flags (--users, --responses, --small, ...).
Requests /progress/ through Django's test client for a few hundred random users who have
answered at least once, and prints p50/p95/p99, the queries per request, `selectors.dashboard`
alone, and EXPLAIN (ANALYZE, BUFFERS) of every query of one request; --json writes the numbers.
Never part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import seed  # bench/seed.py

PROGRESS_TABLES = [
    "interviews_interview",
    "interviews_response",
    "progress_userprogress",
    "progress_topicstat",
    "progress_weeklyscore",
    "progress_weeklytopicscore",
    "progress_topicquestionstat",
    "progress_missedpoint",
    "progress_card",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    seed.add_arguments(parser)
    parser.add_argument("--reuse", action="store_true", help="measure the seeded database")
    parser.add_argument("--requests", type=int, default=300, help="dashboard requests timed")
    parser.add_argument("--json", type=Path, default=None, help="write the numbers here")
    return seed.resolve_size(parser.parse_args())


def summary(values_ms: list[float]) -> dict:
    ordered = sorted(values_ms)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 1)

    return {
        "n": len(ordered),
        "p50_ms": at(50),
        "p95_ms": at(95),
        "p99_ms": at(99),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


def show(label: str, stats: dict) -> None:
    print(
        f"  {label:<44} p50 {stats['p50_ms']:6.1f} ms  p95 {stats['p95_ms']:6.1f} ms  "
        f"p99 {stats['p99_ms']:6.1f} ms  (mean {stats['mean_ms']:.1f} ms, n={stats['n']})"
    )


def measure(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from progress import selectors
    from progress.models import UserProgress

    tables = {}
    with connection.cursor() as cursor:
        for table in PROGRESS_TABLES:
            cursor.execute(
                f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}",
            )
            rows, size = cursor.fetchone()
            tables[table] = {"rows": rows, "bytes": size}
    print("\nTables:")
    for name, info in tables.items():
        print(f"  {name:28} {info['rows']:>12,} rows  {info['bytes'] / 2**20:>9,.0f} MB")

    setup_test_environment()
    users = get_user_model().objects
    answered = list(UserProgress.objects.values_list("user_id", flat=True))
    if not answered:
        raise SystemExit("No user has answered anything: seed with the aggregates first.")
    rng = random.Random(args.seed + 1)
    someone = users.get(pk=rng.choice(answered))
    assert someone.check_password(seed.PASSWORD), "seeded users log in with seed.PASSWORD"

    client = Client()
    latencies, cpu, query_counts = [], [], set()
    for n in range(args.requests + 20):
        client.force_login(users.get(pk=rng.choice(answered)))
        reset_queries()  # DEBUG keeps a bounded log that CaptureQueriesContext indexes into
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get("/progress/")
            elapsed = time.perf_counter() - started
            used = time.process_time() - cpu_started
        assert response.status_code == 200, response.status_code
        if n >= 20:  # the first requests warm caches and connections
            latencies.append(elapsed * 1000)
            cpu.append(used * 1000)
            query_counts.add(len(captured))
    page = summary(latencies)
    # CPU time of this process per request: what other jobs' load does not inflate (the
    # database's own time, about a millisecond here, is not in it).
    page_cpu = summary(cpu)

    reads = []
    for n in range(args.requests + 20):
        user = users.get(pk=rng.choice(answered))
        started = time.perf_counter()
        selectors.dashboard(user=user, now=timezone.now(), tz=selectors.user_timezone(user.pk))
        if n >= 20:
            reads.append((time.perf_counter() - started) * 1000)
    alone = summary(reads)
    print(f"\nDashboard, random users who have answered ({len(answered):,} of them):")
    show("page /progress/ (test client, view and template)", page)
    show("  its CPU time in this process", page_cpu)
    show("reads alone (selectors.dashboard)", alone)
    print(f"  queries per request: {sorted(query_counts)}")

    print("\nEXPLAIN (ANALYZE, BUFFERS) of one request's queries:")
    user = users.get(pk=rng.choice(answered))
    client.force_login(user)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        client.get("/progress/")
    plans = []
    with connection.cursor() as cursor:
        for number, query in enumerate(captured.captured_queries, 1):
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
            executed = next((line for line in plan if line.startswith("Execution Time")), "")
            plans.append({"query": number, "sql": sql, "plan": plan})
            print(f"\n-- query {number} ({executed}): {sql[:100]}…")
            for line in plan:
                print("   " + line)
    return {
        "database": args.database,
        "tables": tables,
        "users_with_answers": len(answered),
        "page": page,
        "page_cpu": page_cpu,
        "reads": alone,
        "queries_per_request": sorted(query_counts),
        "explain_user": user.pk,
        "explain": plans,
    }


def main() -> None:
    args = parse_args()
    seed.measure_main(args, measure)


if __name__ == "__main__":
    main()
