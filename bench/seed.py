"""Fill a benchmark database fast: users, teams, interviews and responses, then the aggregates.

    .venv/bin/python bench/seed.py                  # 100,000 users, 1,000 teams, 10M responses
    .venv/bin/python bench/seed.py --small          # 10,000 users, 100 teams, 1M responses
    .venv/bin/python bench/seed.py --smoke          # 400 users, 4 teams, 20,000 responses (CI)
    .venv/bin/python bench/seed.py --users 5000 --teams 50 --responses 400000 --skip-aggregates

Drops and re-creates the database named by --database (default `quizsite_bench`) on the server
of DATABASE_URL (never DATABASE_URL's own database), migrates it and imports the question
document (`import_document --no-fixtures`: the repository's fixtures are left alone). Then it
drops the indexes and keys of the loaded tables and loads, with psycopg 3 binary COPY, users
(`bench{i}`, password `bench-pass-2023`), profiles, teams with memberships, interviews and
responses: several processes generate and COPY at once, each into its own connections. Every
answer is a real output of the project's scorer (`interviews.scoring`) for an answer made of
some of the question's key points (or some of an objective variant's choices), picked by the
user's skill in the question's topics. Indexes and keys are rebuilt after the load, then
VACUUM ANALYZE. Finally (unless --skip-aggregates) the maintained aggregates are rebuilt by the
project's own code: `progress.recompute.recompute_aggregates` and `recompute_cards` (what
`manage.py recompute_progress` runs) and `manage.py recompute_team_stats`.

Prints a timing table and writes it as JSON (--json). Importable: `bench/dashboard.py` and
`bench/leaderboard.py` seed through `seed(args)`. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import random
import sys
import time
import uuid
from bisect import bisect_right
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass-2023"
DEFAULT_DATABASE = "quizsite_bench"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quizsite"
PRESETS = {
    # name: (users, teams, responses)
    "full": (100_000, 1_000, 10_000_000),
    "small": (10_000, 100, 1_000_000),
    "smoke": (400, 4, 20_000),
}
# The tables loaded by COPY; their indexes and keys are dropped for the load.
LOADED_TABLES = [
    "auth_user",
    "accounts_profile",
    "teams_team",
    "teams_membership",
    "interviews_interview",
    "interviews_response",
]
AGGREGATE_TABLES = [
    "progress_userprogress",
    "progress_topicstat",
    "progress_weeklyscore",
    "progress_weeklytopicscore",
    "progress_topicquestionstat",
    "progress_missedpoint",
    "progress_card",
    "teams_dailystat",
]
# Interview kinds: (mode, questions, time limit in minutes or None, share of interviews).
# Practice interviews have 5 to 10 questions: the sizes absorb the rounding so the number of
# responses is exactly the one asked for.
KINDS = [
    ("interview", 10, 20, 0.55),
    ("interview", 5, 10, 0.20),
    ("practice", None, None, 0.25),
]
PRACTICE_SIZES = range(5, 11)
TIMEZONES = ["Asia/Shanghai"] * 17 + ["Europe/Berlin", "America/New_York", "Asia/Tokyo"]
SECOND_TEAM = 0.10  # share of users in a second team
LEFT_TEAM = 0.03  # share of users who once were in a third team and left it
INACTIVE = 0.10  # share of users who never finished an interview
EMPTY = b"\x01[]"  # an empty jsonb list, encoded
SECONDS = [timedelta(seconds=s) for s in range(4 * 3600)]  # made once, not per response
VARIANT_FORMS = [f"variant-{n}" for n in range(10)]
RESPONSE_COLUMNS = (
    "id, interview_id, position, question_id, version_id, form, draft_text, draft_saved_at, "
    "answer_text, answer_value, first_seen_at, submitted_at, time_spent, flagged, revision, "
    "last_tab, auto_score, hit, missed, reasons, from_draft, self_assessment"
)
INTERVIEW_COLUMNS = (
    "id, user_id, mode, question_count, time_limit, started_at, deadline, finished_at, state, "
    "current_position, score, topic_scores, start_token"
)


# --- Command line --------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The seeding flags, shared with the benchmarks that seed through this module."""
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--users", type=int, default=None, help="default 100,000")
    parser.add_argument("--teams", type=int, default=None, help="default 1,000")
    parser.add_argument("--responses", type=int, default=None, help="default 10,000,000")
    parser.add_argument("--small", action="store_true", help="10,000 users, 100 teams, 1M")
    parser.add_argument("--smoke", action="store_true", help="400 users, 4 teams, 20,000")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--days", type=int, default=365, help="history the interviews span")
    parser.add_argument(
        "--workers", type=int, default=2, help="processes generating and COPYing at once"
    )
    parser.add_argument(
        "--load-unlogged",
        action="store_true",
        help="COPY into UNLOGGED tables, then SET LOGGED (the tables end up logged either way)",
    )
    parser.add_argument("--skip-aggregates", action="store_true")


def resolve_size(args: argparse.Namespace) -> argparse.Namespace:
    """Fill users/teams/responses from the preset unless given explicitly."""
    preset = "smoke" if args.smoke else "small" if args.small else "full"
    users, teams, responses = PRESETS[preset]
    args.preset = preset
    args.users = args.users or users
    args.teams = args.teams or teams
    args.responses = args.responses if args.responses is not None else responses
    if args.teams > args.users:
        raise SystemExit("--teams cannot exceed --users")
    return args


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--json", type=Path, default=None, help="write the numbers here")
    return resolve_size(parser.parse_args(argv))


# --- The database --------------------------------------------------------------------------------


# The site's own database, as DATABASE_URL named it before this module pointed Django elsewhere.
SITE_URL = os.environ.get("DATABASE_URL", DEFAULT_URL)


def server_url(database: str) -> str:
    """The URL of `database` on DATABASE_URL's server."""
    base = urlsplit(SITE_URL)
    return urlunsplit(base._replace(path=f"/{database}"))


def check_name(database: str) -> None:
    own = urlsplit(SITE_URL).path.lstrip("/")
    if database in (own, "postgres", "template0", "template1") or not database:
        raise SystemExit(f"Refusing to use {database!r}: name a separate bench database.")
    if not database.replace("_", "").isalnum():
        raise SystemExit(f"Unusual database name {database!r}.")


def point_django_at(database: str) -> str:
    """Make Django (not yet set up) use the bench database; returns its URL."""
    check_name(database)
    url = server_url(database)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return url


def create_database(database: str) -> None:
    """Drop (closing its sessions) and re-create the bench database."""
    check_name(database)
    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')


def database_exists(database: str) -> bool:
    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        return conn.execute(query, [database]).fetchone() is not None


def bulk_session(conn) -> None:
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '1GB'")


def drop_indexes_and_keys(conn, tables: list[str]) -> list[str]:
    """Drop the keys and indexes of `tables` (and foreign keys into them from other tables);
    return the statements that rebuild them: keys, then indexes, then foreign keys.
    Check constraints stay: they are cheap during the load and need no rebuild."""
    constraints = conn.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c
        WHERE (c.conrelid::regclass::text = ANY(%(t)s) AND c.contype IN ('p', 'u', 'f'))
           OR (c.confrelid::regclass::text = ANY(%(t)s) AND c.contype = 'f')
        ORDER BY c.contype = 'f' DESC
        """,
        {"t": tables},
    ).fetchall()
    indexes = conn.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    ).fetchall()
    for table, name, _, _ in constraints:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    keys = [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in constraints
        if kind != "f"
    ]
    foreign = [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in constraints
        if kind == "f"
    ]
    return keys + [definition for _, definition in indexes] + foreign


def _table_of(statement: str) -> str:
    words = statement.replace("public.", "").split()
    return words[2] if words[0] == "ALTER" else words[words.index("ON") + 1]


def rebuild_indexes_and_keys(url: str, statements: list[str], connections: int) -> list[dict]:
    """Keys and indexes on `connections` sessions at once (whole tables to each, the biggest
    first), then the foreign keys, which need the referenced keys. Returns each statement's
    seconds, slowest first."""
    keys = [s for s in statements if "FOREIGN KEY" not in s]
    foreign = [s for s in statements if "FOREIGN KEY" in s]
    timings = []

    def run(batch: list[str]) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            bulk_session(conn)
            for statement in batch:
                started = time.perf_counter()
                conn.execute(statement)
                seconds = round(time.perf_counter() - started, 2)
                timings.append({"statement": statement, "seconds": seconds})

    for group in (keys, foreign):
        by_table = defaultdict(list)
        for statement in group:
            by_table[_table_of(statement)].append(statement)
        # The responses alone take as long as everything else: they get a session of their own.
        order = sorted(by_table, key=lambda t: t != "interviews_response")
        lanes: list[list[str]] = [[] for _ in range(max(1, connections))]
        for index, table in enumerate(order):
            lanes[min(index, len(lanes) - 1)].extend(by_table[table])
        with ThreadPoolExecutor(len(lanes)) as pool:
            list(pool.map(run, [lane for lane in lanes if lane]))
    return sorted(timings, key=lambda t: -t["seconds"])


def column_types(conn, table: str, columns: str) -> list[int]:
    """The type oids of `columns` of `table`, in order, for `Copy.set_types`."""
    names = [c.strip() for c in columns.split(",")]
    rows = dict(
        conn.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped",
            [table],
        ).fetchall()
    )
    return [rows[name] for name in names]


BYTEA_OID = 17
# Columns whose values are handed over already in PostgreSQL's binary wire format (jsonb and
# numeric values come from small precomputed sets, so they are encoded once, not per row).
# COPY FORMAT BINARY hands each field to the column type's own receive function, so declaring
# them to psycopg as bytea, whose binary dumper writes bytes as they are, sends them unchanged.
WIRE_TYPES = ("jsonb", "numeric")


@contextmanager
def copy_binary(conn, table: str, columns: str, wire: tuple[str, ...] = ()):
    """A binary COPY into `table` with `set_types` from the table's own column types; the
    columns named in `wire` take bytes already encoded by `wire_jsonb` / `wire_numeric`."""
    oids = column_types(conn, table, columns)
    names = [c.strip() for c in columns.split(",")]
    oids = [BYTEA_OID if name in wire else oid for name, oid in zip(names, oids, strict=True)]
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(oids)
        yield copy


def dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def wire_jsonb(value) -> bytes:
    """A value in jsonb's binary format: version 1, then the JSON text."""
    return b"\x01" + (value if isinstance(value, bytes) else dumps(value))


_NUMERIC = None


def wire_numeric(value: Decimal) -> bytes:
    """A Decimal in numeric's binary format, encoded by psycopg's own dumper."""
    global _NUMERIC
    if _NUMERIC is None:
        from psycopg.adapt import PyFormat, Transformer

        _NUMERIC = Transformer().get_dumper(Decimal(0), PyFormat.BINARY)
    return bytes(_NUMERIC.dump(value))


# --- The question bank and its answers -----------------------------------------------------------


class Bank:
    """Questions with their current version, and the answers the scorer gives scores to.

    For every question: `text` (and one list per objective variant) holds outcomes grouped by
    score, lowest first, each a tuple (score as Decimal, score in ten-thousandths, answer text
    or value, hit, missed, reasons as JSON bytes), all produced by `interviews.scoring` itself.
    """

    def __init__(self, questions: list[dict], tags: list[dict]):
        self.questions = questions
        self.tags = tags


def load_bank() -> Bank:
    from interviews import scoring
    from questions.models import Question, QuestionVersion, Tag

    tags = [
        {"slug": t.slug, "name_zh": t.name_zh, "name_en": t.name_en, "position": t.position}
        for t in Tag.objects.order_by("position", "slug")
    ]
    latest = {}
    for version in QuestionVersion.objects.filter(
        question__status=Question.Status.PUBLISHED
    ).order_by("question_id", "-number"):
        latest.setdefault(version.question_id, version)
    questions = []
    for question_id, version in sorted(latest.items()):
        data = version.data
        rubric = data.get("rubric") or []
        text = []
        for size in range(len(rubric) + 1):
            for subset in itertools.combinations(rubric, size):
                answer = "。".join(kp["point"] for kp in subset)
                if answer:
                    answer += "。"
                text.append(_outcome(scoring.score_text(data, answer), answer))
        variants = []
        for variant in data.get("variants") or []:
            variants.append(_variant_outcomes(scoring, variant))
        questions.append(
            {
                "id": question_id,
                "version": version.id,
                "tags": list(data.get("tags") or []),
                "text": _levels(text),
                "variants": [_levels(v) for v in variants if v],
            }
        )
    return Bank(questions, tags)


def _levels(outcomes: list[tuple]) -> list[list[tuple]]:
    """Outcomes grouped by score, lowest first: skill picks a level, chance an outcome in it."""
    by_score = defaultdict(list)
    for outcome in outcomes:
        by_score[outcome[1]].append(outcome)
    return [by_score[score] for score in sorted(by_score)]


def _outcome(result, answer) -> tuple:
    score = Decimal(str(result.score)).quantize(Decimal("0.0001"))
    return (
        wire_numeric(score),
        int(score * 10_000),
        answer,
        wire_jsonb(result.hit),
        wire_jsonb(result.missed),
        wire_jsonb(result.reasons),
    )


def _variant_outcomes(scoring, variant: dict) -> list[tuple]:
    """Every way to answer a small objective variant (a few for a numeric one)."""
    kind = variant.get("kind")
    if kind == "numeric":
        right = str(variant.get("answer"))
        try:
            wrong = str(Decimal(right) * 2 + 1)
        except ArithmeticError:
            wrong = "0"
        return [
            _outcome(scoring.score_objective(variant, value), wire_jsonb(value))
            for value in (right, wrong)
        ]
    count = len(variant.get("choices") or [])
    if kind == "single":
        picks = [[i] for i in range(count)]
    else:
        picks = [
            list(c) for n in range(1, count + 1) for c in itertools.combinations(range(count), n)
        ]
    return [_outcome(scoring.score_objective(variant, pick), wire_jsonb(pick)) for pick in picks]


# --- The plan: who does how many interviews of which kind ----------------------------------------


def plan(args, rng: random.Random) -> dict:
    """Interviews per user and each interview's kind and size, so that the sizes add up to
    exactly --responses. Activity is skewed: a Pareto share per user, some users inactive."""
    mean_size = sum(
        share * (size or sum(PRACTICE_SIZES) / len(PRACTICE_SIZES)) for _, size, _, share in KINDS
    )
    wanted = round(args.responses / mean_size)
    weights = [
        0.0 if rng.random() < INACTIVE else min(rng.paretovariate(1.6), 40.0)
        for _ in range(args.users)
    ]
    total = sum(weights) or 1.0
    counts = [int(wanted * w / total) for w in weights]
    # Hand the rounded-off interviews to users by weight, so the total is `wanted`.
    active = [i for i, w in enumerate(weights) if w > 0] or [0]
    for user in rng.choices(active, [weights[i] or 1.0 for i in active], k=wanted - sum(counts)):
        counts[user] += 1
    n = sum(counts)
    kinds = bytearray(rng.choices(range(len(KINDS)), [k[3] for k in KINDS], k=n))
    sizes = bytearray(
        KINDS[k][1] or rng.choice(PRACTICE_SIZES) for k in kinds
    )  # fmt: skip
    gap = args.responses - sum(sizes)
    practice = [i for i, k in enumerate(kinds) if KINDS[k][1] is None]
    rng.shuffle(practice)
    while gap and practice:
        moved = 0
        for i in practice:
            if gap > 0 and sizes[i] < max(PRACTICE_SIZES):
                sizes[i] += 1
                gap -= 1
                moved += 1
            elif gap < 0 and sizes[i] > 1:
                sizes[i] -= 1
                gap += 1
                moved += 1
            if not gap:
                break
        if not moved:
            break
    return {"counts": counts, "kinds": kinds, "sizes": sizes}


def shards(counts: list[int], sizes: bytearray, workers: int) -> list[tuple]:
    """Split the users into `workers` contiguous ranges with about as many responses each:
    (first user index, end user index, first interview id, first response id)."""
    per_user = []
    interview = 0
    for count in counts:
        per_user.append(sum(sizes[interview : interview + count]))
        interview += count
    cumulative = list(itertools.accumulate(per_user))
    total = cumulative[-1] if cumulative else 0
    bounds = [0]
    for w in range(1, workers):
        bounds.append(max(bounds[-1], bisect_right(cumulative, total * w / workers)))
    bounds.append(len(counts))
    result = []
    for lo, hi in itertools.pairwise(bounds):
        first_interview = sum(counts[:lo]) + 1
        first_response = (cumulative[lo - 1] if lo else 0) + 1
        result.append((lo, hi, first_interview, first_response))
    return result


# --- Loading -------------------------------------------------------------------------------------


def load_people(url: str, args, now: datetime, rng: random.Random) -> dict:
    """Users, profiles, teams and memberships (small tables: one process). Returns row counts
    and each user's date joined (as seconds before `now`), which the interviews respect."""
    from django.contrib.auth.hashers import make_password

    password = make_password(PASSWORD)  # once: every seeded user shares the hash
    users = args.users
    order = list(range(1, users + 1))
    rng.shuffle(order)
    per_team = users // args.teams
    team_of = {}
    members = defaultdict(list)
    for index, user in enumerate(order):
        team = min(index // per_team, args.teams - 1) + 1
        team_of[user] = team
        members[team].append(user)
    owners = {team: people[0] for team, people in members.items()}
    history = args.days * 86400
    team_created = {
        team: now - timedelta(seconds=history + rng.randrange(10 * 86400, 20 * 86400))
        for team in members
    }
    joined = {}
    for user in range(1, users + 1):
        if owners[team_of[user]] == user:
            joined[user] = team_created[team_of[user]] - timedelta(days=rng.randint(1, 10))
        else:
            # Within the history, so that interviews (placed after it) fit in.
            joined[user] = now - timedelta(seconds=rng.randrange(history // 3, history))
    counts = {}
    with psycopg.connect(url) as conn:
        bulk_session(conn)
        with copy_binary(
            conn,
            "auth_user",
            "id, password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined",
        ) as copy:
            for user in range(1, users + 1):
                copy.write_row(
                    (user, password, False, f"bench{user}", "", "", f"bench{user}@example.com",
                     False, True, joined[user])
                )  # fmt: skip
        counts["auth_user"] = users
        columns = "id, user_id, display_name, language, timezone"
        with copy_binary(conn, "accounts_profile", columns) as copy:
            for user in range(1, users + 1):
                name = f"学员 {user}" if rng.random() < 0.7 else ""
                language = "zh-hans" if rng.random() < 0.8 else "en"
                copy.write_row((user, user, name, language, rng.choice(TIMEZONES)))
        counts["accounts_profile"] = users
        columns = (
            "id, name, description, invite_code, owner_id, public_board_opt_out, created_at, "
            "archived_at"
        )
        with copy_binary(conn, "teams_team", columns) as copy:
            for team in sorted(members):
                code = base64.urlsafe_b64encode(rng.getrandbits(96).to_bytes(12, "big")).decode()
                description = "每周一起刷题。" if rng.random() < 0.5 else ""
                copy.write_row(
                    (team, f"学习小组 {team}", description, code, owners[team],
                     rng.random() < 0.02, team_created[team], None)
                )  # fmt: skip
        counts["teams_team"] = len(members)
        columns = "id, team_id, user_id, role, joined_at, left_at, removed_by_id"
        teams = sorted(members)
        rows = 0
        with copy_binary(conn, "teams_membership", columns) as copy:

            def membership(team, user, role, since, left=None, by=None):
                nonlocal rows
                rows += 1
                copy.write_row((rows, team, user, role, since, left, by))

            for user in range(1, users + 1):
                team = team_of[user]
                if owners[team] == user:
                    membership(team, user, "owner", team_created[team])
                    continue
                since = max(joined[user], team_created[team]) + timedelta(hours=rng.randint(1, 48))
                membership(team, user, "member", min(since, now - timedelta(hours=1)))
                others = [t for t in rng.sample(teams, min(3, len(teams))) if t != team]
                if others and rng.random() < SECOND_TEAM:
                    since = max(joined[user], team_created[others[0]]) + timedelta(days=3)
                    membership(others[0], user, "member", min(since, now - timedelta(hours=1)))
                if len(others) > 1 and rng.random() < LEFT_TEAM:
                    since = max(joined[user], team_created[others[1]]) + timedelta(days=1)
                    left = since + (now - since) * rng.random()
                    removed = owners[others[1]] if rng.random() < 0.2 else None
                    membership(others[1], user, "member", since, left, removed)
        counts["teams_membership"] = rows
    return {"counts": counts, "joined": {u: (now - t).total_seconds() for u, t in joined.items()}}


# Globals the worker processes inherit (fork): set by `seed` just before the workers start.
_SHARED: dict = {}


def _worker(index: int, shard: tuple, results) -> None:
    """Generate and COPY the interviews and responses of one range of users."""
    try:
        results.put((index, _generate(shard)))
    except BaseException as error:  # reported to the parent, which fails the seed
        results.put((index, repr(error)))
        raise


class _Generator:
    """Interviews and responses of a range of users, written to two COPY streams."""

    def __init__(self, shard: tuple, write_interview, write_response):
        lo, _, self.interview_id, self.response_id = shard
        s = _SHARED
        self.args, self.now, self.joined = s["args"], s["now"], s["joined"]
        self.counts, self.kinds, self.sizes = s["counts"], s["kinds"], s["sizes"]
        self.write_interview, self.write_response = write_interview, write_response
        self.rng = random.Random(self.args.seed * 1_000_003 + lo)
        bank = s["bank"]
        # Tags by index, in the order topic scores list them (position, then slug).
        tags = sorted(bank.tags, key=lambda t: (t["position"], t["slug"]))
        self.slugs = [t["slug"] for t in tags]
        self.tag_order = range(len(tags))
        index = {slug: i for i, slug in enumerate(self.slugs)}
        # Topic-score JSON up to the count: '{"slug": ..., "name_zh": ..., ..., "count": '
        self.prefix = [
            json.dumps(
                {"slug": t["slug"], "name_zh": t["name_zh"], "name_en": t["name_en"]},
                ensure_ascii=False,
            )[:-1]
            + ', "count": '
            for t in tags
        ]
        self.q_tags = [tuple(index[t] for t in q["tags"] if t in index) for q in bank.questions]
        self.questions = [
            (q["id"], q["version"], q["text"], q["variants"], tags)
            for q, tags in zip(bank.questions, self.q_tags, strict=True)
        ]
        self.q_range = range(len(self.questions))
        self.next_interview = sum(self.counts[:lo])  # index into kinds and sizes
        self.done = {"interviews": 0, "responses": 0, "states": defaultdict(int)}
        self.last_login: list[tuple] = []
        self.scores: dict[tuple, bytes] = {}  # interview scores, encoded

    def user(self, user: int) -> None:
        n = self.counts[user - 1]
        if not n:
            return
        self.user_id = user
        rng, now = self.rng, self.now
        ability = rng.uniform(0.25, 0.85)
        offset = [rng.gauss(0, 0.12) for _ in self.slugs]
        skill = [
            ability + (sum(offset[t] for t in tags) / len(tags) if tags else 0.0)
            for tags in self.q_tags
        ]
        # Finishing times (seconds before now) after the user joined, leaning towards today;
        # then, newest first, pushed apart so that each interview ends before the next begins.
        since = min(self.joined[user], self.args.days * 86400) - 3600
        ends = sorted(since * rng.random() ** 1.5 for _ in range(n))
        first = self.next_interview
        self.next_interview += n
        latest = now - timedelta(seconds=60)
        timeline = []
        for k, seconds in enumerate(ends):
            kind, size = self.kinds[first + k], self.sizes[first + k]
            mode, _, minutes, _ = KINDS[kind]
            length = timedelta(minutes=minutes or 2 * size)
            finished = min(now - timedelta(seconds=seconds), latest)
            timeline.append((size, mode, minutes, length, finished))
            latest = finished - length - timedelta(minutes=rng.randint(11, 90))
        for plan in reversed(timeline):
            self.interview(skill, *plan)
        self.last_login.append((user, timeline[0][4]))

    def interview(self, skill, size, mode, minutes, length, finished) -> None:
        """One interview and its responses; the inner loop runs ten million times at full size."""
        rng = self.rng
        random = rng.random
        timed = minutes is not None
        roll = random()
        if timed:
            state = "finished" if roll < 0.88 else "timed_out" if roll < 0.96 else "abandoned"
        else:
            state = "finished" if roll < 0.93 else "abandoned"
        timed_out = state == "timed_out"
        # Where the candidate stopped: after the last question, or part-way.
        stop = size if state == "finished" else rng.randint(1, max(1, size - 1))
        # Whole seconds per question, within the time limit (practice: a loose budget).
        budget = int(length.total_seconds() * (0.95 if timed else 1.5))
        top = max(21, 2 * budget // size)
        spans = [20 + int(random() * (top - 20)) for _ in range(size)]
        busy = sum(spans[:stop])
        if busy > budget:
            spans = [x * budget // busy for x in spans]
            busy = sum(spans[:stop])
        if timed_out:  # finished when the page was next opened, after the deadline
            started = finished - length - SECONDS[1 + int(random() * 600)]
        else:
            started = finished - SECONDS[busy + 5 + int(random() * 55)]
        tab = f"{rng.getrandbits(64):016x}"
        iid, rid = self.interview_id, self.response_id
        write, questions = self.write_response, self.questions
        clock = started
        total = 0
        sums = [0] * len(self.slugs)
        counts = [0] * len(self.slugs)
        for position, qi in enumerate(rng.sample(self.q_range, size)):
            question_id, version_id, text_pool, variants, tag_indexes = questions[qi]
            if position < stop:
                spent = SECONDS[spans[position]]
                seen = clock
                clock += spent
                answered, drafted = random() < 0.95, False
            else:
                seen = clock if position == stop else None
                answered = False
                drafted = timed_out and position == stop and random() < 0.6
            points = 0
            if answered or drafted:
                if variants and answered and random() < 0.3:
                    which = int(random() * len(variants))
                    pool, form = variants[which], VARIANT_FORMS[which]
                else:
                    pool, form = text_pool, "text"
                # Skill in the question's topics, give or take: picks the score level.
                q = skill[qi] + (random() + random() - 1.0) * 0.35
                q = 0.0 if q < 0 else 1.0 if q > 1 else q
                level = pool[int(q * (len(pool) - 1) + 0.5)]
                outcome = level[int(random() * len(level))] if len(level) > 1 else level[0]
                score, points, answer, hit, missed, reasons = outcome
                text, value = (answer, None) if form == "text" else ("", answer)
                assess = ""
                if (not timed or random() < 0.1) and random() < 0.4:
                    assess = "knew" if points >= 7500 else "partly" if points >= 4000 else "not"
                if drafted:  # scored from the autosaved draft when time ran out
                    saved = seen + SECONDS[10 + int(random() * 50)]
                    row = (rid, iid, position, question_id, version_id, "text", text, saved,
                           text, None, seen, None, None, False, 1, tab, score, hit, missed,
                           reasons, True, assess)  # fmt: skip
                else:
                    saved, revision = None, 1
                    if form == "text" and random() < 0.5:  # an autosaved draft came first
                        saved, revision = seen + SECONDS[spans[position] * 3 // 5], 2
                    row = (rid, iid, position, question_id, version_id, form, text, saved,
                           text, value, seen, clock, spent, random() < 0.03, revision, tab,
                           score, hit, missed, reasons, False, assess)  # fmt: skip
                total += points
            else:
                row = (rid, iid, position, question_id, version_id, "text", "", None, "", None,
                       seen, None, None, False, 0, "", None, EMPTY, EMPTY, EMPTY, False,
                       "")  # fmt: skip
            write(row)
            for tag in tag_indexes:
                sums[tag] += points
                counts[tag] += 1
            rid += 1
        score = self.scores.get((total, size))
        if score is None:
            exact = (Decimal(total) / size / 10_000).quantize(Decimal("0.0001"))
            score = self.scores[total, size] = wire_numeric(exact)
        # As interviews.services.topic_scores: topics in tag order, mean score of each.
        topics = ", ".join(
            f'{self.prefix[tag]}{counts[tag]}, "score": {round(sums[tag] / counts[tag] / 1e4, 4)}}}'
            for tag in self.tag_order
            if counts[tag]
        )
        self.write_interview(
            (iid, self.user_id, mode, size, length if timed else None, started,
             started + length if timed else None, finished, state,
             size - 1 if stop == size else stop, score, f"\x01[{topics}]".encode(),
             uuid.UUID(int=rng.getrandbits(128)))
        )  # fmt: skip
        self.done["states"][state] += 1
        self.done["interviews"] += 1
        self.done["responses"] += size
        self.interview_id += 1
        self.response_id = rid


def _generate(shard: tuple) -> dict:
    url = _SHARED["url"]
    with psycopg.connect(url) as r_conn, psycopg.connect(url) as i_conn:
        for conn in (r_conn, i_conn):
            bulk_session(conn)
        response_wire = ("answer_value", "auto_score", "hit", "missed", "reasons")
        with (
            copy_binary(r_conn, "interviews_response", RESPONSE_COLUMNS, response_wire) as r_copy,
            copy_binary(
                i_conn, "interviews_interview", INTERVIEW_COLUMNS, ("score", "topic_scores")
            ) as i_copy,
        ):
            generator = _Generator(shard, i_copy.write_row, r_copy.write_row)
            for user in range(shard[0] + 1, shard[1] + 1):
                generator.user(user)
        server = sum(backend_cpu(conn) for conn in (r_conn, i_conn))
    return {
        **generator.done,
        "last_login": generator.last_login,
        "cpu": {"python": time.process_time(), "postgres": server},
    }


def backend_cpu(conn) -> float:
    """CPU seconds the connection's server process has used (when the server is local)."""
    try:
        fields = Path(f"/proc/{conn.info.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def load_interviews(url: str, args, bank: Bank, people: dict, schedule: dict, now) -> dict:
    """The interviews and responses, by `args.workers` processes at once."""
    parts = shards(schedule["counts"], schedule["sizes"], max(1, args.workers))
    _SHARED.update(
        url=url,
        args=args,
        bank=bank,
        now=now,
        counts=schedule["counts"],
        kinds=schedule["kinds"],
        sizes=schedule["sizes"],
        joined=people["joined"],
    )
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=_worker, args=(i, part, results), daemon=True)
        for i, part in enumerate(parts)
    ]
    for process in processes:
        process.start()
    outcomes = dict(results.get() for _ in processes)
    for process in processes:
        process.join()
    _SHARED.clear()
    failed = [o for o in outcomes.values() if isinstance(o, str)]
    if failed:
        raise RuntimeError(f"a seeding process failed: {failed[0]}")
    total = {"interviews": 0, "responses": 0, "states": defaultdict(int)}
    total["cpu"] = {"python": 0.0, "postgres": 0.0}
    last_login = []
    for outcome in outcomes.values():
        for side, seconds in outcome["cpu"].items():
            total["cpu"][side] = round(total["cpu"][side] + seconds, 1)
        total["interviews"] += outcome["interviews"]
        total["responses"] += outcome["responses"]
        for state, n in outcome["states"].items():
            total["states"][state] += n
        last_login.extend(outcome.get("last_login", []))
    total["states"] = dict(total["states"])
    total["last_login"] = last_login
    return total


# --- Timing --------------------------------------------------------------------------------------


class Steps:
    """Named, timed steps with the rows they produced; printed as they end."""

    def __init__(self):
        self.rows: list[dict] = []

    def run(self, name: str, action, rows=None):
        print(f"… {name}", flush=True)
        started = time.perf_counter()
        value = action()
        seconds = time.perf_counter() - started
        count = rows(value) if callable(rows) else rows
        entry = {"step": name, "seconds": round(seconds, 2)}
        if count:
            entry["rows"] = count
            entry["rows_per_s"] = round(count / seconds) if seconds else None
        self.rows.append(entry)
        extra = f"  ({count:,} rows, {count / seconds:,.0f} rows/s)" if count and seconds else ""
        print(f"  {seconds:8.1f} s{extra}", flush=True)
        return value

    def table(self) -> str:
        lines = [f"{'step':<58} {'seconds':>8} {'rows':>12} {'rows/s':>10}"]
        for entry in self.rows:
            rows = f"{entry['rows']:,}" if entry.get("rows") else ""
            rate = f"{entry['rows_per_s']:,}" if entry.get("rows_per_s") else ""
            lines.append(f"{entry['step']:<58} {entry['seconds']:>8.1f} {rows:>12} {rate:>10}")
        return "\n".join(lines)


def fixture_digest() -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted((ROOT / "fixtures").glob("*.json"))
    }


# --- The whole seed ------------------------------------------------------------------------------


def measure_main(args: argparse.Namespace, measure) -> None:
    """The main of the measuring scripts (dashboard.py, leaderboard.py): seed unless --reuse,
    run `measure(args)` under Django, print it and write it to --json with the load average."""
    point_django_at(args.database)
    started = time.perf_counter()
    seeded = None
    if args.reuse:
        if not database_exists(args.database):
            raise SystemExit(f"No database {args.database}: run bench/seed.py first.")
        print(f"Reusing {args.database}, as bench/seed.py left it.")
    else:
        seeded = seed(args)

    import django

    django.setup()
    report = {"measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), **measure(args)}
    # Other work on the machine slows the requests: the load when the measurement ended.
    report["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(f"Load average {report['load_average']} on {os.cpu_count()} CPUs")
    if seeded:
        report["seed"] = seeded
    print(f"\nTotal {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"Wrote {args.json}")


def seed(args: argparse.Namespace) -> dict:
    """Create, fill and (unless args.skip_aggregates) aggregate the bench database.

    `args` needs the flags of `add_arguments` (after `resolve_size`). Returns the report that
    `--json` writes."""
    url = point_django_at(args.database)
    started = time.perf_counter()
    steps = Steps()
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(microsecond=0)
    load_start = [round(x, 1) for x in os.getloadavg()]
    print(
        f"Seeding {args.database}: {args.users:,} users, {args.teams:,} teams, "
        f"{args.responses:,} responses over {args.days} days, {args.workers} processes, "
        f"{'COPY into unlogged tables' if args.load_unlogged else 'COPY into logged tables'}",
        flush=True,
    )
    steps.run("drop and create the database", lambda: create_database(args.database))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    steps.run("migrate", lambda: call_command("migrate", verbosity=0))
    before = fixture_digest()
    steps.run(
        "import the document (import_document --no-fixtures)",
        lambda: call_command("import_document", no_fixtures=True, stdout=io.StringIO()),
    )
    if fixture_digest() != before:
        raise SystemExit("import_document changed fixtures/*.json: it must not.")
    bank = steps.run("score the answers of every question (the bank's outcomes)", load_bank)
    schedule = steps.run("plan the interviews", lambda: plan(args, rng))
    connection.close()

    with psycopg.connect(url, autocommit=True) as conn:
        rebuild = steps.run(
            "drop the loaded tables' indexes and keys",
            lambda: drop_indexes_and_keys(conn, LOADED_TABLES),
        )
        if args.load_unlogged:
            for table in LOADED_TABLES:
                conn.execute(f"ALTER TABLE {table} SET UNLOGGED")

    people = steps.run(
        "COPY users, profiles, teams, memberships",
        lambda: load_people(url, args, now, rng),
        rows=lambda p: sum(p["counts"].values()),
    )
    loaded = steps.run(
        f"generate + COPY interviews and responses ({args.workers} processes)",
        lambda: load_interviews(url, args, bank, people, schedule, now),
        rows=lambda t: t["interviews"] + t["responses"],
    )
    with psycopg.connect(url, autocommit=True) as conn:
        bulk_session(conn)

        def last_logins():
            with conn.cursor().copy("COPY pg_temp.last_login (id, at) FROM STDIN") as copy:
                for row in loaded["last_login"]:
                    copy.write_row(row)

        conn.execute("CREATE TEMPORARY TABLE last_login (id bigint, at timestamptz)")
        last_logins()
        conn.execute(
            "UPDATE auth_user u SET last_login = l.at FROM pg_temp.last_login l WHERE u.id = l.id"
        )
    if args.load_unlogged:

        def set_logged():
            with psycopg.connect(url, autocommit=True) as conn:
                for table in LOADED_TABLES:
                    conn.execute(f"ALTER TABLE {table} SET LOGGED")

        steps.run("SET LOGGED the loaded tables (rewrites them into the WAL)", set_logged)
    rebuilt = steps.run(
        f"rebuild {len(rebuild)} indexes and keys",
        lambda: rebuild_indexes_and_keys(url, rebuild, max(1, args.workers)),
    )
    for timing in rebuilt[:8]:
        print(f"  {timing['seconds']:8.1f} s  {timing['statement'][:86]}")
    with psycopg.connect(url, autocommit=True) as conn:
        for table in LOADED_TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        steps.run(
            "VACUUM ANALYZE the loaded tables",
            lambda: conn.execute(f"VACUUM ANALYZE {', '.join(LOADED_TABLES)}"),
        )

    if not args.skip_aggregates:
        aggregate(steps)

    report = {
        "database": args.database,
        "preset": args.preset,
        "parameters": {
            "users": args.users,
            "teams": args.teams,
            "responses": args.responses,
            "days": args.days,
            "seed": args.seed,
            "workers": args.workers,
            "load_unlogged": args.load_unlogged,
            "aggregates": not args.skip_aggregates,
        },
        "interview_states": loaded["states"],
        "load_cpu_seconds": loaded["cpu"],
        "rebuild_seconds": rebuilt,
        "steps": steps.rows,
        "tables": table_sizes(url),
        "total_seconds": round(time.perf_counter() - started, 1),
        # Other work on the machine slows every step: the load when the seed began and ended.
        "load_average": {"start": load_start, "end": [round(x, 1) for x in os.getloadavg()]},
    }
    print("\n" + steps.table())
    print("\nTables:")
    for name, info in report["tables"].items():
        logged = "" if info["logged"] else "  UNLOGGED"
        print(f"  {name:28} {info['rows']:>12,} rows  {info['size']:>9}{logged}")
    print(f"Interview states: {loaded['states']}")
    cpu = loaded["cpu"]
    print(
        f"CPU of the interview and response load: {cpu['python']:.0f} s in the generating "
        f"processes, {cpu['postgres']:.0f} s in their PostgreSQL backends"
    )
    print(
        f"Total {report['total_seconds']:.0f} s (load average {load_start[0]} at the start, "
        f"{report['load_average']['end'][0]} at the end, on {os.cpu_count()} CPUs)"
    )
    return report


def aggregate(steps: Steps) -> None:
    """Rebuild the maintained aggregates with the project's own code, timing each part."""
    from django.core.management import call_command
    from django.db import connection

    from progress.recompute import recompute_aggregates, recompute_cards

    def count(tables):
        with connection.cursor() as cursor:
            total = 0
            for table in tables:
                cursor.execute(f"SELECT count(*) FROM {table}")
                total += cursor.fetchone()[0]
        return total

    steps.run(
        "progress aggregates (recompute_aggregates)",
        recompute_aggregates,
        rows=lambda _: count(AGGREGATE_TABLES[:6]),
    )
    steps.run("cards, FSRS replay (recompute_cards)", recompute_cards, rows=lambda n: n)
    out = io.StringIO()
    steps.run(
        "team daily stats (recompute_team_stats)",
        lambda: call_command("recompute_team_stats", stdout=out),
        rows=lambda _: count(["teams_dailystat"]),
    )

    def vacuum():
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(AGGREGATE_TABLES)}")

    steps.run("VACUUM ANALYZE the aggregates", vacuum)
    connection.close()


def table_sizes(url: str) -> dict:
    sizes = {}
    with psycopg.connect(url) as conn:
        for table in LOADED_TABLES + AGGREGATE_TABLES:
            rows, size, persistence = conn.execute(
                f"SELECT (SELECT count(*) FROM {table}), pg_total_relation_size('{table}'), "
                f"relpersistence FROM pg_class WHERE oid = '{table}'::regclass"
            ).fetchone()
            sizes[table] = {
                "rows": rows,
                "bytes": size,
                "size": f"{size / 2**20:,.0f} MB",
                "logged": persistence == "p",
            }
    return sizes


def write_json(path: Path | None, report: dict) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {path}")


def main() -> None:
    args = parse_args()
    report = seed(args)
    write_json(args.json, report)


if __name__ == "__main__":
    main()
