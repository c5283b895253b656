import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_check_deploy_passes_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "a-production-secret-of-sufficient-length-and-entropy-0123456789abcdef",
        "ALLOWED_HOSTS": "trainer.example.com",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_health_is_200_when_the_database_answers(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["database"] == "up"


def test_health_is_503_when_the_database_does_not(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError):
        response = client.get(reverse("health"))
    assert response.status_code == 503


def test_unknown_pages_get_a_bilingual_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "找不到这个页面" in content and "Page not found" in content


def test_pages_name_their_icon_so_browsers_do_not_ask_for_a_missing_one(client, bank):
    """Without a declared icon every first visit asks for /favicon.ico: a 404 in the log and
    an error in the browser's console."""
    from django.contrib.staticfiles import finders

    page = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)" type="image/svg\+xml">', page)
    assert icon, "the page declares no icon"
    found = finders.find(icon.group(1))
    assert found and Path(found).read_text().startswith("<svg")


def test_responses_carry_a_content_security_policy_with_a_nonce(client, bank):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "unsafe-eval" not in policy


@override_settings(RATE_LIMITS={"start": (2, 3600), "answer": (3, 60), "draft": (3, 60)})
def test_starting_interviews_too_fast_is_429(candidate_client, candidate, bank):
    from django.core.cache import cache

    from interviews.models import Interview

    cache.clear()
    statuses = []
    for _ in range(3):
        response = candidate_client.post(
            reverse("interviews:new"),
            {"mode": "practice", "question_count": 1, "start_token": "bad"},
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert "Too many requests" in response.content.decode()
    assert response["Retry-After"]
    assert not Interview.objects.exists()


@override_settings(RATE_LIMITS={"start": (30, 3600), "answer": (2, 60), "draft": (2, 60)})
def test_submitting_answers_too_fast_is_429_and_changes_nothing(
    candidate_client, candidate, start_interview
):
    from django.core.cache import cache

    cache.clear()
    interview = start_interview(candidate, count=3)
    url = reverse("interviews:submit", args=[interview.pk, 1])
    for text in ("一", "二"):
        candidate_client.post(url, {"answer": text, "tab": "a" * 32})
    response = candidate_client.post(url, {"answer": "三", "tab": "a" * 32})
    assert response.status_code == 429
    assert interview.responses.get(position=0).answer_text == "二"


def test_request_logs_name_user_and_interview_but_never_the_answer(
    candidate_client, candidate, start_interview, caplog
):
    interview = start_interview(candidate, count=2)
    secret_answer = "这是不应出现在日志里的答案"
    with caplog.at_level(logging.INFO, logger="quizsite.requests"):
        candidate_client.post(
            reverse("interviews:draft", args=[interview.pk, 1]),
            {"answer": secret_answer, "revision": 0},
        )
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "quizsite.requests"]
    assert lines[-1]["interview_id"] == interview.pk
    assert lines[-1]["user_id"] == candidate.pk
    assert lines[-1]["status"] == 302
    assert secret_answer not in caplog.text
    assert "password" not in caplog.text
