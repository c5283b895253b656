"""Every URL that takes an id, for every persona, GET and POST, generated from the URLconf.

alice (the candidate) owns the objects; bob is her team mate; charlie is a stranger; stella is
staff. The owner's requests succeed; everyone else gets a 404 (403 where the team mate may know
the object exists) and nothing changes. A new URL with a parameter fails this test until it is
added to ROUTES below, so no URL can be forgotten.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from interviews.models import Interview, Response
from progress import services as progress_services
from progress.models import Card
from questions.models import Question, Tag
from teams import services as team_services
from teams.models import Membership, Team

pytestmark = pytest.mark.django_db

OK = "ok"  # any status below 400 (a page, or a redirect after a POST)
NOT_FOUND = 404
REFUSED = "refused"  # 403 or 404
LOGIN = "login"  # a redirect to the admin's login page


@dataclass
class Route:
    kwargs: str  # which objects fill the URL: a key of World
    get: dict = field(default_factory=dict)  # persona -> expected for GET
    post: dict = field(default_factory=dict)  # persona -> expected for POST


OWNER_ONLY = {"bob": NOT_FOUND, "charlie": NOT_FOUND, "stella": NOT_FOUND}
TEAM_PAGE = {"alice": OK, "bob": OK, "charlie": NOT_FOUND, "stella": NOT_FOUND}
TEAM_OWNER_ACTION = {"bob": REFUSED, "charlie": NOT_FOUND, "stella": NOT_FOUND}
EVERYONE = {"alice": OK, "bob": OK, "charlie": OK, "stella": OK}

ROUTES = {
    "interviews:detail": Route("interview", get={"alice": OK, **OWNER_ONLY}),
    "interviews:review": Route("interview", get={"alice": OK, **OWNER_ONLY}),
    "interviews:clock": Route("interview", get={"alice": OK, **OWNER_ONLY}),
    "interviews:finish": Route("interview", post=OWNER_ONLY),
    "interviews:question": Route("question_of_interview", get={"alice": OK, **OWNER_ONLY}),
    "interviews:draft": Route("question_of_interview", post=OWNER_ONLY),
    "interviews:submit": Route("question_of_interview", post=OWNER_ONLY),
    "interviews:flag": Route("question_of_interview", post=OWNER_ONLY),
    "interviews:assess": Route("question_of_interview", post=OWNER_ONLY),
    "questions:detail": Route("question", get=EVERYONE),
    "questions:topic": Route("topic", get=EVERYONE),
    "teams:detail": Route(
        "team", get=TEAM_PAGE, post={"bob": 405, "charlie": NOT_FOUND, "stella": NOT_FOUND}
    ),
    "teams:settings": Route("team", get={"alice": OK, **TEAM_OWNER_ACTION}, post=TEAM_OWNER_ACTION),
    "teams:code": Route("team", post=TEAM_OWNER_ACTION),
    "teams:leave": Route("team", post={"charlie": NOT_FOUND, "stella": NOT_FOUND}),
    "teams:remove": Route("teammate", post=TEAM_OWNER_ACTION),
    "teams:transfer": Route("teammate", post=TEAM_OWNER_ACTION),
    # Members are told they already belong (409); others see the team's name and a button.
    "teams:join": Route("invite", get={"alice": 409, "bob": 409, "charlie": OK, "stella": OK}),
    "progress:card": Route("card", get={"alice": OK, **OWNER_ONLY}),
    "progress:rate": Route("card", post=OWNER_ONLY),
    "password_reset_confirm": Route("reset_link", get=EVERYONE),
}
ADMIN = {"alice": LOGIN, "bob": LOGIN, "charlie": LOGIN, "stella": OK}
# Versions are history: not even staff may delete one.
ADMIN_FORBIDDEN = {"admin:questions_questionversion_delete"}


def url_names_with_parameters():
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and pattern.pattern.regex.groupindex
            ):
                yield f"{namespace}{pattern.name}"

    return sorted(set(walk(get_resolver().url_patterns)))


@pytest.fixture
def world(bank, start_interview, candidate, teammate, stranger, staff):
    bob, charlie = teammate, stranger
    interview = start_interview(candidate, count=2)
    team = team_services.team_create(owner=candidate, name="Alice's study group")
    team_services.team_join(user=bob, code=team.invite_code)
    question = Question.objects.published().first()
    progress_services.cards_add(user=candidate, questions=[question])
    card = Card.objects.get(user=candidate)
    return {
        "users": {"alice": candidate, "bob": bob, "charlie": charlie, "stella": staff},
        "interview": {"pk": interview.pk},
        "question_of_interview": {"pk": interview.pk, "number": 1},
        "question": {"key": question.key},
        "topic": {"slug": Tag.objects.first().slug},
        "team": {"pk": team.pk},
        "teammate": {"pk": team.pk, "user_id": bob.pk},
        "invite": {"code": team.invite_code},
        "card": {"card_id": card.pk},
        "reset_link": {"uidb64": "MQ", "token": "set-password"},
    }


def snapshot():
    return [
        list(model.objects.order_by("pk").values())
        for model in (Interview, Response, Team, Membership, Card)
    ]


def admin_kwargs(name: str, world) -> dict | None:
    from django.apps import apps

    pattern_name = name.split(":", 1)[1]
    if pattern_name == "app_list":
        return {"app_label": "questions"}
    if pattern_name == "view_on_site":
        return None
    if pattern_name == "auth_user_password_change":
        return {"id": world["users"]["alice"].pk}
    for action in ("_change", "_delete", "_history"):
        if pattern_name.endswith(action):
            app_model = pattern_name.removesuffix(action)
            for model in apps.get_models():
                if f"{model._meta.app_label}_{model._meta.model_name}" == app_model:
                    obj = model.objects.first()
                    return {"object_id": obj.pk} if obj else None
    return None


def check(response, expected, label):
    status = response.status_code
    assert status < 500, label
    if expected == OK:
        assert status < 400, f"{label}: {status}"
    elif expected == REFUSED:
        assert status in (403, 404), f"{label}: {status}"
    elif expected == LOGIN:
        assert status == 302 and "/admin/login/" in response["Location"], f"{label}: {status}"
    else:
        assert status == expected, f"{label}: {status}"


def test_every_url_with_an_id_is_in_the_matrix():
    missing = [
        name
        for name in url_names_with_parameters()
        if name not in ROUTES and not name.startswith("admin:")
    ]
    assert not missing, f"add these URLs to ROUTES: {missing}"


@pytest.mark.parametrize("persona", ["bob", "charlie", "stella", "alice"])
def test_each_persona_gets_what_it_should_and_changes_nothing_it_should_not(client, world, persona):
    client.force_login(world["users"][persona])
    for name, route in ROUTES.items():
        url = reverse(name, kwargs=world[route.kwargs])
        if persona in route.get:
            check(client.get(url), route.get[persona], f"GET {name} as {persona}")
        if persona in route.post and persona != "alice":
            before = snapshot()
            response = client.post(url, {"answer": "x", "value": "knew", "rating": "3"})
            check(response, route.post[persona], f"POST {name} as {persona}")
            assert snapshot() == before, f"POST {name} as {persona} changed data"


@pytest.mark.parametrize("persona", ["alice", "charlie", "stella"])
def test_admin_urls_are_for_staff_only(client, world, persona):
    client.force_login(world["users"][persona])
    for name in url_names_with_parameters():
        if not name.startswith("admin:"):
            continue
        kwargs = admin_kwargs(name, world)
        if kwargs is None:
            continue
        expected = 403 if persona == "stella" and name in ADMIN_FORBIDDEN else ADMIN[persona]
        check(client.get(reverse(name, kwargs=kwargs)), expected, f"GET {name}")


def test_anonymous_visitors_reach_no_private_page(client, world):
    for name, route in ROUTES.items():
        url = reverse(name, kwargs=world[route.kwargs])
        if route.get is not EVERYONE and route.get:
            response = client.get(url)
            assert response.status_code == 302 and "login" in response["Location"], name
        if route.post:
            before = snapshot()
            response = client.post(url, {})
            assert response.status_code in (302, 403, 404), name
            assert snapshot() == before, name
