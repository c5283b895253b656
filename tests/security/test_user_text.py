"""Arbitrary text into every form: never a 500, never unescaped, nothing changed on refusal."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Profile
from interviews.models import Response

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><script>alert('x')</script>",
    "{{ request }}{% debug %}",
    "\u202egnp.exe",  # right-to-left override
    "مرحبا بالعالم",
    "😀🔥👩‍💻",
    "反向传播\x00空字符",
    "\x01\x02\x1b[31m",
    "' OR 1=1 --",
]
TEXT = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50).map(
        lambda s: f"<b>{s}</b><script>{s}</script>"
    ),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_escaped(content: str, text: str) -> None:
    if "<script>" in text:
        assert "<script>" + text.split("<script>", 1)[1][:20] not in content


@FUZZ
@given(text=TEXT)
def test_answers_never_break_the_page_or_escape(candidate_client, candidate, start_interview, text):
    interview = (
        start_interview(candidate, count=1, minutes=30)
        if not hasattr(candidate, "_fuzz_interview")
        else candidate._fuzz_interview
    )
    candidate._fuzz_interview = interview
    before = Response.objects.get(interview=interview).draft_text
    for name in ("draft", "submit"):
        response = candidate_client.post(
            reverse(f"interviews:{name}", args=[interview.pk, 1]),
            {"answer": text, "tab": "f" * 32},
            headers={"HX-Request": "true"},
        )
        assert response.status_code < 500
        assert_escaped(response.content.decode(), text)
        if response.status_code >= 400:
            assert Response.objects.get(interview=interview).draft_text == before
    page = candidate_client.get(reverse("interviews:question", args=[interview.pk, 1]))
    assert page.status_code == 200
    assert_escaped(page.content.decode(), text)


@FUZZ
@given(text=TEXT, value=st.text(max_size=30), flagged=st.text(max_size=5))
def test_flags_and_assessments_refuse_junk(
    candidate_client, candidate, start_interview, text, value, flagged
):
    interview = (
        start_interview(candidate, count=1, minutes=30)
        if not hasattr(candidate, "_fuzz_interview")
        else candidate._fuzz_interview
    )
    candidate._fuzz_interview = interview
    before = Response.objects.get(interview=interview).self_assessment
    response = candidate_client.post(
        reverse("interviews:assess", args=[interview.pk, 1]), {"value": value}
    )
    assert response.status_code < 500
    assert Response.objects.get(interview=interview).self_assessment == before
    response = candidate_client.post(
        reverse("interviews:flag", args=[interview.pk, 1]), {"flagged": flagged + text}
    )
    assert response.status_code < 500


@FUZZ
@given(name=TEXT)
def test_display_names_are_escaped_or_refused(candidate_client, candidate, name):
    before = list(Profile.objects.filter(user=candidate).values())
    response = candidate_client.post(
        reverse("profile"),
        {"display_name": name, "language": "zh-hans", "timezone": "Asia/Shanghai"},
    )
    assert response.status_code < 500
    assert_escaped(response.content.decode(), name)
    if response.status_code >= 400:
        assert list(Profile.objects.filter(user=candidate).values()) == before
    else:
        page = candidate_client.get(reverse("profile")).content.decode()
        assert_escaped(page, name)


def test_a_100_kb_answer_is_refused_cleanly(candidate_client, candidate, start_interview):
    interview = start_interview(candidate, count=1)
    huge = "<script>x</script>" + "长" * 100_000
    for name in ("draft", "submit"):
        response = candidate_client.post(
            reverse(f"interviews:{name}", args=[interview.pk, 1]), {"answer": huge}
        )
        assert response.status_code == 400
        assert "<script>x</script>" not in response.content.decode()
    saved = Response.objects.get(interview=interview)
    assert saved.draft_text == "" and saved.submitted_at is None


def test_a_100_kb_display_name_is_refused(candidate_client, candidate):
    response = candidate_client.post(
        reverse("profile"),
        {"display_name": "名" * 100_000, "language": "zh-hans", "timezone": "Asia/Shanghai"},
    )
    assert response.status_code == 400


@FUZZ
@given(name=TEXT, description=TEXT)
def test_team_names_and_descriptions_are_escaped_or_refused(
    candidate_client, candidate, name, description
):
    from teams.models import Team

    before = Team.objects.count()
    response = candidate_client.post(
        reverse("teams:create"), {"name": name, "description": description}
    )
    assert response.status_code < 500
    assert_escaped(response.content.decode(), name)
    if response.status_code >= 400:
        assert Team.objects.count() == before
        return
    team = Team.objects.filter(owner=candidate).latest("pk")
    for url in (reverse("teams:detail", args=[team.pk]), reverse("teams:list")):
        page = candidate_client.get(url)
        assert page.status_code == 200
        assert_escaped(page.content.decode(), name)
        assert_escaped(page.content.decode(), description)


@FUZZ
@given(username=TEXT, display_name=TEXT)
def test_sign_up_escapes_or_refuses_any_text(client, username, display_name):
    from django.contrib.auth.models import User

    before = User.objects.count()
    response = client.post(
        reverse("signup"),
        {
            "username": username,
            "display_name": display_name,
            "email": "",
            "password1": "a-long-pass-2023",
            "password2": "a-long-pass-2023",
        },
    )
    assert response.status_code < 500
    assert_escaped(response.content.decode(), username)
    assert_escaped(response.content.decode(), display_name)
    if response.status_code >= 400:
        assert User.objects.count() == before
    client.logout()


@FUZZ
@given(count=st.text(max_size=12), minutes=st.text(max_size=12), mode=TEXT, token=TEXT)
def test_the_start_form_refuses_junk(
    candidate_client, candidate, bank, count, minutes, mode, token
):
    from interviews.models import Interview

    response = candidate_client.post(
        reverse("interviews:new"),
        {
            "mode": mode,
            "question_count": count,
            "time_limit_minutes": minutes,
            "start_token": token,
        },
    )
    assert response.status_code < 500
    assert_escaped(response.content.decode(), mode)
    assert not Interview.objects.filter(user=candidate).exists()
