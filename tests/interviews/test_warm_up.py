"""A new server process compiles the bank's rubrics before its first answer (quizsite/wsgi.py)."""

import logging

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from interviews import scoring, services
from questions.models import Question, QuestionVersion, forget_versions


@pytest.mark.django_db(transaction=True)
def test_warming_up_compiles_every_published_rubric(bank):
    for question in Question.objects.published():
        question.record_version()
    scoring._pattern.cache_clear()
    services.warm_up()
    compiled = scoring._pattern.cache_info().currsize
    # Every phrase part of every published question's current rubric is compiled.
    parts = {
        part
        for data in QuestionVersion.objects.values_list("data", flat=True)
        for point in data.get("rubric") or []
        if point.get("weight")
        for phrase in point.get("phrases") or []
        for part in scoring._phrase_parts(phrase)
    }
    assert parts and compiled >= len(parts)
    before = scoring._pattern.cache_info().misses
    snapshot = QuestionVersion.objects.order_by("?").first().data
    scoring.score_text(snapshot, "批归一化让训练更稳定")
    assert scoring._pattern.cache_info().misses == before  # nothing left to compile


@pytest.mark.django_db(transaction=True)
def test_after_warming_up_an_interview_page_reads_no_question_version(
    bank, start_interview, candidate, client
):
    for question in Question.objects.published():
        question.record_version()
    interview = start_interview(candidate, count=3)
    client.force_login(candidate)
    url = f"/interviews/{interview.pk}/q/2/"
    client.get(url)  # the session and user, as for any page
    forget_versions()
    services.warm_up()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert not [q for q in captured.captured_queries if "questions_questionversion" in q["sql"]]


@pytest.mark.django_db(transaction=True)
def test_warming_up_without_the_database_still_loads_the_scorer(monkeypatch, caplog):
    def unreadable(*args, **kwargs):
        raise DatabaseError("the database is down")

    monkeypatch.setattr(QuestionVersion.objects, "filter", unreadable)
    with caplog.at_level(logging.WARNING, logger="interviews.services"):
        services.warm_up()
    assert "could not be read" in caplog.text
    assert scoring.score_text({"rubric": []}, "答案").reasons  # the scorer works
