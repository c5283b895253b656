"""Queries per request for every page of the interview flow and the other main pages.

    .venv/bin/python bench/queries.py --database quizsite_bench_load \
        --json bench/results/queries.json

Drives Django's test client (the whole stack: middleware, session, auth, view, template) against
the named database on the server of DATABASE_URL, which must be migrated and hold the question
bank. A user `bench_queries` (created if missing) runs one interview first, so that one-time
work (recording question versions) is not counted, then a second one whose requests are
counted with CaptureQueriesContext, followed by the other pages. Writes the counts (and the SQL
of the write steps) as JSON and prints a table. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ANSWER = (
    "Batch normalization 把每一层的输入按 mini-batch 的均值和方差做标准化,再用可学习的 γ 和 β "
    "缩放平移,缓解内部协变量偏移,允许更大的学习率,并有一定正则化作用。"
    "At inference it uses running averages of the mean and variance instead of batch statistics."
)
TRANSACTION_CONTROL = re.compile(r"(BEGIN|COMMIT|ROLLBACK|(RELEASE )?SAVEPOINT)\b")
SQL_STEPS = {"start", "draft", "submit", "submit (last)", "finish", "question (full page)"}


def database_url(name: str) -> str:
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/quizsite"))
    return urlunsplit(base._replace(path=f"/{name}"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="quizsite_bench_load")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "queries.json")
    parser.add_argument("--questions", type=int, default=5, help="questions per interview")
    parser.add_argument("--repeat", type=int, default=40, help="requests timed per kind")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    os.environ["DATABASE_URL"] = database_url(args.database)
    os.environ["BENCH_CEILINGS"] = "1"  # the ceiling views, for the CPU costs
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from questions.models import Question, Tag

    setup_test_environment()  # the test client's host and the in-memory mail outbox
    user, _ = get_user_model().objects.get_or_create(username="bench_queries")
    user.set_password("bench-queries-pass")
    user.save()
    client = Client(HTTP_HOST="127.0.0.1")
    htmx = {"HTTP_HX_REQUEST": "true"}
    rows: list[dict] = []

    def hit(name: str, method: str, url: str, data=None, *, record: bool = True, **extra):
        with CaptureQueriesContext(connection) as captured:
            if method == "GET":
                response = client.get(url, data or {}, **extra)
            else:
                response = client.post(url, data or {}, **extra)
        if record:
            row = {
                "page": name,
                "method": method,
                "path": re.sub(r"/\d+/", "/<id>/", url),
                "status": response.status_code,
                # Statements, as tests/site/test_query_budget.py counts them; and with the
                # transaction control (BEGIN, COMMIT, savepoints) that Django also logs.
                "queries": sum(
                    1 for q in captured.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])
                ),
                "round_trips": len(captured.captured_queries),
            }
            if name in SQL_STEPS:
                row["sql"] = [q["sql"][:300] for q in captured.captured_queries]
            rows.append(row)
        return response

    def interview(record: bool) -> int:
        client.force_login(user)
        hit("new interview (form)", "GET", "/interviews/new/", record=record)
        response = hit(
            "start",
            "POST",
            "/interviews/new/",
            {
                "mode": "interview",
                "question_count": args.questions,
                "time_limit_minutes": 20,
                "start_token": str(uuid.uuid4()),
            },
            record=record,
        )
        detail = response["Location"]
        pk = int(detail.strip("/").split("/")[-1])
        question_url = hit("detail (resume redirect)", "GET", detail, record=record)["Location"]
        page = hit("question (full page)", "GET", question_url, record=record).content.decode()
        hit("question (htmx panel)", "GET", question_url, record=record, **htmx)
        tab = re.search(r'name="tab" value="([0-9a-f]{32})"', page).group(1)
        for number in range(1, args.questions + 1):
            revision = re.search(r'name="revision" id="revision" value="(\d+)"', page).group(1)
            base = f"/interviews/{pk}/q/{number}/"
            draft = {"answer": ANSWER[:80], "revision": revision, "tab": tab, "form": "text"}
            saved = hit("draft", "POST", base + "draft/", draft, record=record, **htmx)
            revision = re.search(r'value="(\d+)"', saved.content.decode()).group(1)
            step = "submit (last)" if number == args.questions else "submit"
            answer = {"answer": ANSWER, "revision": revision, "tab": tab, "form": "text"}
            page = hit(step, "POST", base + "answer/", answer, record=record, **htmx)
            page = page.content.decode()
        hit("clock", "GET", f"/interviews/{pk}/clock/", record=record)
        hit("finish", "POST", f"/interviews/{pk}/finish/", record=record)
        hit("review", "GET", f"/interviews/{pk}/review/", record=record)
        assess = {"value": "partly"}
        hit(
            "self-assess (htmx)",
            "POST",
            f"/interviews/{pk}/q/1/assess/",
            assess,
            record=record,
            **htmx,
        )
        return pk

    interview(record=False)  # one-time work (question versions) out of the way
    interview(record=True)

    tag = Tag.objects.order_by("position").first()
    question = Question.objects.published().order_by("source_number").first()
    hit("home", "GET", "/")
    hit("question browser", "GET", "/questions/")
    hit("topic", "GET", f"/questions/topic/{tag.slug}/")
    hit("question (bank)", "GET", f"/questions/{question.key}/")
    hit("my interviews", "GET", "/interviews/")
    hit("progress dashboard", "GET", "/progress/")
    cards = hit("flashcards (next due)", "GET", "/progress/cards/")
    if cards.status_code == 302:
        hit("flashcard", "GET", cards["Location"])
    hit("teams", "GET", "/teams/")
    created = hit("team create", "POST", "/teams/new/", {"name": f"bench {uuid.uuid4().hex[:8]}"})
    team_url = created["Location"]
    hit("team board", "GET", team_url)
    hit("team board (htmx, month)", "GET", team_url, {"period": "month"}, **htmx)
    hit("public board", "GET", "/teams/board/")
    hit("profile", "GET", "/accounts/profile/")
    client.logout()
    hit("login (form)", "GET", "/accounts/login/")
    login = {"username": "bench_queries", "password": "bench-queries-pass"}
    hit("login", "POST", "/accounts/login/", login)

    costs = cpu_costs(client, htmx, args.repeat)
    width = max(len(row["page"]) for row in rows)
    for row in rows:
        print(
            f"{row['page']:<{width}}  {row['method']:<4} {row['status']}  {row['queries']:>3}"
            f"  ({row['round_trips']} with transaction control)"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    for cost in costs:
        print(f"{cost['request']:<{width}}  CPU {cost['cpu_ms']:6.2f} ms  ×{cost['cpu_ratio']}")
    report = {"database": args.database, "pages": rows, "cpu": costs}
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.json}")


def cpu_costs(client, htmx: dict, repeat: int, kinds=None) -> list[dict]:
    """The Django process's CPU time per request (time.process_time: Postgres and Redis are
    other processes, so their work is not in it), the median of about `repeat` requests of
    each kind, taken in interleaved rounds after a warm-up round."""
    import statistics

    from questions.models import Question

    qid = Question.objects.published().values_list("id", flat=True).first()
    state = {"n": 0, "pk": None, "tab": uuid.uuid4().hex}

    def start():
        token = str(uuid.uuid4())
        data = {"mode": "interview", "question_count": 5, "time_limit_minutes": 20}
        response = client.post("/interviews/new/", {**data, "start_token": token})
        state["pk"] = int(response["Location"].strip("/").split("/")[-1])
        return response

    def abandon():
        client.post(f"/interviews/{state['pk']}/finish/", {"abandon": "1"})

    def numbered(suffix=""):
        state["n"] += 1
        return f"/interviews/{state['pk']}/q/{state['n'] % 5 + 1}/{suffix}"

    def text():
        return f"{ANSWER} {state['n']}"

    def form(url, data, **extra):
        """A form POST as browsers and htmx send it (URL-encoded; the test client's default
        is multipart, whose parser costs several times more)."""
        body = urlencode(data)
        return client.post(url, body, content_type="application/x-www-form-urlencoded", **extra)

    requests = {
        "trivial": lambda: client.get("/__bench__/trivial/"),
        "pk": lambda: client.get(f"/__bench__/pk/?id={qid}"),
        "question": lambda: client.get(numbered()),
        "draft": lambda: form(
            numbered("draft/"), {"answer": text()[:90], "tab": state["tab"]}, **htmx
        ),
        "submit": lambda: form(
            numbered("answer/"), {"answer": text(), "tab": state["tab"], "form": "text"}, **htmx
        ),
        "start": start,
    }
    names = [name for name in requests if not kinds or name in kinds]
    cpu = {name: [] for name in names}
    wall = {name: [] for name in names}
    batch = 5
    # Rounds of a few requests of every kind, so that a drift of the machine's load (other
    # jobs) touches every kind alike; the first round warms up and is not counted.
    for round_number in range(max(2, repeat // batch + 1)):
        if state["pk"]:
            abandon()
        start()
        for name in names:
            for _ in range(batch):
                if name == "start":
                    abandon()
                c0, w0 = time.process_time(), time.perf_counter()
                response = requests[name]()
                c1, w1 = time.process_time(), time.perf_counter()
                assert response.status_code in (200, 302), (name, response.status_code)
                if round_number:
                    cpu[name].append((c1 - c0) * 1000)
                    wall[name].append((w1 - w0) * 1000)
    costs = [
        {
            "request": name,
            "cpu_ms": round(statistics.median(cpu[name]), 2),
            "wall_ms": round(statistics.median(wall[name]), 2),
        }
        for name in names
    ]
    abandon()
    base = costs[0]["cpu_ms"] if costs[0]["request"] == "trivial" else None
    for cost in costs:
        cost["cpu_ratio"] = round(cost["cpu_ms"] / base, 2) if base else None
    return costs


if __name__ == "__main__":
    main()
