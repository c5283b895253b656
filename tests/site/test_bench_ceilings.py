"""The load test's ceiling views exist only when BENCH_CEILINGS=1."""

import importlib

import pytest
from django.urls import Resolver404, clear_url_caches, resolve

import quizsite.urls
from questions.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def ceilings_on(monkeypatch):
    """quizsite.urls rebuilt with BENCH_CEILINGS=1, and rebuilt without it afterwards."""
    monkeypatch.setenv("BENCH_CEILINGS", "1")
    importlib.reload(quizsite.urls)
    clear_url_caches()
    yield
    monkeypatch.delenv("BENCH_CEILINGS")
    importlib.reload(quizsite.urls)
    clear_url_caches()


@pytest.mark.parametrize("value", [None, "0", "true", ""])
def test_no_bench_urls_without_the_variable(client, candidate, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("BENCH_CEILINGS", raising=False)
    else:
        monkeypatch.setenv("BENCH_CEILINGS", value)
    importlib.reload(quizsite.urls)
    clear_url_caches()
    client.force_login(candidate)
    for url in ("/__bench__/trivial/", "/__bench__/pk/?id=1", "/__bench__/"):
        assert client.get(url).status_code == 404
        with pytest.raises(Resolver404):
            resolve(url.split("?")[0])


def test_trivial_view_needs_a_login_and_answers_with_two_queries(
    ceilings_on, client, candidate, django_assert_num_queries
):
    response = client.get("/__bench__/trivial/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(candidate)
    with django_assert_num_queries(2):  # the session, the user
        response = client.get("/__bench__/trivial/")
    assert response.status_code == 200
    assert response.content.startswith(b"ok")


def test_primary_key_view_reads_one_question(
    ceilings_on, client, candidate, bank, django_assert_num_queries
):
    question = Question.objects.order_by("pk").first()
    client.force_login(candidate)
    with django_assert_num_queries(3):  # the session, the user, the question by primary key
        response = client.get(f"/__bench__/pk/?id={question.pk}")
    assert response.status_code == 200
    assert response.content.decode() == f"ok {question.key}"
    assert client.get("/__bench__/pk/?id=0").status_code == 404
    assert client.get("/__bench__/pk/?id=x").status_code == 404
