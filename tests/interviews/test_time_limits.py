from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.models import GRACE, Interview
from tests.interviews.conftest import expire

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(start_interview, candidate, candidate_client):
    return start_interview(candidate, count=3, minutes=10)


def url(name, interview, number=None):
    args = [interview.pk] if number is None else [interview.pk, number]
    return reverse(f"interviews:{name}", args=args)


def test_a_late_answer_is_refused_and_the_interview_finished_with_what_was_saved(
    candidate_client, interview
):
    candidate_client.post(url("draft", interview, 1), {"answer": "截止前的草稿", "revision": 0})
    expire(interview, seconds_ago=int(GRACE.total_seconds()) + 5)
    response = candidate_client.post(
        url("submit", interview, 1),
        {"answer": "截止后的答案", "revision": 1},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == url("review", interview)
    interview.refresh_from_db()
    assert interview.state == Interview.State.TIMED_OUT
    saved = interview.responses.get(position=0)
    assert saved.answer_text == "截止前的草稿" and saved.from_draft
    review = candidate_client.get(url("review", interview)).content.decode()
    assert "Time is up" in review


def test_a_late_draft_is_refused_with_a_clear_message(candidate_client, interview):
    expire(interview, seconds_ago=60)
    response = candidate_client.post(
        url("draft", interview, 1),
        {"answer": "太晚了", "revision": 0},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert "时间已到" in response.content.decode()
    assert interview.responses.get(position=0).draft_text == ""


def test_an_answer_within_the_grace_period_counts(candidate_client, interview):
    expire(interview, seconds_ago=2)
    response = candidate_client.post(url("submit", interview, 1), {"answer": "刚好", "revision": 0})
    assert response.status_code == 302
    assert interview.responses.get(position=0).answer_text == "刚好"


@pytest.mark.parametrize(
    "tamper",
    [
        {"deadline": "2999-01-01T00:00:00Z"},
        {"seconds_left": "99999"},
        {"time_limit": "999"},
        {"started_at": "2999-01-01T00:00:00Z"},
    ],
)
def test_no_client_value_extends_the_time(candidate_client, interview, tamper):
    expire(interview, seconds_ago=60)
    response = candidate_client.post(
        url("submit", interview, 1),
        {"answer": "篡改", "revision": 0, **tamper},
        headers={"X-Client-Time": "2000-01-01T00:00:00Z", "Date": "Sat, 01 Jan 2000 00:00:00 GMT"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("review", interview)
    interview.refresh_from_db()
    assert interview.state == Interview.State.TIMED_OUT
    assert interview.responses.get(position=0).answer_text == ""


def test_coming_back_resumes_with_the_time_really_left(candidate_client, interview):
    interview.deadline = timezone.now() + timedelta(minutes=3)
    interview.save()
    clock = candidate_client.get(url("clock", interview)).json()
    assert 170 <= clock["seconds_left"] <= 180
    page = candidate_client.get(url("question", interview, 1)).content.decode()
    assert 'data-seconds-left="17' in page or 'data-seconds-left="18' in page


def test_opening_an_expired_interview_finishes_it(candidate_client, interview):
    expire(interview, seconds_ago=60)
    response = candidate_client.get(interview.get_absolute_url())
    assert response["Location"] == url("review", interview)
    interview.refresh_from_db()
    assert interview.state == Interview.State.TIMED_OUT
    assert candidate_client.get(url("question", interview, 1)).status_code == 302


def test_finishing_twice_changes_nothing(candidate_client, interview):
    candidate_client.post(url("finish", interview))
    interview.refresh_from_db()
    first = (interview.finished_at, interview.score, interview.state)
    candidate_client.post(url("finish", interview))
    interview.refresh_from_db()
    assert (interview.finished_at, interview.score, interview.state) == first
