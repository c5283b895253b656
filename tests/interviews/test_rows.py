"""Rows read and written with hand-written SQL (quizsite.rows) are what the ORM reads and
writes."""

import re
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interviews import services
from interviews.models import Interview, Response
from progress import services as progress_services
from progress.models import Card, UserProgress
from quizsite import rows


def as_prepared(statement: str) -> re.Pattern:
    """The statement as pg_prepared_statements shows it: parameters as $1, $2, ..."""
    text = re.escape(" ".join(statement.split()))
    return re.compile(re.sub(r"%(\\\(\w+\\\))?s", r"\\$\\d+", text))


def fields(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


@pytest.mark.django_db
def test_an_answered_interview_reads_the_same_as_through_the_orm(start_interview, candidate):
    interview = start_interview(candidate, count=2)
    answer = services.Answer(form="text", text="Dropout 随机丢弃神经元,防止过拟合。")
    with transaction.atomic():
        locked = services.lock_interview(user=candidate, pk=interview.pk)
        services.response_submit(interview=locked, position=0, answer=answer, revision=None)

    with transaction.atomic():
        locked = services.lock_interview(user=candidate, pk=interview.pk)
        read = services.responses_of(locked)
    assert fields(locked) == fields(Interview.objects.get(pk=interview.pk))
    expected = list(Response.objects.filter(interview=interview).order_by("position"))
    assert [fields(r) for r in read] == [fields(r) for r in expected]
    answered = read[0]
    # Every kind of column arrives converted: JSON lists, a decimal, a duration, aware times.
    assert (
        isinstance(answered.hit, list) and answered.reasons and isinstance(answered.reasons, list)
    )
    assert answered.auto_score == expected[0].auto_score
    assert answered.time_spent is not None and answered.submitted_at.tzinfo is not None
    assert not answered._state.adding and answered._state.db == "default"
    assert model_to_dict(answered) == model_to_dict(expected[0])


@pytest.mark.django_db
def test_rows_without_every_field_are_refused(start_interview, candidate):
    interview = start_interview(candidate, count=1)
    with pytest.raises(ValueError, match="lack the columns"):
        rows.fetch(
            Response, "SELECT id FROM interviews_response WHERE interview_id = %s", [interview.pk]
        )
    with connection.cursor() as cursor:  # the connection is still usable
        cursor.execute("SELECT 1")


@pytest.mark.django_db
def test_the_statements_of_drafts_and_answers_are_prepared(
    start_interview, candidate, candidate_client
):
    """Postgres plans each once per connection (quizsite.rows.prepared_cursor), not per run:
    psycopg prepares a statement on its fifth run."""
    interview = start_interview(candidate, count=3)
    for n in range(12):
        number = n % 3 + 1
        base = f"/interviews/{interview.pk}/q/{number}/"
        saved = candidate_client.post(
            base + "draft/", {"answer": f"草稿 {n}"}, HTTP_HX_REQUEST="true"
        )
        answered = candidate_client.post(
            base + "answer/", {"answer": f"回答 {n}"}, HTTP_HX_REQUEST="true"
        )
        assert (saved.status_code, answered.status_code) == (200, 200)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [" ".join(statement.split()) for (statement,) in cursor.fetchall()]
    for statement in (
        services.LOCK,
        services.RESPONSES,
        services.SAVE_DRAFT,
        services.ANSWER_AND_MOVE,
    ):
        assert any(as_prepared(statement).fullmatch(p) for p in prepared), statement
    # And the answers were written: the last one of each question is what it holds.
    assert [
        r.answer_text for r in Response.objects.filter(interview=interview).order_by("position")
    ] == [
        "回答 9",
        "回答 10",
        "回答 11",
    ]


@pytest.mark.django_db
def test_rows_written_from_arrays_read_back_as_the_orm_saves_them(candidate, stranger):
    """rows.unnest_insert and db_arrays write every kind of column as save() does: JSON, a
    decimal, a duration, a UUID, aware times, NULLs."""

    now = timezone.now()

    def finished(user):
        return Interview(
            user=user,
            mode=Interview.Mode.INTERVIEW,
            question_count=2,
            time_limit=timedelta(minutes=20),
            started_at=now - timedelta(minutes=5),
            deadline=now + timedelta(minutes=15),
            finished_at=now,
            state=Interview.State.FINISHED,
            score=Decimal("0.6250"),
            topic_scores=[{"slug": "cnn", "name_zh": "卷积", "count": 2, "score": 0.625}],
            start_token=uuid4(),
        )

    saved = finished(candidate)
    saved.save()
    written = finished(stranger)
    sql = rows.unnest_insert(Interview) + " RETURNING id"
    [(pk,)] = rows.execute(sql, rows.db_arrays(Interview, [written]))

    def stored(pk):
        values = fields(Interview.objects.get(pk=pk))
        return {k: v for k, v in values.items() if k not in ("id", "user_id", "start_token")}

    assert stored(pk) == stored(saved.pk)
    assert Interview.objects.get(pk=pk).start_token == written.start_token


@pytest.mark.django_db
def test_the_statements_of_a_finish_are_prepared(start_interview, candidate, candidate_client):
    """Finishing interviews one after another on a connection plans the interview's UPDATE,
    the progress merge and the cards' upsert once, and each finish still counts."""

    answer = services.Answer(form="text", text="卷积层共享权重,池化降低分辨率。")
    for _ in range(6):
        interview = start_interview(candidate, count=2)
        with transaction.atomic():
            locked = services.lock_interview(user=candidate, pk=interview.pk)
            for position in range(2):
                services.response_submit(
                    interview=locked, position=position, answer=answer, revision=None
                )
        response = candidate_client.post(f"/interviews/{interview.pk}/finish/")
        assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [" ".join(statement.split()) for (statement,) in cursor.fetchall()]
    for statement in (services.FINISH, progress_services.CARDS_UPSERT):
        assert any(as_prepared(statement).fullmatch(p) for p in prepared), statement
    assert any(p.startswith("WITH m0 AS (INSERT INTO progress_userprogress") for p in prepared)
    assert UserProgress.objects.get(user=candidate).answers == 12
    assert Card.objects.filter(user=candidate).exclude(last_review=None).exists()
    assert Interview.objects.filter(user=candidate, state=Interview.State.FINISHED).count() == 6


@pytest.mark.django_db
def test_an_autosave_is_one_statement_outside_any_transaction(
    start_interview, candidate, candidate_client
):
    interview = start_interview(candidate, count=2)
    path = f"/interviews/{interview.pk}/q/2/draft/"
    with CaptureQueriesContext(connection) as captured:
        saved = candidate_client.post(path, {"answer": "自动保存"}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and 'name="revision"' in saved.content.decode()
    statements = [query["sql"] for query in captured]
    # The session, the user, the autosave: no savepoint (no atomic block), no interview lock.
    assert len(statements) == 3, statements
    assert "UPDATE interviews_response" in statements[2]
    assert not any("SAVEPOINT" in s or "FOR UPDATE" in s for s in statements)
    assert Response.objects.get(interview=interview, position=1).draft_text == "自动保存"
    # Refused ones still go the locked way and say why: the same text again is no write, a
    # stale revision from another tab is a conflict.
    again = candidate_client.post(path, {"answer": "自动保存"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    stale = candidate_client.post(
        path, {"answer": "旧标签页", "revision": 0, "tab": "b" * 32}, HTTP_HX_REQUEST="true"
    )
    assert stale.status_code == 409
    assert Response.objects.get(interview=interview, position=1).revision == 1
