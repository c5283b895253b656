"""The load test in one command: seed, serve, measure, profile, write bench/RESULTS.md.

    .venv/bin/python bench/run.py            # full size (about 10 minutes after seeding)
    .venv/bin/python bench/run.py --smoke    # seconds per phase, for CI; bench/results/smoke/
    .venv/bin/python bench/run.py --reuse    # measure again on the existing bench database
    .venv/bin/python bench/run.py --render   # only rewrite RESULTS.md from the JSON files

1. Seeds the database `quizsite_bench_load` (on the server of DATABASE_URL) with bench/seed.py
   (`--small` for the full run, `--smoke` for the smoke run); without bench/seed.py, or if it
   fails, creates the database itself: migrate and the question bank from fixtures/.
2. Counts the queries of every page (bench/queries.py).
3. Starts gunicorn as `make serve` does (DEBUG=false, static files collected, 5 workers: the
   README's recommendation for 2 cores) on 127.0.0.1:8011 against that database, with
   BENCH_CEILINGS=1 (the /__bench__/ ceiling views), SECURE_SSL_REDIRECT=false (plain http on
   localhost), REDIS_URL (shared rate-limit counters, as in production) and the per-user rate
   limits raised far above the load test's pace (RATE_LIMIT_*), then waits for /healthz.
4. Runs bench/load.py against it (bench/results/load.json).
5. Unless --no-profile: py-spy samples the gunicorn workers during a closed-loop run of the
   draft autosave, the answer submit and the synchronised start (bench/results/load-profile.json).
6. Stops gunicorn and writes bench/RESULTS.md from every JSON file in bench/results/ (the seed,
   dashboard and leaderboard benchmarks' files too, when present).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
WORKERS = 5  # README: `make serve` runs 5 workers, the recommendation for 2 cores
PORT = 8011
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH"
TARGETS = {
    "ratio": 0.5,  # submit and autosave >= 50 % of the trivial view's throughput
    "p95": 50.0,  # ms, at half the maximum rate
    "p99": 150.0,
    "sync_p95": 2000.0,
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="seconds per phase (CI)")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--render", action="store_true", help="only write RESULTS.md")
    parser.add_argument(
        "--database", help="default quizsite_bench_load (smoke: quizsite_bench_load_smoke)"
    )
    parser.add_argument("--seed-size", choices=["smoke", "small", "full"], default=None)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--sync-users", type=int, default=None)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--note", default="", help="a line for RESULTS.md (e.g. other load)")
    return parser.parse_args()


def database_url(name: str) -> str:
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/quizsite"))
    return urlunsplit(base._replace(path=f"/{name}"))


def redis_url() -> str | None:
    """Redis for the rate-limit counters, as in production; None when it does not answer."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2):
            return url
    except OSError:
        print(f"   {url} does not answer: rate limits counted per worker", flush=True)
        return None


def server_env(args) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(args.database),
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", SECRET),
        "SECURE_SSL_REDIRECT": "false",
        "BENCH_CEILINGS": "1",
        "RATE_LIMIT_STARTS_PER_HOUR": "1000000",
        "RATE_LIMIT_ANSWERS_PER_MINUTE": "1000000",
        "RATE_LIMIT_DRAFTS_PER_MINUTE": "1000000",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    if url := redis_url():
        env["REDIS_URL"] = url
    return env


def step(message: str) -> None:
    print(f"== {message}", flush=True)


def run(command: list[str], env=None, check=True, **kwargs) -> subprocess.CompletedProcess:
    print("   $ " + " ".join(str(c) for c in command), flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, check=check, **kwargs)


# --- seeding ----------------------------------------------------------------------------


def seed(args, out: Path) -> None:
    size = args.seed_size or ("smoke" if args.smoke else "small")
    env = {**os.environ, "DATABASE_URL": database_url(args.database)}
    if (BENCH / "seed.py").exists():
        flags = [] if size == "full" else [f"--{size}"]
        command = [PY, "bench/seed.py", "--database", args.database, *flags]
        # load-seed.json: seed.json is bench/seed.py's own report of quizsite_bench.
        result = run([*command, "--json", str(out / "load-seed.json")], check=False)
        if result.returncode == 0:
            return
        print("   bench/seed.py failed: creating the database without it", flush=True)
    else:
        print("   no bench/seed.py: migrate and load the question bank", flush=True)
    maintenance = database_url("postgres")
    name = args.database
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name == urlsplit(maintenance).path[1:]:
        raise SystemExit(f"refusing to recreate database {name!r}")
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    run([PY, "manage.py", "migrate", "--no-input", "-v0"], env=env)
    run([PY, "manage.py", "loaddata", "tags", "questions", "-v0"], env=env)


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


# --- the server -------------------------------------------------------------------------


def start_server(args, env: dict, log: Path) -> subprocess.Popen:
    command = [
        str(Path(PY).parent / "gunicorn"),
        "quizsite.wsgi",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
    ]
    print("   $ " + " ".join(command), flush=True)
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2) as r:
                if r.status == 200:
                    time.sleep(1)  # every worker booted
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- profiles ---------------------------------------------------------------------------

CATEGORIES = [
    # (name, substrings of a frame's file), tested from the innermost frame outwards
    ("scoring (jieba, OpenCC, interviews/scoring.py)", ("jieba/", "opencc", "interviews/scoring")),
    ("waiting for Postgres (psycopg)", ("psycopg/", "psycopg_binary")),
    ("SQL compilation (Django ORM)", ("django/db/models/sql/", "django/db/models/expressions")),
    ("model instances (Django ORM)", ("django/db/models/base.py", "django/db/models/query.py")),
    ("template rendering", ("django/template/", "django/utils/html", "django/utils/safestring")),
    ("Markdown and MathML", ("markdown_it", "mdit_py_plugins", "latex2mathml", "questions/markup")),
    ("logging", ("logging/",)),
    ("sessions, signing, auth", ("django/contrib/sessions", "django/core/signing", "contrib/auth")),
    ("redis (rate limit)", ("redis/", "django/core/cache")),
    ("URL resolving, middleware", ("django/urls/", "django/middleware", "django_htmx")),
    ("request and response objects", ("django/http/", "django/core/handlers", "gunicorn/")),
]
PROJECT = ("interviews/", "questions/", "progress/", "teams/", "accounts/", "quizsite/")


def _frame_file(frame: str) -> str:
    match = re.search(r"\(([^()]*?)(?::\d+)?\)$", frame)
    return match.group(1) if match else ""


def summarise_profile(path: Path, label: str) -> dict:
    """py-spy's raw (collapsed) stacks of the workers, within request handling only."""
    categories = Counter()
    inclusive = Counter()
    leaf = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if "handle_request (gunicorn/workers/sync.py" not in stack:
            continue
        count = int(count)
        frames = stack.split(";")
        start = next(i for i, f in enumerate(frames) if f.startswith("SyncWorker.handle_request"))
        frames = [re.sub(r":\d+\)$", ")", f) for f in frames[start + 1 :]]
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        if frames:
            leaf[frames[-1]] += count
        for frame in reversed(frames):
            file = _frame_file(frame)
            name = next((n for n, keys in CATEGORIES if any(k in file for k in keys)), None)
            if name:
                categories[name] += count
                break
        else:
            categories["other"] += count

    def pct(value):
        return round(100 * value / total, 1) if total else 0.0

    project = [(f, n) for f, n in inclusive.most_common() if _frame_file(f).startswith(PROJECT)]
    return {
        "label": label,
        "samples": total,
        "categories": {k: pct(v) for k, v in categories.most_common()},
        "project_inclusive": [[f, pct(n)] for f, n in project[:15]],
        "all_inclusive": [[f, pct(n)] for f, n in inclusive.most_common(40)][:40],
        "self": [[f, pct(n)] for f, n in leaf.most_common(15)],
    }


def profile(args, env: dict, server: subprocess.Popen, out: Path) -> None:
    spy = str(Path(PY).parent / "py-spy")
    if not Path(spy).exists():
        print("   py-spy is not installed: no profiles", flush=True)
        return
    results = {}
    sync_users = str(args.sync_users or (20 if args.smoke else 500))
    for only, label in (
        ("draft", "draft autosave, closed loop"),
        ("submit", "answer submit, closed loop"),
        ("sync", "synchronised start"),
    ):
        recorders = {}
        for mode, flags in (("wall", []), ("gil", ["--gil"])):
            raw = out / f"profile-{only}-{mode}.txt"
            recorders[mode] = (
                raw,
                subprocess.Popen(
                    [spy, "record", "--pid", str(server.pid), "--subprocesses", "--format"]
                    + ["raw", "--rate", "250", "--nonblocking", "--duration", "600", "-o"]
                    + [str(raw), *flags],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                ),
            )
        time.sleep(1.5)
        command = [PY, "bench/load.py", "--base-url", f"http://127.0.0.1:{args.port}"]
        command += ["--database", args.database, "--only", only, "--sync-users", sync_users]
        command += ["--json", str(out / f"profile-{only}-load.json")]
        run(command + (["--smoke"] if args.smoke else []), env=env, check=False)
        for mode, (raw, recorder) in recorders.items():
            recorder.send_signal(signal.SIGINT)
            recorder.wait(timeout=60)
            if raw.exists():
                suffix = ", wall clock" if mode == "wall" else ", holding the GIL (CPU in Python)"
                results[f"{only} {mode}"] = summarise_profile(raw, label + suffix)
                raw.unlink()
        (out / f"profile-{only}-load.json").unlink(missing_ok=True)
    (out / "load-profile.json").write_text(json.dumps(results, indent=2) + "\n")


# --- RESULTS.md ---------------------------------------------------------------------------


def load_json(out: Path) -> dict[str, dict]:
    files = {}
    for path in sorted(out.glob("*.json")):
        try:
            files[path.stem] = json.loads(path.read_text())
        except json.JSONDecodeError:
            continue
    return files


def fmt(value, digits=1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**MISS**"


def ratio(a, b) -> str:
    return f"{a / b:.2f}" if a is not None and b else "–"


def cpu_per_request(phases: dict) -> list[dict]:
    """For each closed-loop maximum ("max ..." phases with a throughput and CPU): ms of one core
    per request by part (the CPU's % of a core over req/s, times 10), and the trivial view's
    total over this one's (None without a trivial phase)."""
    rows = []
    for name, phase in phases.items():
        cpu, throughput = phase.get("cpu"), phase.get("throughput")
        if not name.startswith("max ") or not cpu or not throughput:
            continue

        parts = {
            "generator": ("generator_pct_of_core", "generator_children_pct_of_core"),
            "gunicorn": ("gunicorn_pct_of_core",),
            "postgres": ("postgres_pct_of_core",),
            "other": ("other_pct_of_core",),
            "all": ("machine_busy_pct_of_core",),
        }
        row = {"name": name.removeprefix("max ")}
        for part, keys in parts.items():
            row[part] = sum(cpu.get(key, 0.0) for key in keys) * 10 / throughput
        rows.append(row)
    trivial = next((row["all"] for row in rows if row["name"] == "trivial"), None)
    for row in rows:
        row["ratio"] = trivial / row["all"] if trivial and row["all"] else None
    return rows


def render(out: Path, target: Path, note: str = "") -> None:
    files = load_json(out)
    load = files.get("load", {})
    phases = load.get("phases", {})
    lines: list[str] = []
    add = lines.append

    def header(columns: list[str]) -> None:
        add("| " + " | ".join(columns) + " |")
        add("|" + " --- |" * len(columns))

    def cells(*values) -> None:
        add("| " + " | ".join(str(v) for v in values) + " |")

    meta = files.get("load-run", {})
    add("# Benchmark results")
    add("")
    add(
        f"Written by `bench/run.py`{' --smoke' if load.get('size') == 'smoke' else ''} on "
        f"{meta.get('finished', '?')}; commit `{meta.get('commit', '?')}`"
        + (" (with uncommitted changes in the work tree)" if meta.get("dirty") else "")
        + f". Machine: {load.get('machine', {}).get('cpus', '?')} cores. Server: gunicorn, "
        f"{meta.get('workers', '?')} sync workers (the README's recommendation for 2 cores), "
        "`DEBUG=false`, on 127.0.0.1, database "
        f"`{meta.get('database', '?')}`; the load generator runs on the same machine."
    )
    # The seed report of the database measured: run.py's own seed, or bench/seed.py's full one.
    report = next(
        (
            files[name]
            for name in ("load-seed", "seed")
            if files.get(name, {}).get("database") == meta.get("database")
        ),
        {},
    )
    seeded = report.get("parameters", {})
    if seeded:
        add("")
        add(
            f"The database was filled by bench/seed.py (`--{report.get('preset')}`): "
            f"{fmt(seeded.get('users'))} users, {fmt(seeded.get('teams'))} teams, "
            f"{fmt(seeded.get('responses'))} answers of past interviews."
        )
    if meta.get("note") or note:
        add("")
        add(f"Note: {meta.get('note') or note}")
    machine = load.get("machine", {})
    if machine:
        add("")
        add(
            "Load average (1, 5, 15 min) before the load test: "
            f"{machine.get('load_average_before')}, after: {machine.get('load_average_after')}. "
            "Where *other* CPU below is high, other jobs on the machine disturbed the phase."
        )
    add("")

    def step_row(name):
        phase = phases.get(f"max {name}", {})
        return phase.get("steps", {}).get(name, {})

    trivial = step_row("trivial")
    pk = step_row("pk")

    def round_ratios(row) -> str:
        """The step's throughput over the trivial view's in each round (windows next to each
        other in time), lowest to highest; empty for a run without rounds."""
        pairs = list(zip(row.get("rounds", []), trivial.get("rounds", []), strict=False))
        shares = sorted(step / base for step, base in pairs if base)
        if len(shares) < 2:
            return ""
        return f"; per round {shares[0]:.0%}–{shares[-1]:.0%}, median {median(shares):.0%}"

    raw = phases.get("raw sql submit", {})
    half = {
        name: phases.get(f"half {name}", {}).get("steps", {}).get(name, {})
        for name in ("trivial", "pk", "question", "draft", "submit")
    }

    # targets ---------------------------------------------------------------------------
    add("## Targets")
    add("")
    header(["target", "measured", "verdict"])
    for name, label in (("submit", "answer submit"), ("draft", "draft autosave")):
        row = step_row(name)
        if row and trivial:
            share = row["throughput"] / trivial["throughput"]
            add(
                f"| {label} ≥ 50 % of the trivial view's throughput | {row['throughput']:.1f} / "
                f"{trivial['throughput']:.1f} req/s = {share:.0%}{round_ratios(row)} | "
                f"{verdict(share >= TARGETS['ratio'])} |"
            )
    for name in ("question", "draft", "submit"):
        row = half.get(name)
        if row:
            ok = row["p95"] <= TARGETS["p95"] and row["p99"] <= TARGETS["p99"]
            add(
                f"| {name}, alone at half its maximum rate: p95 ≤ 50 ms, p99 ≤ 150 ms | "
                f"p95 {row['p95']:.1f} ms, p99 {row['p99']:.1f} ms | {verdict(ok)} |"
            )
    flow = phases.get("half flow", {})
    for name, row in flow.get("steps", {}).items():
        ok = row["p95"] <= TARGETS["p95"] and row["p99"] <= TARGETS["p99"]
        add(
            f"| flow step {name}, at half the flow's maximum rate: p95 ≤ 50 ms, p99 ≤ 150 ms | "
            f"p95 {row['p95']:.1f} ms, p99 {row['p99']:.1f} ms | {verdict(ok)} |"
        )
    sync = phases.get("sync start", {})
    if sync:
        row = sync["steps"].get("start", {})
        dup = sync.get("database", {})
        ok = sync["errors"] == 0 and row.get("p95", 1e9) <= TARGETS["sync_p95"]
        add(
            f"| synchronised start of {sync.get('users')} users within 1 s: 0 errors, p95 ≤ 2 s "
            f"| {sync['errors']} errors, p95 {fmt(row.get('p95'))} ms | {verdict(ok)} |"
        )
        ok = dup.get("duplicates") == 0 and dup.get("users_with_more_than_one_open") == 0
        add(
            f"| no duplicate interviews after the synchronised start | "
            f"{dup.get('duplicates')} users with more than one | {verdict(ok)} |"
        )
    twice = phases.get("sync start, each start sent twice", {})
    if twice:
        dup = twice.get("database", {})
        ok = dup.get("duplicates") == 0 and twice["errors"] == 0
        add(
            f"| each start sent twice at once: one interview per user, same answer | "
            f"{dup.get('duplicates')} duplicates, {twice.get('users_whose_replies_agree')} of "
            f"{twice.get('users')} users got the same interview twice, {twice['errors']} "
            f"errors | {verdict(ok)} |"
        )
    add("")

    # ceilings and steps ---------------------------------------------------------------
    add("## Maximum throughput (closed loop) and ratios to the ceilings")
    add("")
    first = phases.get("max trivial", {})
    rounds = first.get("rounds")
    add(
        f"{first.get('concurrency')} users send back to back for "
        f"{fmt(first.get('duration_s'))} s per row, each with its own session and open "
        "interview"
        + (
            f", in {rounds} rounds: each round gives every row in turn a window of "
            f"{fmt(first.get('duration_s') / rounds)} s after a warm-up of "
            f"{fmt(first.get('warmup_s'))} s (not counted), so that the machine's drift over "
            "the minute weighs on every row alike"
            if rounds and rounds > 1
            else ""
        )
        + ". Ceilings: `/__bench__/trivial/` "
        "(full middleware stack, session and user loaded: 2 queries), `/__bench__/pk/` (plus one "
        "primary-key SELECT: 3 queries), and the raw SQL of an answer submit in a psycopg loop "
        f"on {raw.get('connections', '?')} connections ({raw.get('statements_per_submit', '?')} "
        "statements, the app's own, prepared: the session, the user with the profile, the "
        "interview with its responses, the answer with the move to the next question; no "
        "scoring, no template)."
    )
    add("")
    header(
        [
            "request",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "÷ trivial",
            "÷ pk",
            "÷ raw SQL",
            "errors",
        ]
    )
    if raw:
        add(
            f"| raw SQL of a submit (psycopg) | {fmt(raw['throughput'])} | {fmt(raw['p50'], 2)} | "
            f"{fmt(raw['p95'], 2)} | {fmt(raw['p99'], 2)} | "
            f"{ratio(raw['throughput'], trivial.get('throughput'))} | "
            f"{ratio(raw['throughput'], pk.get('throughput'))} | 1.00 | 0 |"
        )
    for variant in ("one transaction", "synchronous_commit off"):
        other = phases.get(f"raw sql submit, {variant}")
        if other:
            cells(
                f"raw SQL of a submit, {variant}",
                fmt(other["throughput"]),
                fmt(other["p50"], 2),
                fmt(other["p95"], 2),
                fmt(other["p99"], 2),
                ratio(other["throughput"], trivial.get("throughput")),
                ratio(other["throughput"], pk.get("throughput")),
                ratio(other["throughput"], raw.get("throughput")),
                0,
            )
    for name, label in (
        ("trivial", "trivial view"),
        ("pk", "primary-key view"),
        ("question", "question page (moving through the questions)"),
        ("draft", "draft autosave (htmx)"),
        ("submit", "answer submit (htmx, scored, next question's panel)"),
    ):
        row = step_row(name)
        if not row:
            continue
        add(
            f"| {label} | {fmt(row['throughput'])} | {fmt(row['p50'])} | {fmt(row['p95'])} | "
            f"{fmt(row['p99'])} | {ratio(row['throughput'], trivial.get('throughput'))} | "
            f"{ratio(row['throughput'], pk.get('throughput'))} | "
            f"{ratio(row['throughput'], raw.get('throughput'))} | {row['errors']} |"
        )
    add("")

    add("## Half the maximum rate (open loop, constant throughput)")
    add("")
    add(
        "Requests due on a fixed timetable at half the step's maximum; latency counted from the "
        "time each request was due (no coordinated omission). Ratios: the step's percentile "
        "over the trivial view's at its own half rate."
    )
    add("")
    header(
        [
            "request",
            "rate req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "p50 ÷ trivial",
            "p95 ÷ trivial",
            "p99 ÷ trivial",
            "errors",
        ]
    )
    base = half.get("trivial", {})
    for name, row in half.items():
        if not row:
            continue
        rate = phases.get(f"half {name}", {}).get("rate")
        add(
            f"| {name} | {fmt(rate)} | {fmt(row['p50'])} | {fmt(row['p95'])} | {fmt(row['p99'])} | "
            f"{fmt(row['max'])} | {ratio(row['p50'], base.get('p50'))} | "
            f"{ratio(row['p95'], base.get('p95'))} | {ratio(row['p99'], base.get('p99'))} | "
            f"{row['errors']} |"
        )
    add("")

    maxflow = phases.get("max flow", {})
    if maxflow or flow:
        add("## The interview flow")
        add("")
        add(
            "Each virtual user, logged in once, runs interviews of 5 questions as the browser "
            "sends them: GET /interviews/new/, POST a preset (302), GET the interview (302), "
            "GET the first question (full page), then per question 2-3 draft autosaves (htmx "
            "POST with revision and tab) and the submit (htmx POST, whose response is the next "
            "question's panel), POST finish (302), GET review. "
            f"Closed loop ({maxflow.get('concurrency')} users back to back): "
            f"{fmt(maxflow.get('throughput'))} req/s in all, {maxflow.get('errors')} errors. "
            f"Open loop at half that ({fmt(flow.get('rate'))} req/s, {flow.get('users')} users "
            f"on fixed timetables, {fmt(flow.get('duration_s'))} s):"
        )
        add("")
        header(
            [
                "step",
                "req/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "÷ trivial max req/s*",
                "p95 ÷ trivial p95",
                "errors (by status)",
            ]
        )
        for name, row in flow.get("steps", {}).items():
            closed = maxflow.get("steps", {}).get(name, {})
            add(
                f"| {name} | {fmt(row['throughput'])} | {fmt(row['p50'])} | {fmt(row['p95'])} | "
                f"{fmt(row['p99'])} | {fmt(row['max'])} | "
                f"{ratio(closed.get('throughput'), trivial.get('throughput'))} | "
                f"{ratio(row['p95'], base.get('p95'))} | {row['errors']} "
                f"{row['errors_by_status'] or ''} |"
            )
        add("")
        add(
            "\\* the step's share of the closed-loop flow's throughput over the trivial view's "
            "maximum (the steps share the server, so these add up rather than each being a "
            "maximum)."
        )
        add("")

    login = phases.get("login", {})
    if login:
        rows = login.get("steps", {})
        add("## Login")
        add("")
        add(
            f"{login.get('users')} users log in through the form, {login.get('concurrency')} at "
            "a time (PBKDF2 with Django's 1,500,000 iterations: slow on purpose; timed apart from "
            "the flow, which logs in once per user)."
        )
        add("")
        header(["request", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"])
        for name, row in rows.items():
            add(
                f"| {name} | {fmt(row['throughput'])} | {fmt(row['p50'])} | {fmt(row['p95'])} | "
                f"{fmt(row['p99'])} | {row['errors']} |"
            )
        add("")

    if sync or twice:
        add("## Synchronised start")
        add("")
        add(
            "Users already logged in, each with the start page open (its CSRF cookie and a "
            "preset's start token), POST the preset within one second, evenly spread; then, "
            "their interviews closed, each sends its start twice at the same moment (a double "
            "click). After each burst the database is asked how many interviews each user got."
        )
        add("")
        header(
            [
                "burst",
                "requests",
                "errors",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "interviews created per user",
                "open per user",
            ]
        )
        for label, phase in (("once each", sync), ("twice each, same token", twice)):
            if not phase:
                continue
            row = phase["steps"].get("start", {})
            db = phase.get("database", {})
            add(
                f"| {phase.get('users')} users, {label} | {phase['requests']} | "
                f"{phase['errors']} {row.get('errors_by_status') or ''} | {fmt(row.get('p50'))} | "
                f"{fmt(row.get('p95'))} | {fmt(row.get('p99'))} | {fmt(row.get('max'))} | "
                f"{db.get('users_by_interviews_created')} | {db.get('users_by_open_interviews')} |"
            )
        add("")

    # CPU and memory -------------------------------------------------------------------
    add("## CPU (% of one core) per phase")
    add("")
    add(
        "The generator (this process, getrusage; its child processes only in the raw SQL "
        "phase), the gunicorn master and workers, every Postgres process, and what else the "
        "machine was busy with (other = busy − the rest; 200 % = both cores)."
    )
    add("")
    header(["phase", "generator", "gunicorn", "Postgres", "other", "machine busy"])
    for name, phase in phases.items():
        cpu = phase.get("cpu")
        if not cpu:
            continue
        generator = cpu["generator_pct_of_core"] + cpu["generator_children_pct_of_core"]
        add(
            f"| {name} | {generator:.1f} | {cpu['gunicorn_pct_of_core']:.1f} | "
            f"{cpu['postgres_pct_of_core']:.1f} | {cpu['other_pct_of_core']:.1f} | "
            f"{cpu['machine_busy_pct_of_core']:.1f} |"
        )
    add("")
    per_request = cpu_per_request(phases)
    if per_request:
        add("## CPU per request at the maximum")
        add("")
        add(
            "Each closed loop's CPU above over its throughput: milliseconds of one core that one "
            "request cost each part of the machine. When the machine's CPU is what limits, the "
            "throughputs stand in the inverse ratio of these totals; the last column is the "
            "trivial view's total over the request's, what its throughput ratio would be with "
            "nothing else in the way."
        )
        add("")
        header(["request", "generator", "gunicorn", "Postgres", "other", "all", "trivial ÷ this"])
        for row in per_request:
            share = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
            add(
                f"| {row['name']} | {row['generator']:.2f} | {row['gunicorn']:.2f} | "
                f"{row['postgres']:.2f} | {row['other']:.2f} | {row['all']:.2f} | {share} |"
            )
        add("")
    memory = load.get("worker_memory", [])
    if memory:
        add("## Memory per gunicorn process (after the run)")
        add("")
        header(["process", "RSS MB", "PSS MB", "USS MB"])
        for proc in memory:
            cells(f"{proc['role']} {proc['pid']}", proc["rss_mb"], proc["pss_mb"], proc["uss_mb"])
        workers = [r for r in memory if r["role"] == "worker"]
        if workers:
            add(
                f"| workers' mean | {sum(r['rss_mb'] for r in workers) / len(workers):.1f} | "
                f"{sum(r['pss_mb'] for r in workers) / len(workers):.1f} | "
                f"{sum(r['uss_mb'] for r in workers) / len(workers):.1f} |"
            )
        add("")

    queries = files.get("queries", {})
    if queries:
        add("## Queries per request")
        add("")
        add(
            "Django's test client with CaptureQueriesContext (bench/queries.py), for a user's "
            "second interview (the first records question versions); BEGIN and COMMIT count."
        )
        add("")
        header(["page", "method", "path", "status", "queries"])
        seen = set()
        for page in queries.get("pages", []):
            key = (page["page"], page["queries"])
            if key in seen:
                continue
            seen.add(key)
            cells(
                page["page"], page["method"], f"`{page['path']}`", page["status"], page["queries"]
            )
        add("")

    costs = queries.get("cpu", [])
    if costs:
        add("## CPU per request in the Django process")
        add("")
        add(
            "The same stack in one process through Django's test client (bench/queries.py): "
            "`time.process_time` per request, the median of 40 after a warm-up. Postgres and "
            "Redis run elsewhere, so their work is not in it, nor is gunicorn's. Less disturbed "
            "by other jobs than latencies are; the ratio is what a step costs in trivial views."
        )
        add("")
        header(["request", "CPU ms", "wall ms", "÷ trivial (CPU)"])
        for cost in costs:
            cells(
                cost["request"], fmt(cost["cpu_ms"], 2), fmt(cost["wall_ms"], 2), cost["cpu_ratio"]
            )
        add("")

    profiles = files.get("load-profile", {})
    if profiles:
        add("## Profiles (py-spy, every worker, request handling only)")
        add("")
        for prof in profiles.values():
            add(f"### {prof['label']} ({prof['samples']} samples)")
            add("")
            add("Where the time goes (innermost recognised frame):")
            add("")
            header(["category", "share"])
            for cat, share in prof["categories"].items():
                add(f"| {cat} | {share} % |")
            add("")
            add("Project functions, inclusive:")
            add("")
            header(["function", "share"])
            for func, share in prof["project_inclusive"][:10]:
                add(f"| `{func}` | {share} % |")
            add("")

    extras = files.get("load-findings")
    if extras:
        add("## Findings")
        add("")
        for line in extras.get("lines", []):
            add(line)
        add("")

    for other in ("seed", "dashboard", "leaderboard"):
        data = files.get(other)
        if not data:
            continue
        add(f"## {other}.json (from bench/{other}.py)")
        add("")
        header(["key", "value"])
        for key, value in flatten(data)[:80]:
            add(f"| {key} | {fmt(value, 2)} |")
        add("")

    target.write_text("\n".join(lines).rstrip() + "\n")
    print(f"wrote {target}", flush=True)


def flatten(data, prefix="") -> list[tuple[str, object]]:
    rows = []
    if isinstance(data, dict):
        for key, value in data.items():
            rows += flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        if all(not isinstance(v, dict | list) for v in data):
            rows.append((prefix, ", ".join(str(v) for v in data)))
        else:
            for i, value in enumerate(data):
                rows += flatten(value, f"{prefix}[{i}]")
    else:
        rows.append((prefix, data))
    return rows


# --- the run ----------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    args.database = args.database or (
        "quizsite_bench_load_smoke" if args.smoke else "quizsite_bench_load"
    )
    # A SIGTERM (or a stopped job) still stops gunicorn, through the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = BENCH / "results" / "smoke" if args.smoke else BENCH / "results"
    out.mkdir(parents=True, exist_ok=True)
    target = out / "RESULTS.md" if args.smoke else BENCH / "RESULTS.md"
    if args.render:
        render(out, target, args.note)
        return
    started = time.monotonic()
    env = server_env(args)
    if args.reuse and database_exists(args.database):
        step(f"reusing database {args.database}")
    else:
        step(f"seeding database {args.database}")
        seed(args, out)
    # Production settings serve hashed static file names from the collected manifest: the
    # pages of queries.py need it as much as gunicorn does.
    run([PY, "manage.py", "collectstatic", "--no-input", "-v0"], env=env)
    step("queries per page")
    run(
        [PY, "bench/queries.py", "--database", args.database, "--json", str(out / "queries.json")],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    step(f"gunicorn, {args.workers} workers, on 127.0.0.1:{args.port}")
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-gunicorn-{args.port}.log"
    server = start_server(args, env, log)
    try:
        step("load test")
        command = [PY, "bench/load.py", "--base-url", f"http://127.0.0.1:{args.port}"]
        command += ["--database", args.database, "--gunicorn-pid", str(server.pid)]
        command += ["--workers", str(args.workers), "--json", str(out / "load.json")]
        if args.sync_users:
            command += ["--sync-users", str(args.sync_users)]
        run(command + (["--smoke"] if args.smoke else []), env=env)
        if not args.no_profile:
            step("profiles (py-spy)")
            profile(args, env, server, out)
    finally:
        stop_server(server)
    errors = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if "Traceback" in line or '"status": 5' in line:
            errors["server errors in the log"] += 1
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        # The code measured: the results this suite rewrites do not make the tree dirty.
        [
            "git",
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!bench/results",
            ":!bench/RESULTS.md",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    meta = {
        "finished": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "dirty": bool(dirty),
        "workers": args.workers,
        "database": args.database,
        "note": args.note,
        "seconds": round(time.monotonic() - started),
        "server_log": dict(errors),
    }
    (out / "load-run.json").write_text(json.dumps(meta, indent=2) + "\n")
    render(out, target, args.note)
    print(f"done in {meta['seconds']} s", flush=True)


if __name__ == "__main__":
    main()
