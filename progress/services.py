"""Write paths of progress: recording a scored interview, self-assessments, flashcard ratings,
adding cards, and starting a weak-topic practice.

Every write of a user's progress takes that user's advisory lock first, so two writes for one
user (an interview finishing while a flashcard is rated in another tab) are serialised and the
read-modify-write of the aggregates below is safe.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache

import fsrs
from django.db import models, transaction
from django.db.models import Q, Value
from django.utils import timezone

from interviews import services as interview_services
from interviews.models import Interview, Response
from progress import measures, scheduling, selectors
from progress.models import (
    Card,
    FlashcardReview,
    MissedPoint,
    TopicQuestionStat,
    TopicStat,
    UserProgress,
    WeeklyScore,
    WeeklyTopicScore,
)
from questions.models import Question, Tag
from quizsite import rows

# Finished and timed-out interviews count. Abandoned ones do not: the candidate walked away,
# and half an interview left on purpose says little about what they know.
COUNTED_STATES = (Interview.State.FINISHED, Interview.State.TIMED_OUT)
LOCK_NAMESPACE = 0x70726F67  # "prog"
PRACTICE_MINUTES_PER_QUESTION = 2


class ProgressError(Exception):
    """A request that cannot be done; `message` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def lock_user(user_id: int) -> None:
    """Serialise this transaction's progress writes with every other one for the user."""
    rows.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, user_id % 2**31])


def is_scored_answer(response: Response) -> bool:
    """An answer the statistics count: submitted, or scored from its draft when time ran out."""
    return response.is_answered


def is_review(response: Response) -> bool:
    """A response the schedule counts: an answer, or a self-assessment of a skipped question."""
    return response.is_answered or bool(response.self_assessment)


# --- Interviews ----------------------------------------------------------------------------------


def progress_record_interview(
    *, interview: Interview, responses: list[Response], tags: dict[str, Tag]
) -> None:
    """Add a finished interview's answers to the aggregates and review their cards.

    `tags`: the topics of the questions as asked, by slug (`interviews.services.tags_asked`).
    """
    if interview.state not in COUNTED_STATES:
        return
    reviewed = [r for r in responses if is_review(r)]
    if not reviewed:
        return
    # No savepoint: called inside the finish's transaction, whose failure rolls all back.
    with transaction.atomic(savepoint=False):
        lock_user(interview.user_id)
        answered = [r for r in reviewed if is_scored_answer(r)]
        if answered:
            week = measures.week_start(interview.finished_at, interview.owner_timezone())
            tag_ids = {slug: tag.id for slug, tag in tags.items()}
            _record_answers(interview.user_id, answered, interview.finished_at, week, tag_ids)
        _review_cards(interview.user_id, reviewed, interview.finished_at)


def _record_answers(
    user_id: int, answered: list[Response], at: datetime, week, tag_ids: dict[str, int]
) -> None:

    totals = UserProgress(user_id=user_id)
    weekly = WeeklyScore(user_id=user_id, week=week)
    topics: dict[tuple, TopicStat] = {}
    topic_weeks: dict[tuple, WeeklyTopicScore] = {}
    topic_questions: dict[tuple, TopicQuestionStat] = {}
    missed: Counter[tuple] = Counter()
    for response in answered:
        score = response.auto_score or Decimal(0)
        _count(totals, response, score, at)
        _count(weekly, response, score, at)
        for slug in response.snapshot.get("tags", []):
            tag_id = tag_ids.get(slug)
            if tag_id is None:
                continue  # a tag deleted since the question was asked
            topic = topics.setdefault((tag_id,), TopicStat(user_id=user_id, tag_id=tag_id))
            _count(topic, response, score, at)
            topic.recent_weight += 1.0
            topic.recent_score += float(score)
            key = (tag_id, week)
            _count(
                topic_weeks.setdefault(
                    key, WeeklyTopicScore(user_id=user_id, tag_id=tag_id, week=week)
                ),
                response,
                score,
                at,
            )
            key = (tag_id, response.question_id)
            _count(
                topic_questions.setdefault(
                    key,
                    TopicQuestionStat(
                        user_id=user_id, tag_id=tag_id, question_id=response.question_id
                    ),
                ),
                response,
                score,
                at,
            )
            if response.form == "text":
                for point in response.missed:
                    if point:
                        missed[(tag_id, point[:200])] += 1

    _merge_all(
        user_id,
        [
            (UserProgress, (), {(): totals}),
            (WeeklyScore, ("week",), {(week,): weekly}),
            (TopicStat, ("tag_id",), topics),
            (WeeklyTopicScore, ("tag_id", "week"), topic_weeks),
            (TopicQuestionStat, ("tag_id", "question_id"), topic_questions),
            (
                MissedPoint,
                ("tag_id", "point"),
                {
                    key: MissedPoint(user_id=user_id, tag_id=key[0], point=key[1], misses=count)
                    for key, count in missed.items()
                },
            ),
        ],
    )


def _count(row, response: Response, score: Decimal, at: datetime) -> None:
    """Count one answer in a tally row."""
    row.answers += 1
    row.score_sum += score
    if hasattr(row, "timed_answers"):
        if response.time_spent is not None:
            row.timed_answers += 1
            row.time_spent += response.time_spent
        row.last_answered_at = at


def _merge_all(user_id: int, tables: list[tuple[type[models.Model], tuple, dict]]) -> None:
    """Add fresh rows to the stored ones (matched by user and keys), creating the missing, in
    one statement for every table: an INSERT ... ON CONFLICT DO UPDATE per table, each merging
    as its model's `merge_sql` says, chained as data-modifying CTEs. The statement's text
    depends only on which tables have rows, so it is written once per such set and prepared."""
    present = tuple((model, keys) for model, keys, fresh in tables if fresh)
    if present:
        params = []
        for model, _, fresh in tables:
            if fresh:
                params += rows.db_arrays(model, fresh.values())
        rows.execute(_merge_sql(present), params)


@lru_cache(maxsize=64)
def _merge_sql(tables: tuple[tuple[type[models.Model], tuple], ...]) -> str:
    ctes = []
    for n, (model, keys) in enumerate(tables):
        conflict = tuple(model._meta.get_field(k).column for k in ("user_id", *keys))
        merge = ", ".join(f"{column} = {expr}" for column, expr in model.merge_sql().items())
        ctes.append(f"m{n} AS ({rows.unnest_insert(model, conflict, merge)})")
    return f"WITH {', '.join(ctes)} SELECT 1"


# --- The schedule --------------------------------------------------------------------------------

CARD_FIELDS = [
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reviews",
    "again_count",
    "last_rating",
]


# A user's cards of some questions, under the user's lock; and their upsert, matched by (user,
# question): one statement writes the new cards and the reviewed ones (which keep their id and
# creation time).
CARDS = (
    f"SELECT {rows.columns(Card)} FROM progress_card"
    " WHERE user_id = %s AND question_id = ANY(%s::bigint[])"
)
CARDS_UPSERT = (
    rows.unnest_insert(
        Card, ("user_id", "question_id"), ", ".join(f"{f} = EXCLUDED.{f}" for f in CARD_FIELDS)
    )
    + " RETURNING id"
)


def _review_cards(user_id: int, reviewed: list[Response], at: datetime) -> None:
    question_ids = [r.question_id for r in reviewed]
    cards = {card.question_id: card for card in rows.fetch(Card, CARDS, [user_id, question_ids])}
    written = []
    for response in reviewed:
        card = cards.get(response.question_id)
        if card is None:
            card = Card(user_id=user_id, question_id=response.question_id, due=at, created_at=at)
        elif card.last_review is not None and at < card.last_review:
            # Out of order (a clock behind another server's): rebuild from every review.
            card_replay(user_id=user_id, question_id=response.question_id)
            continue
        rating = scheduling.rating_for(response.auto_score, response.self_assessment)
        scheduling.review(card, rating, at)
        written.append(card)
    if written:
        rows.execute(CARDS_UPSERT, rows.db_arrays(Card, written))


def card_events(*, user_id: int, question_id: int) -> list[tuple[datetime, fsrs.Rating]]:
    """Every review of a user's question, oldest first: interview answers, then flashcards.

    One query: the answers and the flashcard ratings as one UNION ALL.
    """
    answers = (
        Response.objects.filter(
            interview__user_id=user_id,
            interview__state__in=COUNTED_STATES,
            question_id=question_id,
        )
        .filter(Q(submitted_at__isnull=False) | Q(from_draft=True) | ~Q(self_assessment=""))
        .order_by()
        .values_list(
            "interview__finished_at",
            Value(0),
            "id",
            "auto_score",
            "self_assessment",
            Value(None, output_field=models.SmallIntegerField()),
        )
    )
    ratings = (
        FlashcardReview.objects.filter(user_id=user_id, question_id=question_id)
        .order_by()
        .values_list(
            "reviewed_at",
            Value(1),
            "id",
            Value(None, output_field=models.DecimalField(max_digits=5, decimal_places=4)),
            Value("", output_field=models.CharField()),
            "rating",
        )
    )
    events = [
        (at, kind, pk, scheduling.rating_for(score, sa) if kind == 0 else fsrs.Rating(rating))
        for at, kind, pk, score, sa, rating in answers.union(ratings, all=True).order_by()
    ]
    return [(at, rating) for at, _, _, rating in sorted(events, key=lambda e: e[:3])]


def card_replay(*, user_id: int, question_id: int) -> Card | None:
    """Rebuild one card from all its reviews (the caller holds the user's lock).

    The replay starts from a card never reviewed, so the stored card need not be read: one
    upsert writes the result (a card that exists keeps its id and creation time).
    """
    events = card_events(user_id=user_id, question_id=question_id)
    if not events:
        return Card.objects.filter(user_id=user_id, question_id=question_id).first()
    card = Card(user_id=user_id, question_id=question_id, created_at=events[0][0])
    scheduling.replay(card, events)
    [(card.pk,)] = rows.execute(CARDS_UPSERT, rows.db_arrays(Card, [card]))
    card._state.adding = False
    return card


def progress_record_assessment(*, response: Response) -> None:
    """A self-assessment after the interview was finished re-rates that review."""
    if Response.interview.is_cached(response):
        interview = response.interview
    else:
        interview = Interview.objects.only("user_id", "state").get(pk=response.interview_id)
    if interview.state not in COUNTED_STATES:
        return  # still open (counted when finished) or abandoned (never counted)
    with transaction.atomic():
        lock_user(interview.user_id)
        card_replay(user_id=interview.user_id, question_id=response.question_id)


def flashcard_rate(*, user, card_id: int, rating: fsrs.Rating, now: datetime | None = None) -> Card:
    """Rate one of the user's cards; raises Card.DoesNotExist for any other card."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_user(user.pk)
        card = Card.objects.for_user(user).published().get(pk=card_id)
        FlashcardReview.objects.create(
            user=user, question_id=card.question_id, rating=rating, reviewed_at=now
        )
        if card.last_review is not None and now < card.last_review:
            return card_replay(user_id=user.pk, question_id=card.question_id)
        scheduling.review(card, rating, now)
        card.save(update_fields=CARD_FIELDS)
        return card


def cards_add(*, user, questions: list[Question], now: datetime | None = None) -> int:
    """Add published questions the user has no card for yet, due now; returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_user(user.pk)
        have = set(
            Card.objects.for_user(user)
            .filter(question__in=questions)
            .values_list("question_id", flat=True)
        )
        new = [
            Card(user=user, question=q, due=now, created_at=now)
            for q in questions
            if q.id not in have and q.status == Question.Status.PUBLISHED
        ]
        Card.objects.bulk_create(new)
    return len(new)


# --- Practice ------------------------------------------------------------------------------------


def practice_start(
    *,
    user,
    count: int,
    mode: str,
    start_token,
    topic: Tag | None = None,
    now: datetime | None = None,
) -> Interview:
    """Start an interview of the user's due questions first, then their weakest topics'.

    Raises ProgressError when there is nothing to go on, and the interview services' errors
    (an interview already in progress) as they are.
    """
    now = now or timezone.now()
    plan = selectors.practice_plan(user=user, count=count, now=now, topic=topic)
    if not plan.questions:
        raise ProgressError(
            "还没有可以针对练习的内容:先完成一场模拟面试,就能知道你的薄弱主题。"
            "Nothing to target yet: finish a mock interview first so your weak topics are known."
        )
    timed = mode == Interview.Mode.INTERVIEW
    return interview_services.interview_start(
        user=user,
        mode=mode,
        tags=plan.topics,
        question_count=len(plan.questions),
        time_limit=timedelta(minutes=PRACTICE_MINUTES_PER_QUESTION * len(plan.questions))
        if timed
        else None,
        start_token=start_token,
        questions=plan.questions,
    )
