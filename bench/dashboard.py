"""How fast is the progress dashboard at 100,000 users and 10,000,000 responses?

    .venv/bin/python bench/dashboard.py                       # full size (takes minutes)
    .venv/bin/python bench/dashboard.py --users 2000          # a quick, smaller run
    .venv/bin/python bench/dashboard.py --reuse               # measure again, no new seed
    .venv/bin/python bench/dashboard.py --replay-cards        # cards by the real FSRS replay

Creates (or recreates) a separate database, `quizsite_bench` by default, on the server of
DATABASE_URL; migrates it and loads the question bank; seeds users, interviews and responses
with psycopg 3 COPY into unlogged tables whose indexes and constraints are dropped during the
load and rebuilt after it; fills the progress aggregates with the SQL of `recompute_progress`
and the cards directly in SQL (one per user and question, due by the last answer's rating; the
exact FSRS replay is `--replay-cards`); then requests /progress/ through Django's test client
for a few hundred random users and prints p50/p95/p99, the queries per request, and EXPLAIN
ANALYZE of every query of one request. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEEDED_TABLES = ["auth_user", "interviews_interview", "interviews_response"]
PROGRESS_TABLES = [
    "progress_userprogress",
    "progress_topicstat",
    "progress_weeklyscore",
    "progress_weeklytopicscore",
    "progress_topicquestionstat",
    "progress_missedpoint",
    "progress_card",
]
UNLOGGED_TABLES = ["interviews_response", *PROGRESS_TABLES]
QUESTIONS_PER_INTERVIEW = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--responses", type=int, default=10_000_000, help="in total")
    parser.add_argument("--requests", type=int, default=300, help="dashboard requests timed")
    parser.add_argument("--database", default="quizsite_bench")
    parser.add_argument("--reuse", action="store_true", help="measure the existing database")
    parser.add_argument("--replay-cards", action="store_true", help="replay FSRS for every card")
    parser.add_argument("--seed", type=int, default=2023)
    return parser.parse_args()


def database_urls(name: str) -> tuple[str, str]:
    """(the bench database's URL, the maintenance database's URL) on DATABASE_URL's server."""
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/quizsite"))
    return (
        urlunsplit(base._replace(path=f"/{name}")),
        urlunsplit(base._replace(path="/postgres")),
    )


def step(message: str):
    """Print what is being done and, when the block ends, how long it took."""

    class Timer:
        def __enter__(self):
            print(f"… {message}", flush=True)
            self.started = time.perf_counter()
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.started
            print(f"  done in {self.seconds:.1f} s", flush=True)

    return Timer()


def recreate_database(bench_url: str, admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_indexes(conn, tables: list[str]) -> list[str]:
    """Drop every constraint but primary keys, and every other index; return how to rebuild."""
    rebuild = []
    for table in tables:
        constraints = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'c') ORDER BY contype DESC",
            [table],
        ).fetchall()
        for name, definition, _ in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')",
            [table],
        ).fetchall()
        for name, definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
            rebuild.insert(0, definition)
    return rebuild


def rebuild_indexes(conn, statements: list[str]) -> None:
    # Unique constraints and plain indexes first, foreign keys last (they need the keys).
    for statement in sorted(statements, key=lambda s: "FOREIGN KEY" in s):
        conn.execute(statement)


def copy_rows(conn, table: str, columns: str, chunks) -> int:
    count = 0
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for lines in chunks:
            copy.write("".join(lines))
            count += len(lines)
    return count


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def seed(conn, args, bank: list[dict]) -> dict:
    """Users, interviews and responses through COPY; returns the counts."""
    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    tags = sorted({slug for q in bank for slug in q["tags"]})
    per_user = max(1, args.responses // args.users)
    interviews_per_user = -(-per_user // QUESTIONS_PER_INTERVIEW)
    question_ids = [q["id"] for q in bank]
    by_id = {q["id"]: q for q in bank}
    missed_json = {
        q["id"]: [
            escape(json.dumps(q["points"][:n], ensure_ascii=False))
            for n in range(len(q["points"]) + 1)
        ]
        for q in bank
    }

    def users():
        joined = now - timedelta(days=400)
        batch = []
        for uid in range(1, args.users + 1):
            batch.append(f"{uid}\t!\tf\tbench{uid}\t\t\t\tf\tt\t{joined.isoformat()}\n")
            if len(batch) >= 50_000:
                yield batch
                batch = []
        yield batch

    interview_lines: list[str] = []
    counts = {"users": 0, "interviews": 0, "responses": 0}

    def responses():
        iid = rid = 0
        batch = []
        for uid in range(1, args.users + 1):
            skill = {slug: rng.uniform(0.15, 0.9) for slug in tags}
            left = per_user
            for _ in range(interviews_per_user):
                size = min(QUESTIONS_PER_INTERVIEW, left)
                left -= size
                iid += 1
                finished = now - timedelta(seconds=rng.randrange(364 * 86400))
                started = finished - timedelta(minutes=20)
                state = rng.choices(["finished", "timed_out", "abandoned"], [90, 7, 3])[0]
                started_s, finished_s = started.isoformat(), finished.isoformat()
                total = 0.0
                for position, qid in enumerate(rng.sample(question_ids, size)):
                    rid += 1
                    question = by_id[qid]
                    base = sum(skill[s] for s in question["tags"]) / max(1, len(question["tags"]))
                    if rng.random() < 0.95:
                        score = min(1.0, max(0.0, round(base + rng.gauss(0, 0.2), 4)))
                        total += score
                        points = len(question["points"])
                        missed = missed_json[qid][round((1 - score) * points)]
                        batch.append(
                            f"{rid}\t{iid}\t{position}\t{qid}\t{question['version']}\ttext\t\t"
                            f"\\N\t\t\\N\t{started_s}\t{finished_s}\t{rng.randrange(20, 400)}s\t"
                            f"f\t1\t\t{score}\t[]\t{missed}\t[]\tf\t\n"
                        )
                    else:
                        batch.append(
                            f"{rid}\t{iid}\t{position}\t{qid}\t{question['version']}\ttext\t\t"
                            f"\\N\t\t\\N\t{started_s}\t\\N\t\\N\tf\t0\t\t\\N\t[]\t[]\t[]\tf\t\n"
                        )
                interview_lines.append(
                    f"{iid}\t{uid}\tpractice\t{size}\t\\N\t{started_s}\t\\N\t{finished_s}\t{state}\t"
                    f"0\t{round(total / size, 4)}\t[]\t{uuid.UUID(int=rng.getrandbits(128))}\n"
                )
                if len(batch) >= 200_000:
                    yield batch
                    batch = []
        counts["interviews"] = iid
        yield batch

    counts["users"] = copy_rows(
        conn,
        "auth_user",
        "id, password, is_superuser, username, first_name, last_name, email, is_staff, "
        "is_active, date_joined",
        users(),
    )
    counts["responses"] = copy_rows(
        conn,
        "interviews_response",
        "id, interview_id, position, question_id, version_id, form, draft_text, draft_saved_at, "
        "answer_text, answer_value, first_seen_at, submitted_at, time_spent, flagged, revision, "
        "last_tab, auto_score, hit, missed, reasons, from_draft, self_assessment",
        responses(),
    )
    copy_rows(
        conn,
        "interviews_interview",
        "id, user_id, mode, question_count, time_limit, started_at, deadline, finished_at, "
        "state, current_position, score, topic_scores, start_token",
        [interview_lines[i : i + 100_000] for i in range(0, len(interview_lines), 100_000)],
    )
    for table in SEEDED_TABLES:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )
    return counts


CARDS_SQL = """
INSERT INTO progress_card (user_id, question_id, state, step, stability, difficulty, due,
                           last_review, reviews, again_count, last_rating, created_at)
SELECT user_id, question_id,
       CASE WHEN last_score < 0.4 THEN 3 ELSE 2 END,
       CASE WHEN last_score < 0.4 THEN 0 END,
       CASE WHEN last_score < 0.4 THEN 0.5 WHEN last_score < 0.6 THEN 1.5
            WHEN last_score < 0.85 THEN 3.0 * n ELSE 8.0 * n END,
       5.0,
       last_at + CASE WHEN last_score < 0.4 THEN interval '10 minutes'
                      WHEN last_score < 0.6 THEN interval '1 day'
                      WHEN last_score < 0.85 THEN interval '3 days' * n
                      ELSE interval '8 days' * n END,
       last_at, n, 0,
       CASE WHEN last_score < 0.4 THEN 1 WHEN last_score < 0.6 THEN 2
            WHEN last_score < 0.85 THEN 3 ELSE 4 END,
       first_at
FROM (
    SELECT i.user_id, r.question_id, count(*) AS n, min(i.finished_at) AS first_at,
           max(i.finished_at) AS last_at,
           (array_agg(coalesce(r.auto_score, 0) ORDER BY i.finished_at DESC))[1] AS last_score
    FROM interviews_response r JOIN interviews_interview i ON i.id = r.interview_id
    WHERE i.state IN ('finished', 'timed_out') AND (r.submitted_at IS NOT NULL OR r.from_draft)
    GROUP BY i.user_id, r.question_id
) answered
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    args = parse_args()
    bench_url, admin_url = database_urls(args.database)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    started = time.perf_counter()

    if not args.reuse:
        recreate_database(bench_url, admin_url, args.database)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from progress import selectors
    from progress.recompute import recompute_aggregates, recompute_cards
    from questions.models import Question

    timings = {}
    if not args.reuse:
        with step("migrate and load the question bank"):
            call_command("migrate", verbosity=0)
            call_command("loaddata", "tags", "questions", verbosity=0)
            bank = []
            for question in Question.objects.published().prefetch_related(
                "tags", "key_points", "variants__choices"
            ):
                version = question.record_version(note="bench")
                bank.append(
                    {
                        "id": question.id,
                        "version": version.id,
                        "tags": [t.slug for t in question.tags.all()],
                        "points": [kp.point for kp in question.key_points.all()],
                    }
                )
        connection.close()
        with psycopg.connect(bench_url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute("SET synchronous_commit = off")
            rebuild = drop_indexes(conn, SEEDED_TABLES + PROGRESS_TABLES)
            # Disposable data: skip the write-ahead log for the big tables nothing else refers to.
            for table in UNLOGGED_TABLES:
                conn.execute(f"ALTER TABLE {table} SET UNLOGGED")
            with step(f"seed {args.users:,} users and {args.responses:,} responses (COPY)") as t:
                counts = seed(conn, args, bank)
            timings["seed"] = t.seconds
            with step("rebuild the seeded tables' indexes and constraints") as t:
                rebuild_indexes(conn, [s for s in rebuild if not _is_progress(s)])
                for table in SEEDED_TABLES:
                    conn.execute(f"ANALYZE {table}")
            timings["index"] = t.seconds
        print(f"  {counts}")

        with step("fill the progress aggregates (recompute_progress's SQL)") as t:
            recompute_aggregates()
        timings["aggregates"] = t.seconds
        if args.replay_cards:
            with step("replay every card through FSRS") as t:
                recompute_cards()
        else:
            with step("fill the cards (direct SQL)") as t, connection.cursor() as cursor:
                cursor.execute(CARDS_SQL)
        timings["cards"] = t.seconds
        connection.close()
        with psycopg.connect(bench_url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            with step("rebuild the progress tables' indexes, analyze") as t:
                rebuild_indexes(conn, [s for s in rebuild if _is_progress(s)])
                for table in PROGRESS_TABLES:
                    conn.execute(f"ANALYZE {table}")
            timings["progress_index"] = t.seconds

    with connection.cursor() as cursor:
        sizes = []
        for table in SEEDED_TABLES + PROGRESS_TABLES:
            cursor.execute(
                f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}"
            )
            sizes.append((table, *cursor.fetchone()))
        cursor.execute("SELECT max(id) FROM auth_user")
        max_user = cursor.fetchone()[0]
    print("\nTables:")
    for name, rows, size in sizes:
        print(f"  {name:28} {rows:>12,} rows  {size:>8}")

    setup_test_environment()
    users = get_user_model().objects
    rng = random.Random(args.seed + 1)
    client = Client()
    latencies, query_counts = [], set()
    for n in range(args.requests + 20):
        client.force_login(users.get(pk=rng.randint(1, max_user)))
        reset_queries()  # DEBUG keeps a bounded log that CaptureQueriesContext indexes into
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get("/progress/")
            elapsed = time.perf_counter() - t0
        assert response.status_code == 200, response.status_code
        if n >= 20:  # the first requests warm caches and connections
            latencies.append(elapsed * 1000)
            query_counts.add(len(captured))
    print(
        f"\nDashboard, {len(latencies)} requests (test client, full view and template):\n"
        f"  p50 {percentile(latencies, 50):.1f} ms  p95 {percentile(latencies, 95):.1f} ms  "
        f"p99 {percentile(latencies, 99):.1f} ms  mean {statistics.fmean(latencies):.1f} ms\n"
        f"  queries per request: {sorted(query_counts)}"
    )

    reads = []
    for n in range(args.requests + 20):
        user = users.get(pk=rng.randint(1, max_user))
        t0 = time.perf_counter()
        selectors.dashboard(user=user, now=timezone.now(), tz=selectors.user_timezone(user.pk))
        if n >= 20:
            reads.append((time.perf_counter() - t0) * 1000)
    print(
        f"Dashboard reads alone (selectors.dashboard, {len(reads)} users):\n"
        f"  p50 {percentile(reads, 50):.1f} ms  p95 {percentile(reads, 95):.1f} ms  "
        f"p99 {percentile(reads, 99):.1f} ms"
    )

    print("\nEXPLAIN ANALYZE of one request's queries:")
    client.force_login(users.get(pk=rng.randint(1, max_user)))
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        client.get("/progress/")
    with connection.cursor() as cursor:
        for number, query in enumerate(captured.captured_queries, 1):
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
            print(f"\n-- query {number}: {sql[:110]}…")
            for line in plan:
                print("   " + line)
    if timings:
        print(f"\nTimings (s): {json.dumps({k: round(v, 1) for k, v in timings.items()})}")
    print(f"Total {time.perf_counter() - started:.0f} s")


def _is_progress(statement: str) -> bool:
    """Whether a rebuild statement is about a progress table (rebuilt after they are filled)."""
    words = statement.replace("public.", "").split()
    return any(table in words for table in PROGRESS_TABLES)


if __name__ == "__main__":
    main()
