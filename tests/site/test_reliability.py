import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.urls import reverse

from interviews.models import Interview, Response

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, database: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{database}",
        "DEBUG": "true",
        "CONN_MAX_AGE": "0",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [str(gunicorn), "quizsite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_up(port: int) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(port: int, path: str, data: dict, cookies: dict) -> int:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-CSRFToken": cookies["csrftoken"],
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=20).status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_share_one_interview_and_lose_nothing(start_interview, candidate):
    interview = start_interview(candidate, count=6)
    client = Client()
    client.force_login(candidate)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": "a" * 32}
    database = connection.settings_dict["NAME"]
    ports = [free_port(), free_port()]
    servers = [start_server(port, database) for port in ports]
    try:
        for port in ports:
            wait_until_up(port)
        for number in range(1, 7):
            port = ports[number % 2]
            draft = {"answer": f"草稿 {number}", "revision": 0, "tab": "c" * 32}
            assert (
                post(port, f"/interviews/{interview.pk}/q/{number}/draft/", draft, cookies) == 302
            )
            other = ports[(number + 1) % 2]
            answer = {"answer": f"答案 {number}", "revision": 1, "tab": "c" * 32}
            assert (
                post(other, f"/interviews/{interview.pk}/q/{number}/answer/", answer, cookies)
                == 302
            )
        assert post(ports[0], f"/interviews/{interview.pk}/finish/", {}, cookies) == 302
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    answers = dict(
        Response.objects.filter(interview=interview).values_list("position", "answer_text")
    )
    assert answers == {n - 1: f"答案 {n}" for n in range(1, 7)}
    interview.refresh_from_db()
    assert interview.state == Interview.State.FINISHED


@pytest.mark.django_db
def test_a_database_error_mid_finish_leaves_no_partial_write(start_interview, candidate):
    interview = start_interview(candidate, count=3)
    Response.objects.filter(interview=interview).update(draft_text="保存的草稿")
    before = list(Response.objects.filter(interview=interview).order_by("position").values())
    client = Client(raise_request_exception=False)
    client.force_login(candidate)
    with mock.patch("interviews.services.topic_scores", side_effect=DatabaseError("disk full")):
        response = client.post(reverse("interviews:finish", args=[interview.pk]))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert (
        list(Response.objects.filter(interview=interview).order_by("position").values()) == before
    )
    interview.refresh_from_db()
    assert interview.state == Interview.State.IN_PROGRESS
