"""Interview rows read with hand-written SQL (quizsite.rows) come back as the ORM gives them."""

import re

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from interviews import services
from interviews.models import Interview, Response
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
