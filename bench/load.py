"""Load test of the interview flow against a running server, with ceilings in the same run.

    .venv/bin/python bench/load.py --base-url http://127.0.0.1:8011 --database quizsite_bench_load \
        --gunicorn-pid 1234 [--smoke] [--json bench/results/load.json]

Usually started by bench/run.py, which seeds the database, starts gunicorn (with
BENCH_CEILINGS=1, so /__bench__/trivial/ and /__bench__/pk/ exist) and renders the results.

The generator is one asyncio process with aiohttp. Every virtual user keeps its own cookies (the
session and CSRF cookies are Secure-only when DEBUG is off, and aiohttp's jar would not send
them over plain http on localhost), sends the CSRF token as the X-CSRFToken header and the
csrfmiddlewaretoken field, and the htmx headers the browser sends. Open-loop phases send on a
fixed timetable (wrk2's constant throughput): latency is measured from the time a request was
due, not from when it was sent, so a stalled server is not hidden by a waiting generator
(coordinated omission). Closed-loop phases (a fixed number of users sending back to back) give
the maximum throughput. Phases:

  login         real logins through the form (PBKDF2: slow on purpose), timed on their own
  ceilings      closed loop: the trivial view, the primary-key view
  steps         closed loop: question page, draft autosave, answer submit, each alone;
                ceilings and steps taken in turn, in rounds (5 windows of 2 s each, after
                a warm-up of 0.5 s), so that a machine's drift over minutes weighs on all
  raw SQL       a psycopg loop on N connections doing the SQL of an answer submit
  flow          closed loop: the whole interview flow, users back to back
  half rate     open loop at 50 % of each maximum above: p50/p95/p99 against the targets
  sync start    N users (sessions ready) start an interview within one second; then the
                same users each send their start twice at once (a double click); the database
                is checked for duplicates after each

Each step's statuses are checked (an unexpected status is an error, counted by status). The
generator's own CPU time (getrusage) and the CPU of the gunicorn workers and of Postgres are
recorded per phase, and the memory (RSS, PSS, USS) of every gunicorn worker at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import sys
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "load-test-pass-2023"
QUESTIONS = 5  # per interview in the flow ("5 题 · 10 分钟 · 快速一练")
MINUTES = 10
EXPECTED = {
    "login page": 200,
    "login": 302,
    "new page": 200,
    "start": 302,
    "detail": 302,
    "question": 200,
    "draft": 200,
    "submit": 200,
    "finish": 302,
    "review": 200,
    "trivial": 200,
    "pk": 200,
}
ANSWERS = [
    "Batch normalization 把每一层的输入按 mini-batch 的均值和方差做标准化,再用可学习的 γ 和 β "
    "缩放和平移,缓解内部协变量偏移,使训练更稳定,可以用更大的学习率,也有一定的正则化作用。"
    "推理时使用训练中累计的滑动平均均值和方差,而不是当前 batch 的统计量。",
    "Dropout randomly zeroes activations with probability p during training, so the network "
    "cannot rely on any single unit; it acts like training an ensemble of thinned networks and "
    "reduces overfitting. 测试时不丢弃,而是按保留概率缩放(或训练时用 inverted dropout 放大)。",
    "梯度消失是指反向传播时梯度经过多层连乘后越来越小,前面的层几乎学不到东西;常见原因是 sigmoid "
    "或 tanh 的饱和区导数很小、初始化不当。解决办法:ReLU 等激活函数、合适的初始化(Xavier、He)、"
    "Batch Normalization、残差连接(ResNet)、LSTM 的门控结构以及梯度裁剪(针对梯度爆炸)。",
    "过拟合指模型在训练集上表现很好、在测试集上表现差,学到了噪声。Remedies: more data and data "
    "augmentation, L1/L2 regularization (weight decay), dropout, early stopping on a validation "
    "set, a smaller model, and cross-validation to choose hyper-parameters.",
    "Adam 结合了 Momentum 的一阶矩估计和 RMSProp 的二阶矩估计,并做偏差修正;对每个参数自适应"
    "地调整学习率,收敛快,对超参数不敏感。缺点是泛化有时不如 SGD with momentum,AdamW 把权重衰减"
    "从梯度更新中解耦出来。",
]
REVISION = re.compile(r'name="revision" id="revision" value="(\d+)"')
TAB = re.compile(r'name="tab" value="([0-9a-f]{32})"')
START_TOKEN = re.compile(r'name="start_token" value="([0-9a-f-]{36})"')
OPEN_INTERVIEW = re.compile(r'action="/interviews/(\d+)/finish/"')


class StepError(Exception):
    pass


class Stop(Exception):
    pass


# --- statistics --------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of sorted values (ms)."""
    if not values:
        return None
    rank = max(1, min(len(values), int(-(-p * len(values) // 100))))
    return values[rank - 1]


class Stats:
    """Per step: latencies from the due time, service times from the send, statuses."""

    def __init__(self):
        self.latency = defaultdict(list)
        self.service = defaultdict(list)
        self.statuses = defaultdict(Counter)
        self.errors = defaultdict(Counter)
        self.samples: dict[str, str] = {}
        self.send_lag: list[float] = []
        self.done = defaultdict(list)  # monotonic completion times of successful requests
        # Closed loops: the measured windows (each after its warm-up, if any); only requests
        # completed inside one count towards throughput. Open loops count every request.
        self.windows: list[tuple[float, float]] = []

    def counted(self, t: float) -> bool:
        return not self.windows or any(start <= t <= end for start, end in self.windows)

    def window_throughputs(self, step: str) -> list[float]:
        """Requests per second of `step` in each measured window, in order."""
        done = self.done[step]
        return [
            round(sum(1 for t in done if start <= t <= end) / (end - start), 1)
            for start, end in self.windows
        ]

    def add(self, step, latency, service, status, ok, lag, sample=""):
        if ok:
            self.done[step].append(time.monotonic())
        self.latency[step].append(latency * 1000)
        self.service[step].append(service * 1000)
        self.statuses[step][status] += 1
        self.send_lag.append(lag * 1000)
        if not ok:
            self.errors[step][status] += 1
            self.samples.setdefault(f"{step} {status}", sample[:300])

    def summary(self, duration: float) -> dict:
        steps = {}
        for step, values in self.latency.items():
            values = sorted(values)
            service = sorted(self.service[step])
            errors = sum(self.errors[step].values())
            completed = [t for t in self.done[step] if self.counted(t)]
            if len(self.windows) > 1:
                steps[step] = {"rounds": self.window_throughputs(step)}
            else:
                steps[step] = {}
            steps[step] |= {
                "requests": len(values),
                "errors": errors,
                "throughput": round(len(completed) / duration, 1),
                "p50": round(percentile(values, 50), 1),
                "p95": round(percentile(values, 95), 1),
                "p99": round(percentile(values, 99), 1),
                "max": round(values[-1], 1),
                "service_p50": round(percentile(service, 50), 1),
                "service_p99": round(percentile(service, 99), 1),
                "statuses": {str(k): v for k, v in sorted(self.statuses[step].items())},
                "errors_by_status": {str(k): v for k, v in sorted(self.errors[step].items())},
            }
        total = sum(len(v) for v in self.latency.values())
        total_errors = sum(sum(c.values()) for c in self.errors.values())
        total_completed = sum(1 for v in self.done.values() for t in v if self.counted(t))
        lag = sorted(self.send_lag)
        return {
            "duration_s": round(duration, 2),
            "requests": total,
            "errors": total_errors,
            "throughput": round(total_completed / duration, 1) if duration else None,
            "send_lag_p99_ms": round(percentile(lag, 99), 1) if lag else None,
            "steps": steps,
            "error_samples": self.samples,
        }


# --- CPU and memory ----------------------------------------------------------------------


class CpuMeter:
    """CPU seconds of the generator, its child processes, the gunicorn workers, Postgres and
    the whole machine over a phase, as % of one core."""

    def __init__(self, gunicorn_pid: int | None):
        self.master = psutil.Process(gunicorn_pid) if gunicorn_pid else None

    def _server(self) -> tuple[dict, dict]:
        """CPU seconds per process: the gunicorn master and workers, every Postgres process."""
        app, db = {}, {}
        procs = [self.master, *self.master.children()] if self.master else []
        for proc in procs:
            try:
                times = proc.cpu_times()
                app[proc.pid] = times.user + times.system
            except psutil.Error:
                pass
        for proc in psutil.process_iter(["name"]):
            if proc.info["name"] and proc.info["name"].startswith("postgres"):
                try:
                    times = proc.cpu_times()
                    db[proc.pid] = times.user + times.system
                except psutil.Error:
                    pass
        return app, db

    def snapshot(self) -> dict:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        machine = psutil.cpu_times()
        app, db = self._server()
        return {
            "wall": time.perf_counter(),
            "generator": me.ru_utime + me.ru_stime,
            "children": kids.ru_utime + kids.ru_stime,
            "app": app,
            "db": db,
            "busy": sum(machine) - machine.idle - getattr(machine, "iowait", 0),
        }

    @staticmethod
    def delta(before: dict, after: dict) -> dict:
        """Per process: what it used between the snapshots (all of it when it started in
        between; a process that ended in between is missed, so Postgres is a lower bound)."""
        wall = after["wall"] - before["wall"]

        def pct(key):
            if isinstance(after[key], dict):
                used = sum(t - before[key].get(pid, 0.0) for pid, t in after[key].items())
                return round(100 * used / wall, 1)
            return round(100 * (after[key] - before[key]) / wall, 1)

        result = {
            "generator_pct_of_core": pct("generator"),
            "generator_children_pct_of_core": pct("children"),
            "gunicorn_pct_of_core": pct("app"),
            "postgres_pct_of_core": pct("db"),
            "machine_busy_pct_of_core": pct("busy"),
        }
        known = sum(
            result[k]
            for k in (
                "generator_pct_of_core",
                "generator_children_pct_of_core",
                "gunicorn_pct_of_core",
                "postgres_pct_of_core",
            )
        )
        result["other_pct_of_core"] = round(result["machine_busy_pct_of_core"] - known, 1)
        return result


def worker_memory(gunicorn_pid: int | None) -> list[dict]:
    if not gunicorn_pid:
        return []
    rows = []
    master = psutil.Process(gunicorn_pid)
    for proc in [master, *master.children()]:
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        rows.append(
            {
                "pid": proc.pid,
                "role": "master" if proc.pid == gunicorn_pid else "worker",
                "rss_mb": round(info.rss / 2**20, 1),
                "pss_mb": round(info.pss / 2**20, 1),
                "uss_mb": round(info.uss / 2**20, 1),
            }
        )
    return rows


# --- the database, through Django (outside the event loop) ------------------------------


def setup_django(database: str) -> None:
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/quizsite"))
    os.environ["DATABASE_URL"] = urlunsplit(base._replace(path=f"/{database}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    import django

    django.setup()


def ensure_users(prefix: str, count: int) -> list[tuple[int, str]]:
    """Users prefix0..prefixN-1 with one precomputed password hash; (id, username)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    user_model = get_user_model()
    names = [f"{prefix}{i}" for i in range(count)]
    existing = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    hashed = make_password(PASSWORD)
    user_model.objects.bulk_create(
        [user_model(username=name, password=hashed) for name in names if name not in existing]
    )
    ids = dict(user_model.objects.filter(username__in=names).values_list("username", "id"))
    return [(ids[name], name) for name in names]


def mint_sessions(users: list[tuple[int, str]]) -> dict[str, str]:
    """A logged-in session per user, made as django.contrib.auth.login makes one (signals
    included) but without checking the password: {username: session key}."""
    from django.conf import settings
    from django.contrib.auth import get_user_model, login
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    factory = RequestFactory()
    by_id = get_user_model().objects.in_bulk([uid for uid, _ in users])
    keys = {}
    for uid, name in users:
        request = factory.get("/")
        request.session = SessionStore()
        login(request, by_id[uid], backend=settings.AUTHENTICATION_BACKENDS[-1])
        request.session.save()
        keys[name] = request.session.session_key
    return keys


def close_open_interviews(user_ids: list[int]) -> int:
    """Test set-up between phases: abandon what earlier phases left open."""
    from django.utils import timezone

    from interviews.models import Interview

    return Interview.objects.filter(user_id__in=user_ids, state=Interview.State.IN_PROGRESS).update(
        state=Interview.State.ABANDONED, finished_at=timezone.now()
    )


def question_ids() -> list[int]:
    """Published questions' ids; each gets a first recorded version if it has none yet, as
    `manage.py bootstrap` and the admin do (a bank loaded with loaddata alone has none), so
    that the load test measures a bank in use, not the first starts' recording."""
    from questions.models import Question

    for question in Question.objects.filter(versions__isnull=True):
        question.record_version(note="bench: first version")
    return list(Question.objects.published().values_list("id", flat=True))


def interview_counts(user_ids: list[int], since) -> dict:
    """Interviews created since a moment, and open interviews, per user."""
    from django.db.models import Count, Q

    from interviews.models import Interview

    rows = (
        Interview.objects.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(
            created=Count("id", filter=Q(started_at__gte=since)),
            open=Count("id", filter=Q(state=Interview.State.IN_PROGRESS)),
        )
    )
    by_user = {row["user_id"]: row for row in rows}
    created = Counter(by_user.get(uid, {}).get("created", 0) for uid in user_ids)
    opened = Counter(by_user.get(uid, {}).get("open", 0) for uid in user_ids)
    return {
        "users": len(user_ids),
        "users_by_interviews_created": {str(k): v for k, v in sorted(created.items())},
        "users_by_open_interviews": {str(k): v for k, v in sorted(opened.items())},
        "duplicates": sum(v for k, v in created.items() if k > 1),
        "users_with_more_than_one_open": sum(v for k, v in opened.items() if k > 1),
    }


def submit_sql_targets(users: list[tuple[int, str]], keys: dict[str, str]) -> list[dict]:
    """For the raw SQL loop: (session key, user, interview, its first and second responses)
    of the users' open interviews."""
    from interviews.models import Response

    found = Response.objects.filter(
        interview__user_id__in=[uid for uid, _ in users],
        interview__state="in_progress",
        position__in=(0, 1),
    ).values_list("interview__user_id", "interview_id", "position", "id")
    responses = {(interview, position): pk for _, interview, position, pk in found}
    names = dict(users)
    return [
        {
            "session_key": keys[names[uid]],
            "user_id": uid,
            "interview_id": interview_id,
            "response_id": pk,
            "second_id": responses.get((interview_id, 1)),
        }
        for uid, interview_id, position, pk in found
        if position == 0
    ]


# --- the raw psycopg ceiling --------------------------------------------------------------


def raw_sql_statements(variant: str) -> list[tuple[str, str]]:
    """The answer submit's statements, the app's own text (what bench/queries.py records):
    the session, the user with the profile, the interview with its responses, the answer with
    the move to the next question; "one transaction" puts them between BEGIN and COMMIT. The
    scoring and the template are left out."""
    from django.contrib.auth import get_user_model

    from accounts.backends import _user_sql
    from accounts.sessions import LOAD
    from interviews import services

    statements = [
        ("session", LOAD),
        ("user", _user_sql(get_user_model())),
        ("read", services.INTERVIEW_AND_RESPONSES),
        ("answer", services.ANSWER_AND_MOVE_UNLOCKED),
    ]
    if variant == "one transaction":
        statements = [("begin", "BEGIN"), *statements, ("commit", "COMMIT")]
    return statements


def raw_sql_answer(target: dict, revision: int, now) -> dict:
    """The answer's parameters as the app builds them (its field values prepared by the app's
    own helper), answering the first question again with the next revision and moving to the
    second one."""
    from decimal import Decimal

    from interviews import services
    from interviews.models import Response
    from quizsite import rows

    response = Response(
        form="text",
        answer_text=ANSWERS[0],
        answer_value=None,
        draft_text=ANSWERS[0],
        submitted_at=now,
        time_spent=timedelta(minutes=1),
        auto_score=Decimal("0.5"),
        hit=["a"],
        missed=["b"],
        reasons=["a"],
        from_draft=False,
        revision=revision,
        last_tab=target["tab"],
    )
    return {
        **rows.db_values(response, services.SUBMITTED_FIELDS),
        **services._open_interview(target["interview_id"], target["user_id"], now),
        "id": target["response_id"],
        "now": now,
        "seen": target["second_id"],
        "position": 1,
    }


def raw_sql_worker(
    dsn: str, target: dict, duration: float, variant: str = "as the app"
) -> tuple[int, list[float]]:
    """One connection looping over the submit's statements for `duration` seconds, each
    prepared (as the app's are) and its rows fetched."""
    from datetime import UTC, datetime

    import psycopg

    latencies = []
    statements = raw_sql_statements(variant)
    with (
        psycopg.connect(dsn, autocommit=True, prepare_threshold=0) as conn,
        conn.cursor() as cur,
    ):
        if variant == "synchronous_commit off":
            cur.execute("SET synchronous_commit TO off")
        deadline = time.perf_counter() + duration
        revision = 0  # the first question's, as the read finds it
        while (started := time.perf_counter()) < deadline:
            now = datetime.now(UTC)
            for name, sql in statements:
                if name == "session":
                    params = [target["session_key"], now]
                elif name == "user":
                    params = [target["user_id"]]
                elif name == "read":
                    params = [target["interview_id"], target["user_id"]]
                elif name == "answer":
                    params = raw_sql_answer(target, revision + 1, now)
                else:  # BEGIN, COMMIT
                    cur.execute(sql, prepare=False)
                    continue
                cur.execute(sql, params)
                if cur.description:
                    found = cur.fetchall()
                    if name == "read":
                        # the response's revision (the interview has no such column)
                        column = [c.name for c in cur.description].index("revision")
                        revision = found[0][column]
                    elif name == "answer" and not found:
                        raise RuntimeError("the raw answer was not taken")
            latencies.append((time.perf_counter() - started) * 1000)
    return len(latencies), latencies


def raw_sql_ceiling(
    dsn: str, targets: list[dict], duration: float, variant: str = "as the app"
) -> dict:
    with ProcessPoolExecutor(len(targets)) as pool:
        started = time.perf_counter()
        futures = [pool.submit(raw_sql_worker, dsn, t, duration, variant) for t in targets]
        results = [f.result() for f in futures]
        wall = time.perf_counter() - started
    latencies = sorted(x for _, lat in results for x in lat)
    count = sum(n for n, _ in results)
    return {
        "variant": variant,
        "connections": len(targets),
        "statements_per_submit": len(raw_sql_statements(variant)),
        "duration_s": round(duration, 2),
        "wall_s": round(wall, 2),
        "throughput": round(count / duration, 1),
        "p50": round(percentile(latencies, 50), 2),
        "p95": round(percentile(latencies, 95), 2),
        "p99": round(percentile(latencies, 99), 2),
    }


# --- virtual users ----------------------------------------------------------------------


class VUser:
    def __init__(self, load: Load, username: str, session_key: str | None = None):
        self.load = load
        self.username = username
        self.cookies: dict[str, str] = {}
        if session_key:
            self.cookies["sessionid"] = session_key
        self.page = "/"
        self.interview: int | None = None
        self.tab = ""
        self.revisions: dict[int, int] = {}
        self.counter = 0
        self.start_token = ""
        self.busy = False

    def _take_cookies(self, response: aiohttp.ClientResponse) -> None:
        for header in response.headers.getall("Set-Cookie", []):
            jar = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    async def send(
        self,
        step: str,
        method: str,
        path: str,
        data: dict | None = None,
        *,
        htmx: bool = False,
        due: float | None = None,
    ) -> tuple[int, dict, str]:
        load = self.load
        if load.deadline is not None and time.monotonic() >= load.deadline:
            raise Stop
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        csrf = self.cookies.get("csrftoken", "")
        if method == "POST":
            data = dict(data or {})
            headers["Origin"] = load.base
            headers["Referer"] = load.base + self.page
            if csrf:
                headers["X-CSRFToken"] = csrf
                data.setdefault("csrfmiddlewaretoken", csrf)
        if htmx:
            headers["HX-Request"] = "true"
            headers["HX-Current-URL"] = load.base + self.page
        sent = time.monotonic()
        due = sent if due is None else due
        status, reply_headers, text = 0, {}, ""
        try:
            async with load.http.request(
                method, load.base + path, data=data, headers=headers, allow_redirects=False
            ) as response:
                text = await response.text()
                status = response.status
                reply_headers = response.headers
                self._take_cookies(response)
        except (TimeoutError, aiohttp.ClientError) as error:
            text = repr(error)
        done = time.monotonic()
        ok = status == EXPECTED.get(step, 200)
        load.stats.add(step, done - due, done - sent, status, ok, sent - due, text)
        if not ok:
            raise StepError(f"{step}: {status}")
        if method == "GET" and status == 200 and not htmx:
            self.page = path
        return status, reply_headers, text

    # the flow's steps ---------------------------------------------------------------

    async def login(self, pace=None) -> None:
        await self.send("login page", "GET", "/accounts/login/", due=await tick(pace))
        data = {"username": self.username, "password": PASSWORD}
        await self.send("login", "POST", "/accounts/login/", data, due=await tick(pace))

    async def new_page(self, pace=None) -> str:
        _, _, page = await self.send("new page", "GET", "/interviews/new/", due=await tick(pace))
        leftover = OPEN_INTERVIEW.search(page)
        if leftover:  # an interview an interrupted run left open: finish it first
            await self.send(
                "finish", "POST", f"/interviews/{leftover.group(1)}/finish/", due=await tick(pace)
            )
            _, _, page = await self.send(
                "new page", "GET", "/interviews/new/", due=await tick(pace)
            )
        token = START_TOKEN.search(page)
        self.start_token = token.group(1) if token else str(uuid.uuid4())
        return page

    async def start(self, pace=None) -> None:
        data = {
            "mode": "interview",
            "question_count": QUESTIONS,
            "time_limit_minutes": MINUTES,
            "start_token": self.start_token,
        }
        _, headers, _ = await self.send(
            "start", "POST", "/interviews/new/", data, due=await tick(pace)
        )
        self.interview = int(headers["Location"].strip("/").split("/")[-1])
        _, headers, _ = await self.send("detail", "GET", headers["Location"], due=await tick(pace))
        await self.question(int(headers["Location"].strip("/").split("/")[-1]), pace)

    async def question(self, number: int, pace=None) -> None:
        path = f"/interviews/{self.interview}/q/{number}/"
        _, _, page = await self.send("question", "GET", path, due=await tick(pace))
        self._read_panel(page, number)

    def _read_panel(self, page: str, number: int) -> None:
        tab, revision = TAB.search(page), REVISION.search(page)
        if tab:
            self.tab = tab.group(1)
        if revision:
            self.revisions[number] = int(revision.group(1))

    def _answer(self, number: int, text: str) -> dict:
        """The answer form as the page sends it: a new text each time, this tab's revision."""
        self.counter += 1
        return {
            "answer": f"{text} ({self.counter})",
            "revision": self.revisions.get(number, 0),
            "tab": self.tab,
            "form": "text",
        }

    async def draft(self, number: int, text: str, pace=None) -> None:
        data = self._answer(number, text)
        path = f"/interviews/{self.interview}/q/{number}/draft/"
        _, _, body = await self.send("draft", "POST", path, data, htmx=True, due=await tick(pace))
        revision = re.search(r'value="(\d+)"', body)
        if revision:
            self.revisions[number] = int(revision.group(1))

    async def submit(self, number: int, text: str, pace=None) -> None:
        data = self._answer(number, text)
        path = f"/interviews/{self.interview}/q/{number}/answer/"
        _, headers, body = await self.send(
            "submit", "POST", path, data, htmx=True, due=await tick(pace)
        )
        self.revisions[number] = self.revisions.get(number, 0) + 1
        pushed = headers.get("HX-Push-Url", "")
        if pushed:
            self._read_panel(body, int(pushed.strip("/").split("/")[-1]))

    async def finish(self, pace=None) -> None:
        path = f"/interviews/{self.interview}/finish/"
        _, headers, _ = await self.send("finish", "POST", path, due=await tick(pace))
        await self.send("review", "GET", headers["Location"], due=await tick(pace))
        self.interview = None

    async def flow(self, pace=None) -> None:
        """One interview, as the browser sends it: the start page, a preset's POST (then the
        redirects to the first question), 2-3 autosaved drafts and a submit per question
        (the submit's htmx response is the next question's panel), finish, review."""
        await self.new_page(pace)
        await self.start(pace)
        for number in range(1, QUESTIONS + 1):
            answer = random.choice(ANSWERS)
            drafts = random.choice((2, 3))
            for k in range(1, drafts + 1):
                await self.draft(number, answer[: len(answer) * k // (drafts + 1)], pace)
            await self.submit(number, answer, pace)
        await self.finish(pace)

    async def ensure_interview(self) -> None:
        """An open interview for the step-alone phases (set-up, not measured)."""
        if self.interview is None:
            stats, self.load.stats = self.load.stats, Stats()
            try:
                await self.new_page()
                await self.start()
            finally:
                self.load.stats = stats


class Pace:
    """A user's fixed timetable: request k is due at offset + k * interval."""

    def __init__(self, start: float, interval: float):
        self.next = start
        self.interval = interval


async def tick(pace: Pace | float | None) -> float | None:
    """When the next request is due: None (closed loop: now), a given time, or a timetable's
    next slot, waiting for it."""
    if pace is None or isinstance(pace, float):
        return pace
    due = pace.next
    pace.next += pace.interval
    delay = due - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
    return due


# --- the phases -------------------------------------------------------------------------


class Load:
    def __init__(self, args):
        self.args = args
        self.base = args.base_url.rstrip("/")
        self.http: aiohttp.ClientSession | None = None
        self.stats = Stats()
        self.deadline: float | None = None
        self.cpu = CpuMeter(args.gunicorn_pid)
        self.results: dict = {"phases": {}}
        self.question_ids: list[int] = []

    def window(self, stats: Stats, coroutine_factory) -> tuple[float, dict, dict]:
        """Run coroutine_factory() in its own event loop, recording into `stats`: its wall
        time, the CPU used meanwhile, and what it returned."""
        self.stats = stats

        async def main():
            connector = aiohttp.TCPConnector(limit=0, force_close=True)
            timeout = aiohttp.ClientTimeout(total=120)
            async with aiohttp.ClientSession(
                connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
            ) as http:
                self.http = http
                before = self.cpu.snapshot()
                started = time.monotonic()
                extra = await coroutine_factory()
                duration = time.monotonic() - started
                after = self.cpu.snapshot()
            return duration, CpuMeter.delta(before, after), extra or {}

        return asyncio.run(main())

    def run(self, name: str, coroutine_factory, **meta) -> dict:
        """Run one phase; record its stats and CPU."""
        stats = Stats()
        duration, cpu, extra = self.window(stats, coroutine_factory)
        measured = meta.pop("duration", None) or duration
        return self.record(name, {**meta, **stats.summary(measured), "cpu": cpu, **extra})

    def interleaved(
        self, phases: dict, users: list[VUser], rounds: int, seconds: float, warmup: float
    ) -> dict[str, dict]:
        """Closed loops of several actions taken in turn, `rounds` times: each window is a
        warm-up (not counted: no request is in flight at its start) then `seconds` measured.
        A machine whose speed drifts over minutes (a shared VM) then slows every phase alike,
        rather than whichever ran last; each phase's result adds up its windows, and lists
        each window's throughput (`rounds`) so that neighbouring windows can be compared."""
        stats = {name: Stats() for name in phases}
        used: dict[str, list[tuple[float, dict]]] = {name: [] for name in phases}
        for _ in range(rounds):
            for name, action in phases.items():
                duration, cpu, _ = self.window(
                    stats[name],
                    lambda action=action: self.closed_loop(users, action, seconds, warmup),
                )
                used[name].append((duration, cpu))
        results = {}
        for name in phases:
            wall = sum(duration for duration, _ in used[name])
            cpu = {
                key: round(sum(d * c[key] for d, c in used[name]) / wall, 1)
                for key in used[name][0][1]
            }
            results[name] = self.record(
                f"max {name}",
                {
                    "kind": "closed",
                    "concurrency": len(users),
                    "rounds": rounds,
                    "warmup_s": warmup,
                    **stats[name].summary(rounds * seconds),
                    "cpu": cpu,
                },
            )
        return results

    def record(self, name: str, result: dict) -> dict:
        self.results["phases"][name] = result
        steps = ", ".join(
            f"{step} {s['throughput']}/s p50 {s['p50']} p99 {s['p99']} ms err {s['errors']}"
            for step, s in result["steps"].items()
        )
        print(
            f"  {name}: {steps}; generator {result['cpu']['generator_pct_of_core']} %", flush=True
        )
        return result

    # closed and open loops over one action ----------------------------------------------

    async def closed_loop(self, users: list[VUser], action, duration: float, warmup=0.0):
        start = time.monotonic() + warmup
        self.deadline = start + duration
        self.stats.windows.append((start, self.deadline))

        async def worker(user):
            while True:
                try:
                    await action(user, None)
                except Stop:
                    return
                except StepError:
                    await asyncio.sleep(0.05)

        await asyncio.gather(*(worker(u) for u in users))
        self.deadline = None

    async def open_loop(self, users: list[VUser], action, rate: float, duration: float):
        """Requests due every 1/rate s; each goes to the next idle user (if none is idle, to
        the next user, after its current request)."""
        started = time.monotonic() + 0.2
        count = int(rate * duration)
        tasks = []
        cursor = 0

        locks = {id(user): asyncio.Lock() for user in users}

        async def fire(user, due):
            # One request at a time per user, as htmx queues a tab's requests (hx-sync); a
            # request that waits for its user's previous one counts the wait (due time).
            user.busy = True
            try:
                async with locks[id(user)]:
                    await action(user, due)
            except StepError:
                pass
            finally:
                user.busy = False

        for i in range(count):
            due = started + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            for _ in range(len(users)):
                user = users[cursor % len(users)]
                cursor += 1
                if not user.busy:
                    break
            tasks.append(asyncio.create_task(fire(user, due)))
        await asyncio.gather(*tasks)

    async def flow_loop(self, users: list[VUser], duration: float, rate: float | None):
        """Users run interviews back to back (rate None) or on fixed timetables whose sum is
        `rate` requests per second."""
        self.deadline = time.monotonic() + duration
        if rate is None:
            self.stats.windows.append((time.monotonic(), self.deadline))
        started = time.monotonic() + 0.2

        async def worker(i, user):
            pace = Pace(started + i / rate, len(users) / rate) if rate else None
            while True:
                try:
                    await user.flow(pace)
                except Stop:
                    return
                except StepError:
                    user.interview = None
                    if pace is None:
                        await asyncio.sleep(0.05)

        await asyncio.gather(*(worker(i, u) for i, u in enumerate(users)))
        self.deadline = None


ACTIONS = {}


def action(name):
    def register(function):
        ACTIONS[name] = function
        return function

    return register


@action("trivial")
async def _trivial(user: VUser, due):
    await user.send("trivial", "GET", "/__bench__/trivial/", due=due)


@action("pk")
async def _pk(user: VUser, due):
    qid = random.choice(user.load.question_ids)
    await user.send("pk", "GET", f"/__bench__/pk/?id={qid}", due=due)


@action("question")
async def _question(user: VUser, due):
    # Moving through the questions with the navigator: an htmx GET of the panel that carries
    # the page's tab (hx-vals), so the tab's own later writes never conflict with each other.
    user.counter += 1
    number = user.counter % QUESTIONS + 1
    path = f"/interviews/{user.interview}/q/{number}/?tab={user.tab}"
    _, _, page = await user.send("question", "GET", path, htmx=True, due=due)
    user._read_panel(page, number)


@action("draft")
async def _draft(user: VUser, due):
    number = 1 + (user.counter // 3) % QUESTIONS
    answer = ANSWERS[number % len(ANSWERS)]
    await user.draft(number, answer[: 40 + 3 * (user.counter % 40)], due)


@action("submit")
async def _submit(user: VUser, due):
    number = 1 + user.counter % QUESTIONS
    await user.submit(number, ANSWERS[number % len(ANSWERS)], due)


# --- the run ----------------------------------------------------------------------------


SIZES = {
    # phase durations (s), users, sync start users
    "smoke": {
        "closed": 2.0,
        "rounds": 1,
        "warmup": 0.3,
        "open": 3.0,
        "flow_closed": 4.0,
        "flow_open": 6.0,
        "raw": 2.0,
        "concurrency": 8,
        "flow_users": 6,
        "step_users": 12,
        "sync_users": 20,
    },
    "full": {
        "closed": 10.0,
        "rounds": 5,
        "warmup": 0.5,
        "open": 20.0,
        "flow_closed": 20.0,
        "flow_open": 40.0,
        "raw": 10.0,
        "concurrency": 16,
        "flow_users": 40,
        "step_users": 40,
        "sync_users": 500,
    },
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8011")
    parser.add_argument("--database", default="quizsite_bench_load")
    parser.add_argument("--gunicorn-pid", type=int, help="to measure its workers' CPU and memory")
    parser.add_argument("--workers", type=int, default=5, help="connections of the raw SQL loop")
    parser.add_argument("--smoke", action="store_true", help="seconds instead of minutes")
    parser.add_argument("--sync-users", type=int, help="users of the synchronised start")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "load.json")
    parser.add_argument("--only", help="comma-separated phases to run (default all)")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    size = dict(SIZES["smoke" if args.smoke else "full"])
    if args.sync_users:
        size["sync_users"] = args.sync_users
    setup_django(args.database)
    load = Load(args)
    load.results.update({"size": "smoke" if args.smoke else "full", "parameters": size})
    load.results["machine"] = {
        "cpus": psutil.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    load.question_ids = question_ids()
    wanted = set(args.only.split(",")) if args.only else None

    def want(name):
        return wanted is None or name in wanted

    # Users: flow users log in through the form; the others get sessions made directly.
    step_phases = ("trivial", "pk", "question", "draft", "submit", "raw")
    need_steps = any(want(name) for name in step_phases)
    need_flows = want("login") or want("flow")
    flow_users = ensure_users("load", size["flow_users"]) if need_flows else []
    step_users = ensure_users("loadstep", max(size["step_users"], size["concurrency"]))
    sync_users = ensure_users("loadsync", size["sync_users"]) if want("sync") else []
    everyone = [uid for uid, _ in flow_users + step_users + sync_users]
    close_open_interviews(everyone)
    flows = [VUser(load, name) for _, name in flow_users]
    step_keys = mint_sessions(step_users) if need_steps else {}
    steps = [VUser(load, name, step_keys[name]) for _, name in step_users] if need_steps else []

    if flows:
        print("login (real, through the form)", flush=True)

        async def logins():
            queue = list(flows)

            async def worker():
                while queue:
                    user = queue.pop()
                    await user.login()

            await asyncio.gather(*(worker() for _ in range(min(10, len(flows)))))

        load.run("login", logins, users=len(flows), concurrency=min(10, len(flows)))

    concurrency = steps[: size["concurrency"]]
    maxima = {}

    async def prepare(users):
        await asyncio.gather(*(u.ensure_interview() for u in users))

    if need_steps:
        print("ceilings and steps, closed loop (maximum throughput)", flush=True)
        load.run("prepare", lambda: prepare(steps))
        del load.results["phases"]["prepare"]
    wanted_steps = {
        name: ACTIONS[name]
        for name in ("trivial", "pk", "question", "draft", "submit")
        if want(name) and need_steps
    }
    if wanted_steps:
        rounds = size["rounds"]
        measured = load.interleaved(
            wanted_steps, concurrency, rounds, size["closed"] / rounds, size["warmup"]
        )
        maxima = {name: result["steps"][name]["throughput"] for name, result in measured.items()}

    if want("raw"):
        print("raw SQL ceiling (psycopg, the statements of an answer submit)", flush=True)
        targets = submit_sql_targets(step_users, step_keys)[: args.workers]
        tabs = {user.username: user.tab for user in steps}
        names = dict(step_users)
        for target in targets:
            # The user's own tab: the loop's writes then look like that tab's to the app, so
            # the later phases' writes with that tab are not refused as another tab's.
            target["tab"] = tabs[names[target["user_id"]]]
        for variant, name in (
            ("as the app", "raw sql submit"),
            ("one transaction", "raw sql submit, one transaction"),
            ("synchronous_commit off", "raw sql submit, synchronous_commit off"),
        ):
            before = load.cpu.snapshot()
            raw = raw_sql_ceiling(os.environ["DATABASE_URL"], targets, size["raw"], variant)
            raw["cpu"] = CpuMeter.delta(before, load.cpu.snapshot())
            load.results["phases"][name] = raw
            print(f"  {name}: {raw['throughput']}/s p50 {raw['p50']} ms", flush=True)

    if want("flow") and flows:
        print("the interview flow, closed loop", flush=True)
        close_open_interviews([uid for uid, _ in flow_users])
        for user in flows:
            user.interview = None
        result = load.run(
            "max flow",
            lambda: load.flow_loop(flows[: size["concurrency"]], size["flow_closed"], None),
            kind="closed",
            concurrency=min(len(flows), size["concurrency"]),
            duration=size["flow_closed"],
        )
        maxima["flow"] = result["throughput"]

    print("half the maximum rate, open loop", flush=True)
    for name in ("trivial", "pk", "question", "draft", "submit"):
        if name not in maxima:
            continue
        rate = max(1.0, maxima[name] / 2)
        load.run(
            f"half {name}",
            lambda name=name, rate=rate: load.open_loop(steps, ACTIONS[name], rate, size["open"]),
            kind="open",
            rate=round(rate, 1),
            duration=size["open"],
        )
    if "flow" in maxima:
        close_open_interviews([uid for uid, _ in flow_users])
        for user in flows:
            user.interview = None
        rate = max(1.0, maxima["flow"] / 2)
        load.run(
            "half flow",
            lambda: load.flow_loop(flows, size["flow_open"], rate),
            kind="open",
            rate=round(rate, 1),
            users=len(flows),
            duration=size["flow_open"],
        )

    if want("sync"):
        sync_start(load, sync_users, size)

    load.results["worker_memory"] = worker_memory(args.gunicorn_pid)
    load.results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    close_open_interviews(everyone)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(load.results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.json}", flush=True)
    return load.results


def sync_start(load: Load, sync_users: list[tuple[int, str]], size: dict) -> None:
    """N users, logged in with their start page open, start within one second."""
    from django.utils import timezone

    ids = [uid for uid, _ in sync_users]
    print(f"synchronised start: {len(sync_users)} users within one second", flush=True)
    close_open_interviews(ids)
    keys = mint_sessions(sync_users)
    users = [VUser(load, name, keys[name]) for _, name in sync_users]

    async def open_pages():
        semaphore = asyncio.Semaphore(10)

        async def one(user):
            async with semaphore:
                await user.new_page()

        await asyncio.gather(*(one(u) for u in users))

    async def burst(copies: int):
        started = time.monotonic() + 0.5
        data = {"mode": "interview", "question_count": QUESTIONS, "time_limit_minutes": MINUTES}

        async def one(i, user):
            due = started + i / len(users)  # evenly over one second
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            body = {**data, "start_token": user.start_token}
            replies = await asyncio.gather(
                *(
                    user.send("start", "POST", "/interviews/new/", body, due=due)
                    for _ in range(copies)
                ),
                return_exceptions=True,
            )
            return [r[1].get("Location") if isinstance(r, tuple) else None for r in replies]

        locations = await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))
        same = sum(1 for locs in locations if None not in locs and len(set(locs)) == 1)
        return {"users_whose_replies_agree": same}

    for copies, name in ((1, "sync start"), (2, "sync start, each start sent twice")):
        load.run(f"{name} (prepare)", open_pages)
        del load.results["phases"][f"{name} (prepare)"]
        since = timezone.now()
        result = load.run(
            name,
            lambda copies=copies: burst(copies),
            kind="burst",
            users=len(users),
            requests_per_user=copies,
            window_s=1.0,
        )
        result["database"] = interview_counts(ids, since)
        print(f"  database: {result['database']}", flush=True)
        close_open_interviews(ids)


if __name__ == "__main__":
    main()
