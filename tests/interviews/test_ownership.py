import pytest
from django.urls import reverse

from interviews.models import Interview

pytestmark = pytest.mark.django_db

GET_ROUTES = ["detail", "review", "clock"]
GET_QUESTION_ROUTES = ["question"]
POST_ROUTES = ["finish"]
POST_QUESTION_ROUTES = ["draft", "submit", "flag", "assess"]


def test_another_users_interview_is_404_for_get_and_post(
    client, start_interview, candidate, stranger
):
    interview = start_interview(candidate, count=2)
    before = list(interview.responses.values())
    client.force_login(stranger)
    for name in GET_ROUTES:
        assert client.get(reverse(f"interviews:{name}", args=[interview.pk])).status_code == 404
    for name in GET_QUESTION_ROUTES:
        response = client.get(reverse(f"interviews:{name}", args=[interview.pk, 1]))
        assert response.status_code == 404
    for name in POST_ROUTES:
        response = client.post(reverse(f"interviews:{name}", args=[interview.pk]))
        assert response.status_code == 404, name
    for name in POST_QUESTION_ROUTES:
        response = client.post(
            reverse(f"interviews:{name}", args=[interview.pk, 1]),
            {"answer": "hijack", "revision": 0, "value": "knew", "flagged": "1"},
        )
        assert response.status_code == 404, name
    interview.refresh_from_db()
    assert interview.state == Interview.State.IN_PROGRESS
    assert list(interview.responses.values()) == before


def test_anonymous_users_are_sent_to_login(client, start_interview, candidate):
    interview = start_interview(candidate, count=2)
    for name in GET_ROUTES:
        response = client.get(reverse(f"interviews:{name}", args=[interview.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("interviews:submit", args=[interview.pk, 1]), {"answer": "x"})
    assert response.status_code == 302
    assert interview.responses.get(position=0).answer_text == ""


def test_history_shows_only_my_interviews(client, start_interview, candidate, stranger):
    mine = start_interview(candidate, count=2)
    client.force_login(stranger)
    page = client.get(reverse("interviews:history")).content.decode()
    assert mine.get_absolute_url() not in page


def test_posts_need_a_csrf_token(start_interview, candidate):
    from django.test import Client

    interview = start_interview(candidate, count=2)
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    response = client.post(
        reverse("interviews:submit", args=[interview.pk, 1]),
        {"answer": "x", "revision": 0},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    page = client.get(reverse("interviews:question", args=[interview.pk, 1])).content.decode()
    assert "X-CSRFToken" in page  # htmx requests carry the token in a header
