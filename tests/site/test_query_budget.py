"""Every page and every action of the site costs at most 8 SQL queries, at any data size.

The walk below requests each URL of the site (and posts each form) in the order a user would,
once as a new user with nothing recorded and once as a busy one (a long history, many cards,
a large team, a long interview). A URL missing from the walk fails the test, so a new page
cannot escape the budget. The admin is outside it: staff pages, not candidates' hot paths.
"""

import re
import uuid
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from interviews import services as interview_services
from interviews.models import Interview
from progress import services as progress_services
from progress.models import Card
from questions.models import Question, Tag
from teams import services as team_services

pytestmark = pytest.mark.django_db

BUDGET = 8
# Writes that happen once per interview and still cost more than the budget: each is held to
# its own ceiling, the same for a new and a busy user (bench/RESULTS.md keeps the record of why
# and what would bring it down). Lower a ceiling when a change allows it.
OVER_BUDGET = {
    "finish": 12,  # scores the drafts, then the progress and team aggregates and the cards
}
HTMX = {"HTTP_HX_REQUEST": "true"}
# Savepoints are how a test's transaction shows the BEGIN and COMMIT of `atomic`, which
# Django does not log outside tests: transaction control, not queries.
TRANSACTION_CONTROL = re.compile(r"(RELEASE )?SAVEPOINT|ROLLBACK TO SAVEPOINT")


def site_url_names() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}"

    return {name for name in walk(get_resolver().url_patterns) if not name.startswith("admin:")}


@dataclass
class Walk:
    client: object
    counts: dict = field(default_factory=dict)
    names: set = field(default_factory=set)

    def request(self, label, name, method="get", data=None, htmx=False, **kwargs):
        url = reverse(name, kwargs=kwargs or None)
        with CaptureQueriesContext(connection) as captured:
            response = getattr(self.client, method)(url, data or {}, **(HTMX if htmx else {}))
        assert response.status_code < 400, f"{label}: {response.status_code}"
        self.counts[label] = [
            query["sql"] for query in captured if not TRANSACTION_CONTROL.match(query["sql"])
        ]
        self.names.add(name)
        return response


def answer_interviews(user, bank_size: int, interviews: int, per_interview: int) -> None:
    """A history: `interviews` finished interviews with every question answered."""
    for _ in range(interviews):
        interview = interview_services.interview_start(
            user=user,
            mode="practice",
            tags=[],
            question_count=min(per_interview, bank_size),
            time_limit=None,
            start_token=uuid.uuid4(),
        )
        for position in range(interview.question_count):
            interview_services.response_submit(
                interview=Interview.objects.get(pk=interview.pk),
                position=position,
                answer=interview_services.Answer(text="梯度消失 激活函数 残差连接 批归一化"),
                revision=None,
                tab="",
            )
        interview_services.interview_finish(interview=Interview.objects.get(pk=interview.pk))


@pytest.fixture(params=["new", "busy"])
def walker(request, client, bank, candidate, teammate, stranger, django_user_model):
    busy = request.param == "busy"
    for question in bank:  # as `bootstrap` and every import do: the bank's versions recorded
        question.record_version()
    owner = stranger
    team = team_services.team_create(owner=owner, name="Study group")
    team_services.team_join(user=teammate, code=team.invite_code)
    if busy:
        for n in range(40):
            mate = django_user_model.objects.create_user(f"mate{n}", password="x")
            team_services.team_join(user=mate, code=team.invite_code)
        answer_interviews(candidate, bank.count(), interviews=6, per_interview=10)
        answer_interviews(teammate, bank.count(), interviews=2, per_interview=10)
        progress_services.cards_add(user=candidate, questions=list(Question.objects.all()))
    client.force_login(candidate)
    walk = Walk(client)
    walk.busy = busy
    walk.user = candidate
    walk.team = team
    walk.teammate = teammate
    walk.newcomer = django_user_model.objects.create_user("dave", password="x")
    return walk


def test_every_page_and_action_stays_within_the_budget(walker):
    w = walker
    question = Question.objects.published().order_by("pk").last()
    w.request("home", "home")
    w.request("question browser", "questions:browser")
    w.request("topic page", "questions:topic", slug=Tag.objects.order_by("pk").first().slug)
    w.request("question page", "questions:detail", key=question.key)
    w.request("health", "health")

    # An interview from start to review, each step also as htmx where the page uses it.
    w.request("history", "interviews:history")
    form = w.request("start form", "interviews:new")
    token = re.search(r'name="start_token" value="([^"]+)"', form.content.decode())[1]
    count = 30 if w.busy else 3
    w.request(
        "start",
        "interviews:new",
        "post",
        {
            "mode": "interview",
            "question_count": count,
            "time_limit_minutes": 60,
            "start_token": token,
        },
    )
    interview = Interview.objects.get(user=w.user, finished_at=None)
    pk = interview.pk
    w.request("interview page", "interviews:detail", pk=pk)
    w.request("question", "interviews:question", pk=pk, number=1)
    w.request("question (htmx)", "interviews:question", htmx=True, pk=pk, number=2)
    w.request("clock", "interviews:clock", pk=pk)
    w.request(
        "draft", "interviews:draft", "post", {"answer": "草稿", "tab": "t1"}, True, pk=pk, number=1
    )
    w.request(
        "draft again",
        "interviews:draft",
        "post",
        {"answer": "草稿二", "tab": "t1"},
        True,
        pk=pk,
        number=1,
    )
    w.request(
        "submit (htmx)",
        "interviews:submit",
        "post",
        {"answer": "梯度消失", "tab": "t1"},
        True,
        pk=pk,
        number=1,
    )
    w.request("submit", "interviews:submit", "post", {"answer": "激活函数"}, pk=pk, number=2)
    w.request("flag (htmx)", "interviews:flag", "post", {"flagged": "1"}, True, pk=pk, number=3)
    w.request("flag", "interviews:flag", "post", {"flagged": "0"}, pk=pk, number=3)
    # A draft left unsubmitted: the finish scores it too.
    draft = {"answer": "反向传播 梯度", "tab": "t1"}
    w.request("draft (left)", "interviews:draft", "post", draft, True, pk=pk, number=3)
    w.request("finish", "interviews:finish", "post", pk=pk)
    w.request("review", "interviews:review", pk=pk)
    w.request("assess", "interviews:assess", "post", {"value": "knew"}, pk=pk, number=1)
    w.request(
        "assess (htmx)", "interviews:assess", "post", {"value": "partly"}, True, pk=pk, number=2
    )

    # Progress: the dashboard, flashcards, practice.
    w.request("dashboard", "progress:dashboard")
    w.request("add cards", "progress:cards_add", "post", {"topic": Tag.objects.first().slug})
    w.request("next card", "progress:cards")
    card = Card.objects.filter(user=w.user).order_by("due", "pk").first()
    w.request("card", "progress:card", card_id=card.pk)
    w.request("rate card", "progress:rate", "post", {"rating": "3"}, card_id=card.pk)
    practice = {"question_count": 5, "mode": "practice", "start_token": uuid.uuid4()}
    w.request("practice start", "progress:practice", "post", practice)
    practice_pk = Interview.objects.get(user=w.user, finished_at=None).pk
    w.request("abandon", "interviews:finish", "post", {"abandon": "1"}, pk=practice_pk)
    one_topic = {**practice, "start_token": uuid.uuid4(), "topic": Tag.objects.first().slug}
    w.request("practice start (one topic)", "progress:practice", "post", one_topic)
    assert Interview.objects.filter(user=w.user, finished_at=None).exists()

    # Teams: the candidate's own team, the one she joins, the boards.
    w.request("team list", "teams:list")
    w.request("team create", "teams:create", "post", {"name": "Alice's group"})
    own = w.user.team_memberships.filter(role="owner").get().team
    w.request("team settings", "teams:settings", pk=own.pk)
    w.request(
        "team settings save", "teams:settings", "post", {"name": "Alice's group 2"}, pk=own.pk
    )
    w.request("new code", "teams:code", "post", pk=own.pk)
    w.request("join page", "teams:join", code=w.team.invite_code)
    w.request("join", "teams:join", "post", code=w.team.invite_code)
    w.request("team board", "teams:detail", pk=w.team.pk)
    w.request("team board (htmx)", "teams:detail", htmx=True, pk=w.team.pk)
    w.request("public board", "teams:public_board")
    w.request("public board (htmx)", "teams:public_board", htmx=True)
    own.refresh_from_db()
    team_services.team_join(user=w.newcomer, code=own.invite_code)
    w.request("remove", "teams:remove", "post", pk=own.pk, user_id=w.newcomer.pk)
    team_services.team_join(user=w.teammate, code=own.invite_code)
    w.request("transfer", "teams:transfer", "post", pk=own.pk, user_id=w.teammate.pk)
    w.request("leave", "teams:leave", "post", pk=own.pk)

    # Account pages.
    w.request("profile", "profile")
    w.request(
        "profile save",
        "profile",
        "post",
        {"display_name": "Alice", "language": "zh-hans", "timezone": "Asia/Shanghai"},
    )
    w.request("password change form", "password_change")
    w.request(
        "password change",
        "password_change",
        "post",
        {
            "old_password": "alice-pass-2023",
            "new_password1": "n3w-alice-pass",
            "new_password2": "n3w-alice-pass",
        },
    )
    w.request("password changed", "password_change_done")
    w.request("logout", "logout", "post")
    w.request("login form", "login")
    w.request("login", "login", "post", {"username": "alice", "password": "n3w-alice-pass"})
    w.request("logout again", "logout", "post")
    w.request("signup form", "signup")
    w.request("password reset form", "password_reset")
    w.request("password reset", "password_reset", "post", {"email": "nobody@example.com"})
    w.request("password reset sent", "password_reset_done")
    w.request("password reset link", "password_reset_confirm", uidb64="MQ", token="set-password")
    w.request("password reset done", "password_reset_complete")
    w.request(
        "signup",
        "signup",
        "post",
        {
            "username": "erin",
            "display_name": "Erin",
            "email": "erin@example.com",
            "password1": "erin-pass-2023!",
            "password2": "erin-pass-2023!",
        },
    )

    missing = site_url_names() - w.names
    assert not missing, f"add these URLs to the walk: {sorted(missing)}"

    over = {
        label: len(sql)
        for label, sql in w.counts.items()
        if len(sql) > OVER_BUDGET.get(label, BUDGET)
    }
    detail = "\n".join(
        f"{label}: " + "".join(f"\n  {sql[:150]}" for sql in w.counts[label]) for label in over
    )
    assert not over, f"over budget: {over}\n{detail}"
