"""Write paths of an interview: start, draft, submit, flag, finish, self-assess.

Every write locks the interview row (SELECT ... FOR UPDATE), so writes to one interview are
serialised across requests, tabs and app servers; the deadline is checked under that lock. The
two most frequent, the autosave and the answer, first try one statement that share-locks the
row itself and writes only if the interview is open and in time and the response is as the
request expects (SAVE_DRAFT, ANSWER_IF_UNCHANGED); anything else goes the locked way.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Prefetch
from django.utils import timezone

from interviews import scoring
from interviews.models import GRACE, MAX_ANSWER_CHARS, Interview, Response
from interviews.signals import interview_finished, response_assessed
from questions.models import Question, QuestionVersion, Tag, attach_versions, keep_versions
from quizsite import rows

logger = logging.getLogger(__name__)

RECENT_INTERVIEWS = 3
NO_SUCH_QUESTION = "没有这道题。There is no such question."


class InterviewError(Exception):
    """A refused write; `message` is shown to the user, `status` is the HTTP status."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TimeUp(InterviewError):
    status = 403


class StaleRevision(InterviewError):
    status = 409


class InterviewClosed(InterviewError):
    status = 409


class InterviewInProgress(InterviewError):
    status = 409

    def __init__(self, interview: Interview):
        super().__init__(
            "你还有一场未完成的面试:请继续或放弃它。"
            "You have an unfinished interview: resume or abandon it first."
        )
        self.interview = interview


def warm_up() -> None:
    """Ready a new server process for answers: load the scorer's dictionaries, keep the
    published questions' current versions (attach_versions), and compile each one's rubric by
    scoring it once (about 0.5 s for the bank), rather than on the first answers after a start.

    Best effort: without the database (not migrated yet, or down) only the dictionaries load.
    The connection is closed after, so a process forked from this one opens its own.
    """
    scoring.warm_up()
    try:
        current = (
            QuestionVersion.objects.filter(question__status=Question.Status.PUBLISHED)
            .order_by("question_id", "-number")
            .distinct("question_id")
        )
        for snapshot in keep_versions(current):
            scoring.score_text(snapshot, "预热 warm-up")
    except DatabaseError:
        logger.warning("warm-up: the question bank could not be read", exc_info=True)
    finally:
        connections.close_all()


@dataclass(frozen=True)
class Answer:
    form: str = "text"
    text: str = ""
    choices: tuple[int, ...] = ()
    number: str = ""


def _versions_for(question_ids: list[int]) -> dict[int, int]:
    """The id of each question's current version: its latest recorded one.

    Every path that edits a question (the admin, the imports, bootstrap) records a version, so
    the latest one is current; one query reads them all (ids only, not the snapshots). A
    question never recorded (loaded straight from fixtures) gets its first version here.
    """
    latest = dict(
        QuestionVersion.objects.filter(question_id__in=question_ids)
        .order_by("question_id", "-number")
        .distinct("question_id")
        .values_list("question_id", "id")
    )
    unrecorded = [qid for qid in question_ids if qid not in latest]
    if unrecorded:
        questions = Question.objects.filter(id__in=unrecorded).prefetch_related(
            "tags", "key_points", Prefetch("variants__choices")
        )
        new = [QuestionVersion(question=q, number=1, data=q.snapshot()) for q in questions]
        # Concurrent first starts record the same first versions: the first writer wins and
        # the others read what it wrote (ignore_conflicts returns no ids).
        QuestionVersion.objects.bulk_create(new, ignore_conflicts=True)
        latest.update(
            QuestionVersion.objects.filter(question_id__in=unrecorded, number=1).values_list(
                "question_id", "id"
            )
        )
    return latest


# The draw in one statement: every published question (of the topics, when some are chosen),
# whether one of the user's recent interviews asked it, and its current version (the latest
# recorded; none yet for a question loaded straight from fixtures). Written as SQL: the ORM's
# form of it cost eight times its CPU on the path every start takes. Prepared (quizsite.rows):
# planning it took three times as long as running it.
DRAW = """
SELECT q.id,
       q.id IN (SELECT r.question_id FROM interviews_response r WHERE r.interview_id IN (
                  SELECT i.id FROM interviews_interview i WHERE i.user_id = %(user)s
                  ORDER BY i.started_at DESC LIMIT %(recent)s)) AS recent,
       (SELECT v.id FROM questions_questionversion v WHERE v.question_id = q.id
        ORDER BY v.number DESC LIMIT 1) AS version
  FROM questions_question q
 WHERE q.status = %(published)s
   AND (%(tags)s::bigint[] IS NULL OR EXISTS (
          SELECT 1 FROM questions_question_tags qt
           WHERE qt.question_id = q.id AND qt.tag_id = ANY(%(tags)s)))
"""


def draw_questions(*, user, tags: list[Tag], count: int) -> dict[int, int | None]:
    """Random published questions within the topics, avoiding the user's recent ones: their
    ids, in the drawn order, each with its current version's id (None: never recorded)."""
    params = {
        "user": user.pk,
        "recent": RECENT_INTERVIEWS,
        "published": Question.Status.PUBLISHED,
        "tags": [tag.pk for tag in tags] if tags else None,
    }
    drawn = rows.execute(DRAW, params)
    fresh = [(qid, version) for qid, recent, version in drawn if not recent]
    stale = [(qid, version) for qid, recent, version in drawn if recent]
    random.shuffle(fresh)
    random.shuffle(stale)
    return dict((fresh + stale)[:count])


@transaction.atomic
def interview_start(
    *,
    user,
    mode: str,
    tags: list[Tag],
    question_count: int,
    time_limit: timedelta | None,
    start_token,
    questions: list[Question] | None = None,
) -> Interview:
    """Start an interview; the same start token (a double submit) returns the same one.

    `questions` (published ones, in order) replaces the random draw, for targeted practice.
    """
    if questions is None:
        versions = draw_questions(user=user, tags=tags, count=question_count)
    else:
        # Chosen from the published questions by the caller (progress' practice plan), in this
        # request: not read again.
        versions = dict.fromkeys(q.id for q in questions[:question_count])
    question_ids = list(versions)
    if not question_ids:
        raise InterviewError("所选主题下没有题目。There are no questions in these topics.")
    now = timezone.now()
    timed = mode == Interview.Mode.INTERVIEW and time_limit is not None
    interview = Interview(
        user=user,
        mode=mode,
        question_count=len(question_ids),
        time_limit=time_limit if timed else None,
        started_at=now,
        deadline=now + time_limit if timed else None,
        start_token=start_token,
    )
    if not _insert_unless_taken(interview):
        # This start token's interview exists (a double submit, even a concurrent one: the
        # insert waited for it), or another interview is open: the unique constraints say so.
        mine = Interview.objects.for_user(user)
        existing = mine.filter(start_token=start_token).first()
        if existing is not None:
            return existing
        raise InterviewInProgress(mine.in_progress().first())
    if tags:
        Interview.tags.through.objects.bulk_create(
            Interview.tags.through(interview=interview, tag=tag) for tag in tags
        )
    if None in versions.values():
        versions = _versions_for(question_ids)
    _insert_responses(interview, question_ids, [versions[qid] for qid in question_ids], now)
    return interview


def _insert_unless_taken(interview: Interview) -> bool:
    """INSERT the new interview unless a unique constraint refuses it (its start token's
    interview, or the user's open one, exists): then False, with nothing written. One
    statement: no read before, no savepoint around it."""
    found = rows.execute(INSERT_INTERVIEW, rows.db_values(interview))
    if not found:
        return False
    interview.pk = found[0][0]
    interview._state.adding = False
    interview._state.db = connection.alias
    return True


INSERT_INTERVIEW = rows.insert(Interview) + " ON CONFLICT DO NOTHING RETURNING id"


# Columns an interview's new responses take from the draw; every other column starts at the
# model field's default.
DRAWN_COLUMNS = {"interview_id", "position", "question_id", "version_id", "first_seen_at"}


def _insert_responses(interview: Interview, question_ids, version_ids, now) -> None:
    """Insert the interview's responses, one per question in order, in one statement: the
    drawn columns as arrays, the others their defaults (what bulk_create writes, for a fifth
    of its CPU)."""
    defaults = _undrawn_fields()
    db = rows.db_connection()
    params = [
        interview.pk,
        now,
        *(field.get_db_prep_save(field.get_default(), db) for field in defaults),
        list(question_ids),
        list(version_ids),
    ]
    rows.execute(_insert_responses_sql(), params)


@cache
def _undrawn_fields() -> tuple:
    return tuple(field for field in rows.fields(Response) if field.column not in DRAWN_COLUMNS)


@cache
def _insert_responses_sql() -> str:
    defaults = _undrawn_fields()
    columns = ", ".join(field.column for field in defaults)
    values = ", ".join(f"%s::{rows.sql_type(field)}" for field in defaults)
    return (
        f"INSERT INTO {Response._meta.db_table} (interview_id, position, question_id, "
        f"version_id, first_seen_at, {columns}) "
        f"SELECT %s, d.position - 1, d.question_id, d.version_id, "
        f"CASE WHEN d.position = 1 THEN %s::timestamptz END, {values} "
        f"FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS d(question_id, "
        f"version_id, position)"
    )


# The statements of every write to an interview, written once as SQL: building them with the
# ORM (a third of an answer submit's Python time went to compiling SQL) is per request.
# They run prepared (quizsite.rows), so the SELECTs name their columns.
LOCK = (
    f"SELECT {rows.columns(Interview)} FROM interviews_interview"
    " WHERE id = %s AND user_id = %s FOR UPDATE"
)
RESPONSES = (
    f"SELECT {rows.columns(Response)} FROM interviews_response"
    " WHERE interview_id = %s ORDER BY position"
)


def lock_interview(*, user, pk: int) -> Interview:
    """The user's interview, locked for this transaction; raises Interview.DoesNotExist."""
    found = rows.fetch(Interview, LOCK, [pk, user.pk])
    if not found:
        raise Interview.DoesNotExist
    interview = found[0]
    interview.user = user  # the request's user (with their profile): no query to reach them
    return interview


def with_interview(*, user, pk: int, action):
    """Run action(interview) under the interview's row lock.

    When time is up the write is refused (TimeUp) and the interview is finished with what was
    saved, in a transaction of its own so the refusal does not roll the finish back.
    """
    try:
        with transaction.atomic():
            return action(lock_interview(user=user, pk=pk))
    except TimeUp:
        with transaction.atomic():
            interview_finish(interview=lock_interview(user=user, pk=pk))
        raise


def responses_of(interview: Interview) -> list[Response]:
    """The locked interview's responses, in order, with the question versions asked.

    Call it under the interview's lock (with_interview): every write to an interview's
    responses takes that lock first, so it guards them too, and this read, a statement of its
    own after the lock is held, sees what the previous holder committed (under READ COMMITTED a
    join that also took the lock would see the rows as they were before it waited).
    """
    return _belonging(interview, rows.fetch(Response, RESPONSES, [interview.pk]))


def _belonging(interview: Interview, responses: list[Response]) -> list[Response]:
    attach_versions(responses)  # the snapshots, mostly from this process's copy
    belongs = Response._meta.get_field("interview")
    for response in responses:
        belongs.set_cached_value(response, interview)  # one instance for all (`.interview =`)
    return responses


# The interview and its responses in one statement, without a lock: what an answer reads
# before it writes with ANSWER_IF_UNCHANGED, which checks that nothing it read has changed.
INTERVIEW_AND_RESPONSES = (
    f"SELECT {rows.columns(Interview, 'i')}, {rows.columns(Response, 'r')}"
    " FROM interviews_interview i JOIN interviews_response r ON r.interview_id = i.id"
    " WHERE i.id = %s AND i.user_id = %s ORDER BY r.position"
)


def read_interview(*, user, pk: int) -> tuple[Interview | None, list[Response]]:
    """The user's interview and its responses, in order, in one statement and without a lock;
    (None, []) for a foreign or unknown id."""
    interview, responses = rows.fetch_with_many(
        Interview, Response, INTERVIEW_AND_RESPONSES, [pk, user.pk]
    )
    if interview is None:
        return None, []
    interview.user = user
    return interview, _belonging(interview, responses)


def with_responses(*, user, pk: int, action):
    """with_interview, running action(interview, responses) with its responses read under the
    lock (responses_of)."""
    return with_interview(user=user, pk=pk, action=lambda i: action(i, responses_of(i)))


def _at(responses: list[Response] | None, interview: Interview, position: int, **kwargs):
    """The response at `position`: from responses already read under the lock, or read now."""
    if responses is None:
        return _response(interview, position, **kwargs)
    found = next((r for r in responses if r.position == position), None)
    if found is None:
        raise InterviewError(NO_SUCH_QUESTION)
    return found


def _check_writable(interview: Interview, now) -> None:
    if interview.is_open and interview.is_past_deadline(now):
        raise TimeUp(
            "时间已到,这次作答未被接受;面试已按已保存的内容结束。"
            "Time is up: this answer was not accepted, and the interview was finished with "
            "what had been saved."
        )
    if not interview.is_open:
        raise InterviewClosed(
            "这场面试已经结束,不能再修改。This interview has ended and can no longer be changed."
        )


def _response(interview: Interview, position: int, *, with_version: bool = True) -> Response:
    """The response at `position`, locked; with the question version asked (its snapshot) when
    the caller scores or shows the question (attach_versions). A draft or a flag needs
    neither."""
    try:
        response = Response.objects.select_for_update().get(interview=interview, position=position)
    except Response.DoesNotExist:
        raise InterviewError(NO_SUCH_QUESTION) from None
    if with_version:
        attach_versions([response])
    return response


def _check_revision(response: Response, revision: int | None, tab: str) -> None:
    if revision is None or revision == response.revision:
        return
    if not tab or tab != response.last_tab:
        raise StaleRevision(
            "这道题已在另一个标签页或设备上修改过;请刷新页面查看最新内容后再保存。"
            "This answer was changed in another tab or device; reload to see the latest "
            "version before saving."
        )


def _check_length(text: str) -> None:
    if "\x00" in text:
        raise InterviewError(
            "答案含有无法保存的空字符(\\0),请删除后再试。"
            "The answer contains a NUL character (\\0) that cannot be saved; remove it."
        )
    if len(text) > MAX_ANSWER_CHARS:
        raise InterviewError(
            f"答案过长:{len(text)} 字,上限 {MAX_ANSWER_CHARS} 字。文字仍保留在输入框中。"
            f"The answer is too long: {len(text)} characters, {MAX_ANSWER_CHARS} at most. "
            "Your text is still in the box."
        )


# The autosave in one statement: it writes only when the interview is the user's, open and in
# time (as _check_writable), the revision check passes (as _check_revision) and the text
# changed, and returns what the page needs. The statement share-locks the interview row itself:
# outside a transaction it waits for a finish or an answer holding the interview's lock and then
# sees what they wrote (a finished interview: no row); inside with_interview, which holds that
# lock already, the share lock costs nothing.
OPEN_INTERVIEW = """
i AS (
    SELECT id FROM interviews_interview
     WHERE id = %(interview)s AND user_id = %(user)s AND state = %(open)s
       AND (deadline IS NULL OR deadline >= %(latest)s)
       FOR SHARE
)"""
SAVE_DRAFT = f"""
WITH {OPEN_INTERVIEW}
UPDATE interviews_response r
   SET draft_text = %(text)s, draft_saved_at = %(now)s, revision = r.revision + 1,
       last_tab = %(tab)s
  FROM i
 WHERE r.interview_id = i.id AND r.position = %(position)s
   AND r.draft_text IS DISTINCT FROM %(text)s
   AND (%(revision)s::integer IS NULL OR r.revision = %(revision)s
        OR (%(tab)s <> '' AND r.last_tab = %(tab)s))
RETURNING r.id, r.revision
"""


def _open_interview(interview_id: int, user_id: int, now) -> dict:
    """The parameters of OPEN_INTERVIEW."""
    return {
        "interview": interview_id,
        "user": user_id,
        "open": Interview.State.IN_PROGRESS,
        "latest": now - GRACE,
    }


def _save_draft(interview_id, user_id, position, text, revision, tab, now) -> Response | None:
    """Run SAVE_DRAFT: the saved response (what the page shows of it), or None if not taken."""
    params = {
        **_open_interview(interview_id, user_id, now),
        "text": text,
        "now": now,
        "tab": tab,
        "position": position,
        "revision": revision,
    }
    saved = rows.execute(SAVE_DRAFT, params)
    if not saved:
        return None
    ((pk, new_revision),) = saved
    return Response(
        pk=pk,
        interview_id=interview_id,
        position=position,
        draft_text=text,
        draft_saved_at=now,
        revision=new_revision,
        last_tab=tab,
    )


def response_autosave(
    *, user, pk: int, position: int, text: str, revision: int | None, tab: str = ""
) -> Response:
    """An autosave, the most frequent write: one statement outside any transaction when it is
    taken (SAVE_DRAFT), three round trips fewer than under the interview's lock. When it is not
    (time up, closed, a stale tab, unchanged text, no such question, a foreign or unknown
    interview), the locked way (response_save_draft) finds out why, as it always did."""
    now = timezone.now()
    try:
        _check_length(text)
    except InterviewError:
        pass  # refused under the lock, after the checks that come first there
    else:
        saved = _save_draft(pk, user.pk, position, text, revision, tab, now)
        if saved is not None:
            return saved
    return with_interview(
        user=user,
        pk=pk,
        action=lambda interview: response_save_draft(
            interview=interview, position=position, text=text, revision=revision, tab=tab
        ),
    )


def response_save_draft(
    *, interview: Interview, position: int, text: str, revision: int | None, tab: str = ""
) -> Response:
    """Save a draft under the interview's lock (with_interview): one UPDATE when it is taken,
    the response read only when it is not (unchanged text, a stale tab, no such question) to
    say why."""
    now = timezone.now()
    _check_writable(interview, now)
    _check_length(text)
    saved = _save_draft(interview.pk, interview.user_id, position, text, revision, tab, now)
    if saved is not None:
        saved.interview = interview
        return saved
    response = _response(interview, position, with_version=False)
    _check_revision(response, revision, tab)
    return response  # the same text again: nothing to write


def _score(response: Response, answer: Answer) -> scoring.Score:
    if answer.form == "text":
        return scoring.score_text(response.snapshot, answer.text)
    variant = response.variant()
    value = list(answer.choices) if variant and variant["kind"] != "numeric" else answer.number
    return scoring.score_objective(variant, value)


def _parse_form(response: Response, form: str) -> str:
    if form != "text" and response.variant(form) is None:
        raise InterviewError("没有这种作答形式。This question has no such answer form.")
    return form


SUBMITTED_FIELDS = (
    "form",
    "answer_text",
    "answer_value",
    "draft_text",
    "submitted_at",
    "time_spent",
    "auto_score",
    "hit",
    "missed",
    "reasons",
    "from_draft",
    "revision",
    "last_tab",
)
# The answer, written with the move to the question shown next (MOVE) in one statement.
ANSWER = (
    f"UPDATE interviews_response SET {rows.assignments(Response, SUBMITTED_FIELDS)}"
    " WHERE id = %(id)s"
)
# The answer without the interview's lock (response_answer): written only while the interview
# is the user's, open and in time (OPEN_INTERVIEW, which waits for a finish or a write holding
# the lock) and the response is still as it was read: every draft and answer raises its
# revision, and this one writes the read revision plus one. Under READ COMMITTED a row another
# statement changed meanwhile is checked again as it is now, so a change is never missed.
ANSWER_IF_UNCHANGED = (
    f"answer AS (UPDATE interviews_response r SET"
    f" {rows.assignments(Response, SUBMITTED_FIELDS)} FROM i"
    " WHERE r.id = %(id)s AND r.interview_id = i.id AND r.revision + 1 = %(revision)s"
    " RETURNING r.id)"
)


class Changed(Exception):
    """An answer written without the interview's lock found something changed since it read
    it, or it could not tell: it is taken again under the lock, which says what and why."""


def response_answer(
    *, user, pk: int, position: int, answer: Answer, revision: int | None, tab: str, move: bool
) -> tuple[Interview, list[Response]]:
    """Score and record an answer (response_submit); the interview and its responses as they
    are after it. Raises Interview.DoesNotExist for a foreign or unknown interview.

    The answer is read in one statement without a lock and written in one that checks nothing
    changed in between (two round trips and no transaction; the locked way takes five: BEGIN,
    the lock, the responses, the write, COMMIT). Whatever that way does not write (a refusal,
    a race with another write, the same answer again) goes the locked way, which decides.
    """
    given = {"position": position, "answer": answer, "revision": revision, "tab": tab}

    def submit(interview, responses, unlocked=False):
        response_submit(
            interview=interview, responses=responses, move=move, unlocked=unlocked, **given
        )
        return interview, responses

    interview, responses = read_interview(user=user, pk=pk)
    if interview is not None:
        try:
            return submit(interview, responses, unlocked=True)
        except (Changed, InterviewError):
            pass
    return with_responses(user=user, pk=pk, action=submit)


def response_submit(
    *,
    interview: Interview,
    position: int,
    answer: Answer,
    revision: int | None,
    tab: str = "",
    responses: list[Response] | None = None,
    move: bool = False,
    unlocked: bool = False,
) -> Response:
    """Score and record an answer. `responses`: read under the interview's lock already.
    `move`: also move the candidate to the question shown next (next_position), in the same
    statement as the answer (the htmx submit answers with that question). `unlocked`: the
    interview and `responses` were read without the lock (response_answer); the write is
    taken only if nothing changed since, else Changed is raised."""
    now = timezone.now()
    _check_writable(interview, now)
    response = _at(responses, interview, position)
    form = _parse_form(response, answer.form)
    _check_length(answer.text)
    value = list(answer.choices) if form != "text" else None
    if form != "text" and answer.number:
        value = answer.number
    if (
        response.submitted_at is not None
        and response.form == form
        and response.answer_text == answer.text
        and response.answer_value == value
    ):
        # The same answer again (double click, retry): recorded once.
        if unlocked:
            raise Changed  # whether it is still the same is decided under the lock
        if move:
            interview_move(
                interview=interview,
                responses=responses,
                position=next_position(interview, responses, position),
            )
        return response
    _check_revision(response, revision, tab)
    response.form = form
    result = _score(response, answer)
    response.answer_text = answer.text if form == "text" else ""
    response.answer_value = value
    response.draft_text = answer.text if form == "text" else response.draft_text
    response.submitted_at = now
    response.time_spent = now - (response.first_seen_at or interview.started_at)
    response.auto_score = Decimal(str(result.score))
    response.hit, response.missed, response.reasons = result.hit, result.missed, result.reasons
    response.from_draft = False
    response.revision += 1
    response.last_tab = tab
    params = {**rows.db_values(response, SUBMITTED_FIELDS), "id": response.pk}
    moved = None
    if move:
        target = next_position(interview, responses, position)
        # The answered row is not marked seen in the same statement (a row updated twice in
        # one statement keeps one of the two); it was seen when it was shown.
        moved = _move(interview, responses, target, now, skip=response)
    if unlocked:
        guard = _open_interview(interview.pk, interview.user_id, now)
        if moved is None:
            written = rows.execute(ANSWER_UNLOCKED, {**params, **guard})
        else:
            written = rows.execute(ANSWER_AND_MOVE_UNLOCKED, {**params, **moved, **guard})
        if not written:
            raise Changed
    elif moved is None:
        rows.execute(ANSWER, params)
    else:
        rows.execute(ANSWER_AND_MOVE, {**params, **moved})
    return response


def next_position(interview: Interview, responses: list[Response], position: int) -> int:
    """Where the candidate goes after answering the question at `position`: in practice, that
    question again (its feedback); in an interview, the first unanswered question after it,
    else the first before it, else that question again."""
    if interview.mode == Interview.Mode.PRACTICE:
        return position
    open_positions = [r.position for r in responses if r.submitted_at is None]
    later = [p for p in open_positions if p > position]
    earlier = [p for p in open_positions if p < position]
    return (later or earlier or [position])[0]


def response_flag(
    *,
    interview: Interview,
    position: int,
    flagged: bool,
    responses: list[Response] | None = None,
) -> Response:
    _check_writable(interview, timezone.now())
    response = _at(responses, interview, position, with_version=False)
    if response.flagged != flagged:
        response.flagged = flagged
        response.save(update_fields=["flagged"])
    return response


# Where the candidate is, and when they first saw the question, in one statement.
SEEN_AND_MOVE = """
seen AS (
    UPDATE interviews_response SET first_seen_at = %(now)s
     WHERE id = %(seen)s AND first_seen_at IS NULL
)
UPDATE interviews_interview SET current_position = %(position)s
 WHERE id = %(interview)s AND current_position <> %(position)s
"""
MOVE = "WITH" + SEEN_AND_MOVE
ANSWER_AND_MOVE = f"WITH answer AS ({ANSWER}),{SEEN_AND_MOVE}"
# The same without the lock: the answer if nothing changed (ANSWER_IF_UNCHANGED), the move
# only with it; each returns the answer's id, none when it was not written.
ANSWER_UNLOCKED = f"WITH {OPEN_INTERVIEW}, {ANSWER_IF_UNCHANGED} SELECT id FROM answer"
ANSWER_AND_MOVE_UNLOCKED = f"""WITH {OPEN_INTERVIEW}, {ANSWER_IF_UNCHANGED},
seen AS (
    UPDATE interviews_response SET first_seen_at = %(now)s
     WHERE id = %(seen)s AND first_seen_at IS NULL AND EXISTS (SELECT FROM answer)
),
moved AS (
    UPDATE interviews_interview SET current_position = %(position)s
     WHERE id = %(interview)s AND current_position <> %(position)s
       AND EXISTS (SELECT FROM answer)
)
SELECT id FROM answer"""


def _move(interview, responses, position, now, skip=None) -> dict | None:
    """The parameters of the move to `position` (None when nothing would change), applied to
    the loaded interview and responses; `skip`: a response not to mark seen."""
    if not interview.is_open or not 0 <= position < len(responses):
        return None
    response = responses[position]
    unseen = response.first_seen_at is None and response is not skip
    if interview.current_position == position and not unseen:
        return None
    interview.current_position = position
    if unseen:
        response.first_seen_at = now
    return {
        "now": now,
        "seen": response.pk if unseen else None,
        "interview": interview.pk,
        "position": position,
    }


def interview_move(*, interview: Interview, responses: list[Response], position: int) -> None:
    """Remember where the candidate is, and when they first saw the question: one statement,
    none when neither changes.

    `responses` are the interview's, already loaded: nothing is read again.
    """
    moved = _move(interview, responses, position, timezone.now())
    if moved is not None:
        rows.execute(MOVE, moved)


FINISHED_FIELDS = ("score", "topic_scores", "state", "finished_at")
FINISH = (
    f"UPDATE interviews_interview SET {rows.assignments(Interview, FINISHED_FIELDS)}"
    " WHERE id = %(id)s"
)


def interview_finish(*, interview: Interview, now=None, abandon: bool = False) -> Interview:
    """Score what was saved and close the interview; idempotent."""
    if not interview.is_open:
        return interview
    now = now or timezone.now()
    responses = responses_of(interview)  # the caller holds the interview's lock
    drafted = [
        r for r in responses if r.submitted_at is None and r.draft_text.strip() and not abandon
    ]
    for response in drafted:
        result = scoring.score_text(response.snapshot, response.draft_text)
        response.form = "text"
        response.answer_text = response.draft_text
        response.auto_score = Decimal(str(result.score))
        response.hit, response.missed = result.hit, result.missed
        response.reasons = result.reasons
        response.from_draft = True
    # One statement however many drafts there are.
    Response.objects.bulk_update(
        drafted,
        ["form", "answer_text", "auto_score", "hit", "missed", "reasons", "from_draft"],
    )
    total = sum((r.auto_score or Decimal(0)) for r in responses)
    interview.score = (total / len(responses)).quantize(Decimal("0.0001")) if responses else None
    tags = tags_asked(responses)
    interview.topic_scores = topic_scores(responses, tags)
    if abandon:
        interview.state = Interview.State.ABANDONED
    elif interview.is_past_deadline(now) or (interview.deadline and now >= interview.deadline):
        interview.state = Interview.State.TIMED_OUT
    else:
        interview.state = Interview.State.FINISHED
    interview.finished_at = now
    rows.execute(FINISH, {**rows.db_values(interview, FINISHED_FIELDS), "id": interview.pk})
    interview_finished.send(sender=Interview, interview=interview, responses=responses, tags=tags)
    return interview


def tags_asked(responses: list[Response]) -> dict[str, Tag]:
    """The topics of the questions as asked, by slug (a topic deleted since is missing)."""
    slugs = {slug for response in responses for slug in response.snapshot.get("tags", [])}
    return {tag.slug: tag for tag in rows.fetch(Tag, TAGS, [list(slugs)])} if slugs else {}


TAGS = f"SELECT {rows.columns(Tag)} FROM questions_tag WHERE slug = ANY(%s::text[])"


def topic_scores(responses: list[Response], tags: dict[str, Tag]) -> list[dict]:
    """Mean score per topic of the questions as asked (unanswered count as 0)."""
    scores: dict[str, list[Decimal]] = defaultdict(list)
    for response in responses:
        for slug in response.snapshot.get("tags", []):
            scores[slug].append(response.auto_score or Decimal(0))
    order = sorted(scores, key=lambda slug: (tags[slug].position if slug in tags else 999, slug))
    return [
        {
            "slug": slug,
            "name_zh": tags[slug].name_zh if slug in tags else slug,
            "name_en": tags[slug].name_en if slug in tags else slug,
            "count": len(scores[slug]),
            "score": float(round(sum(scores[slug]) / len(scores[slug]), 4)),
        }
        for slug in order
    ]


def response_assess(*, interview: Interview, position: int, value: str) -> Response:
    if value not in Response.SelfAssessment.values:
        raise InterviewError("请选择:会 / 部分会 / 不会。Choose knew / partly / didn't know.")
    response = _response(interview, position)
    response.interview = interview  # the receivers read it: no second query
    if interview.is_open and interview.mode == Interview.Mode.INTERVIEW:
        raise InterviewError("交卷后才能自评。Self-assess after finishing the interview.")
    if interview.is_open and response.submitted_at is None:
        raise InterviewError("先作答再自评。Answer the question before assessing it.")
    response.self_assessment = value
    response.save(update_fields=["self_assessment"])
    response_assessed.send(sender=Response, response=response)
    return response
