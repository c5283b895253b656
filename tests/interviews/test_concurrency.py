"""Concurrent writes to one interview, through real separate database connections."""

import threading

import pytest
from django.db import connection, models, transaction
from django.test import Client
from django.urls import reverse

from interviews import services
from interviews.models import Response
from tests.together import statuses_together

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def finishing(user, interview, locked, release, after=None) -> threading.Thread:
    """A started thread finishing the interview on its own connection: it sets `locked` once
    it holds the interview's lock and keeps it until `release` is set; with `after`, it begins
    once that is set."""

    def finish():
        try:
            if after is not None:
                assert after.wait(timeout=10)
            with transaction.atomic():
                services.interview_finish(
                    interview=services.lock_interview(user=user, pk=interview.pk)
                )
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


def test_the_same_answer_from_two_tabs_is_recorded_once(start_interview, candidate):
    interview = start_interview(candidate, count=2)
    path = reverse("interviews:submit", args=[interview.pk, 1])
    data = {"answer": "同一个答案", "revision": 0}
    statuses = statuses_together([(logged_in(candidate), path, data) for _ in range(4)])
    assert statuses.count(302) == 4  # every tab sees success…
    response = Response.objects.get(interview=interview, position=0)
    assert response.revision == 1  # …and it was written once
    assert response.answer_text == "同一个答案"


def test_different_answers_from_two_tabs_one_wins_the_other_is_told(start_interview, candidate):
    interview = start_interview(candidate, count=2)
    path = reverse("interviews:submit", args=[interview.pk, 1])
    statuses = statuses_together(
        [
            (logged_in(candidate), path, {"answer": "标签页 A", "revision": 0}),
            (logged_in(candidate), path, {"answer": "标签页 B", "revision": 0}),
        ]
    )
    assert sorted(statuses) == [302, 409]
    response = Response.objects.get(interview=interview, position=0)
    assert response.revision == 1
    assert response.answer_text in ("标签页 A", "标签页 B")


def test_concurrent_drafts_to_different_questions_all_land(start_interview, candidate):
    interview = start_interview(candidate, count=4)
    requests = [
        (
            logged_in(candidate),
            reverse("interviews:draft", args=[interview.pk, n]),
            {"answer": f"草稿 {n}", "revision": 0},
        )
        for n in range(1, 5)
    ]
    statuses = statuses_together(requests)
    assert statuses == [302] * 4
    drafts = dict(
        Response.objects.filter(interview=interview).values_list("position", "draft_text")
    )
    assert drafts == {n - 1: f"草稿 {n}" for n in range(1, 5)}


def test_concurrent_starts_with_one_token_make_one_interview(bank, candidate):
    from interviews.models import Interview

    path = reverse("interviews:new")
    data = {
        "mode": "interview",
        "question_count": 5,
        "time_limit_minutes": 20,
        "start_token": "0b8f9a3e-7c55-4b9e-9d8e-2a3c4d5e6f70",
    }
    statuses = statuses_together([(logged_in(candidate), path, data) for _ in range(4)])
    assert statuses == [302] * 4
    assert Interview.objects.filter(user=candidate).count() == 1


def test_first_starts_on_a_bank_never_asked_record_each_first_version_once(
    bank, candidate, teammate, stranger
):
    """A bank loaded from fixtures has no versions yet: the first starts record them, and
    several at once must all start (not fail on the version's unique number)."""
    from interviews.models import Interview
    from questions.models import QuestionVersion

    QuestionVersion.objects.all().delete()
    path = reverse("interviews:new")
    data = {"mode": "interview", "question_count": 30, "time_limit_minutes": 20}
    statuses = statuses_together(
        [
            (
                logged_in(user),
                path,
                {**data, "start_token": f"0b8f9a3e-7c55-4b9e-9d8e-2a3c4d5e6f7{n}"},
            )
            for n, user in enumerate((candidate, teammate, stranger))
        ]
    )
    assert statuses == [302] * 3
    assert Interview.objects.count() == 3
    asked = set(Response.objects.values_list("question_id", flat=True))
    assert len(asked) >= 30
    # One first version per question asked, whoever recorded it.
    assert sorted(QuestionVersion.objects.values_list("question_id", flat=True)) == sorted(asked)
    assert not Response.objects.exclude(version__question_id=models.F("question_id")).exists()


def test_drafts_of_one_question_from_one_tab_at_once_all_land(start_interview, candidate):
    """The autosave writes without taking the interview's lock: several at once still each
    count, one after another on the response's row."""
    interview = start_interview(candidate, count=2)
    path = reverse("interviews:draft", args=[interview.pk, 1])
    tab = "a" * 32
    statuses = statuses_together(
        [(logged_in(candidate), path, {"answer": f"草稿 {n}", "tab": tab}) for n in range(4)]
    )
    assert statuses == [302] * 4
    response = Response.objects.get(interview=interview, position=0)
    assert response.revision == 4
    assert response.draft_text in {f"草稿 {n}" for n in range(4)}


def test_a_draft_sent_while_the_interview_finishes_waits_and_is_refused(start_interview, candidate):
    """A finish holds the interview's lock; an autosave sent meanwhile waits for it, then sees
    the interview closed: refused with the reason, and the draft is not stored after the
    finish scored what had been saved."""
    interview = start_interview(candidate, count=2)
    locked, release = threading.Event(), threading.Event()
    finisher = finishing(candidate, interview, locked, release)
    assert locked.wait(timeout=10)
    result = {}

    def draft():
        try:
            result["response"] = logged_in(candidate).post(
                reverse("interviews:draft", args=[interview.pk, 1]),
                {"answer": "交卷时才写的草稿"},
                HTTP_HX_REQUEST="true",
            )
        finally:
            connection.close()

    drafter = threading.Thread(target=draft)
    drafter.start()
    drafter.join(timeout=1)
    assert drafter.is_alive()  # waiting for the finish's lock
    release.set()
    finisher.join(timeout=10)
    drafter.join(timeout=10)
    response = result["response"]
    assert response.status_code == 409
    assert "已经结束" in response.content.decode()
    assert Response.objects.get(interview=interview, position=0).draft_text == ""


def test_an_answer_sent_while_the_interview_finishes_waits_and_is_refused(
    start_interview, candidate
):
    """The answer reads the interview open without waiting for anybody, then its write waits
    for the finish holding the lock, sees the interview finished and is not taken: refused
    as closed, and the finish's score stands."""
    interview = start_interview(candidate, count=2)
    read, locked, release = threading.Event(), threading.Event(), threading.Event()
    read_interview = services.read_interview

    def read_then_let_the_finish_lock(**kwargs):
        found = read_interview(**kwargs)
        read.set()
        assert locked.wait(timeout=10)
        return found

    result = {}

    def answer():
        try:
            result["response"] = logged_in(candidate).post(
                reverse("interviews:submit", args=[interview.pk, 1]),
                {"answer": "交卷时才交的答案"},
            )
        finally:
            connection.close()

    services.read_interview = read_then_let_the_finish_lock
    try:
        finisher = finishing(candidate, interview, locked, release, after=read)
        answerer = threading.Thread(target=answer)
        answerer.start()
        answerer.join(timeout=2)
        assert answerer.is_alive()  # its write waits for the finish's lock
        release.set()
        finisher.join(timeout=10)
        answerer.join(timeout=10)
    finally:
        services.read_interview = read_interview
    response = result["response"]
    # Refused as closed: a page is sent to the review, where the message is shown.
    assert response.status_code == 302
    assert response["Location"] == reverse("interviews:review", args=[interview.pk])
    stored = Response.objects.get(interview=interview, position=0)
    assert (stored.answer_text, stored.submitted_at) == ("", None)
    interview.refresh_from_db()
    assert interview.state == interview.State.FINISHED and interview.score == 0
