"""Rows read and written with hand-written SQL (quizsite.rows) are what the ORM reads and
writes."""

import re
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection, transaction
from django.db.models import signals
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interviews import services
from interviews.models import Interview, Response
from progress import services as progress_services
from progress.models import Card, UserProgress
from questions.models import QuestionVersion, attach_versions
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
def test_instances_built_from_rows_behave_as_the_orms(start_interview, candidate):
    """Built without Model.__init__: the same attributes, saved as an update, related objects
    loaded on access; with a pre_init or post_init receiver, built through __init__ after all."""
    interview = start_interview(candidate, count=2)
    sql = f"SELECT {rows.columns(Response)} FROM interviews_response WHERE interview_id = %s"
    (first, second) = sorted(rows.fetch(Response, sql, [interview.pk]), key=lambda r: r.position)
    orm = Response.objects.get(pk=first.pk)
    assert set(vars(first)) == set(vars(orm))
    assert first.interview == interview and first.question_id == orm.question_id
    first.flagged = True
    first.save(update_fields=["flagged"])
    assert Response.objects.filter(interview=interview, flagged=True).count() == 1
    assert Response.objects.count() == 2  # updated, not inserted

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(receiver, sender=Response)
    try:
        again = rows.fetch(Response, sql, [interview.pk])
    finally:
        signals.post_init.disconnect(receiver, sender=Response)
    assert sorted(seen) == sorted(r.pk for r in again) == sorted([first.pk, second.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("with_receiver", [False, True])
def test_attached_versions_are_the_orms_with_the_snapshot_fields_loaded(
    start_interview, candidate, with_receiver
):
    """attach_versions gives each response the version asked, as the ORM's .only() of the
    snapshot fields would (the others deferred, read on access); with a post_init receiver,
    through __init__."""
    interview = start_interview(candidate, count=2)
    responses = list(interview.responses.order_by("position"))
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    if with_receiver:
        signals.post_init.connect(receiver, sender=QuestionVersion)
    try:
        attach_versions(responses)
    finally:
        signals.post_init.disconnect(receiver, sender=QuestionVersion)
    for response in responses:
        orm = QuestionVersion.objects.only("id", "question_id", "number", "data").get(
            pk=response.version_id
        )
        assert response.version.pk == orm.pk == response.version_id
        assert (response.version.question_id, response.version.number) == (
            orm.question_id,
            orm.number,
        )
        assert response.version.data == orm.data
        assert response.version.get_deferred_fields() == orm.get_deferred_fields()
        assert response.version.created_at == QuestionVersion.objects.get(pk=orm.pk).created_at
    assert sorted(seen) == (sorted(r.version_id for r in responses) if with_receiver else [])


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
        services.SAVE_DRAFT,
        services.INTERVIEW_AND_RESPONSES,
        services.ANSWER_AND_MOVE_UNLOCKED,
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
@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda row: rows.execute(
                rows.unnest_insert(Interview) + " RETURNING id", rows.db_arrays(Interview, [row])
            ),
            id="unnest_insert",
        ),
        pytest.param(
            lambda row: rows.execute(rows.insert(Interview) + " RETURNING id", rows.db_values(row)),
            id="insert",
        ),
    ],
)
def test_rows_written_by_hand_read_back_as_the_orm_saves_them(candidate, stranger, write):
    """rows.unnest_insert with db_arrays, and rows.insert with db_values, write every kind of
    column as save() does: JSON, a decimal, a duration, a UUID, aware times, NULLs."""

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
    [(pk,)] = write(written)

    def stored(pk):
        values = fields(Interview.objects.get(pk=pk))
        return {k: v for k, v in values.items() if k not in ("id", "user_id", "start_token")}

    assert stored(pk) == stored(saved.pk)
    assert Interview.objects.get(pk=pk).start_token == written.start_token


@pytest.mark.django_db
def test_the_statements_of_a_finish_are_prepared(start_interview, candidate, candidate_client):
    """Finishing interviews one after another on a connection plans the interview's lock, the
    read of its responses, its UPDATE, the progress merge and the cards' upsert once, and each
    finish still counts."""

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
    for statement in (
        services.LOCK,
        services.RESPONSES,
        services.FINISH,
        progress_services.CARDS_UPSERT,
    ):
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


@pytest.mark.django_db
def test_an_answer_is_two_statements_outside_any_transaction(
    start_interview, candidate, candidate_client
):
    """The interview and its responses read in one statement without a lock, the answer and
    the move to the next question written in one that checks nothing changed between."""
    interview = start_interview(candidate, count=3)
    assert candidate_client.get(f"/interviews/{interview.pk}/q/1/").status_code == 200
    path = f"/interviews/{interview.pk}/q/1/answer/"
    with CaptureQueriesContext(connection) as captured:
        answered = candidate_client.post(path, {"answer": "丢弃法"}, HTTP_HX_REQUEST="true")
    assert answered.status_code == 200
    assert answered["HX-Push-Url"] == f"/interviews/{interview.pk}/q/2/"
    statements = [" ".join(query["sql"].split()) for query in captured]
    # The session, the user, the read, the write: no BEGIN, no savepoint, no interview lock.
    assert len(statements) == 4, statements
    assert statements[2].startswith("SELECT i.id,") and "FOR UPDATE" not in statements[2]
    assert statements[3].startswith("WITH i AS") and "answer AS (UPDATE" in statements[3]
    assert not any(s in ("BEGIN", "COMMIT") or "SAVEPOINT" in s for s in statements)
    interview.refresh_from_db()
    assert interview.current_position == 1
    first, second, third = Response.objects.filter(interview=interview).order_by("position")
    assert (first.answer_text, first.revision, first.auto_score is not None) == ("丢弃法", 1, True)
    assert second.first_seen_at is not None and third.first_seen_at is None
    # Without htmx the page is not shown: the answer alone, in one statement too.
    with CaptureQueriesContext(connection) as captured:
        answered = candidate_client.post(
            f"/interviews/{interview.pk}/q/3/answer/", {"answer": "批归一化"}
        )
    assert answered.status_code == 302 and answered["Location"].endswith("/q/2/")
    statements = [" ".join(query["sql"].split()) for query in captured]
    assert len(statements) == 4 and "moved AS" not in statements[3], statements
    assert Response.objects.get(interview=interview, position=2).answer_text == "批归一化"


@pytest.mark.django_db
@pytest.mark.parametrize("same_tab", [False, True])
def test_a_draft_saved_while_an_answer_is_scored_is_not_overwritten_unseen(
    start_interview, candidate, candidate_client, monkeypatch, same_tab
):
    """Between the answer's read and its write another write lands on the question: the
    answer goes the locked way, which refuses it as stale when that write came from another
    tab (and keeps that tab's draft), and takes it when it came from the same tab."""
    interview = start_interview(candidate, count=2)
    tab, other = "a" * 32, "b" * 32
    score = services._score
    landed = []

    def score_while_another_write_lands(response, answer):
        if not landed:
            landed.append(
                services.response_autosave(
                    user=candidate,
                    pk=interview.pk,
                    position=0,
                    text="另一个标签页的草稿",
                    revision=0,
                    tab=tab if same_tab else other,
                )
            )
        return score(response, answer)

    monkeypatch.setattr(services, "_score", score_while_another_write_lands)
    answered = candidate_client.post(
        f"/interviews/{interview.pk}/q/1/answer/",
        {"answer": "这个标签页的答案", "revision": 0, "tab": tab},
        HTTP_HX_REQUEST="true",
    )
    response = Response.objects.get(interview=interview, position=0)
    interview.refresh_from_db()
    if same_tab:
        assert answered.status_code == 200
        assert (response.answer_text, response.revision) == ("这个标签页的答案", 2)
        assert interview.current_position == 1
    else:
        assert answered.status_code == 409
        assert "另一个标签页" in answered.content.decode()
        assert (response.answer_text, response.submitted_at) == ("", None)
        assert (response.draft_text, response.revision) == ("另一个标签页的草稿", 1)
        # Nor did the move that comes with the answer happen.
        assert interview.current_position == 0
        assert Response.objects.get(interview=interview, position=1).first_seen_at is None
