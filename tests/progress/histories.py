"""Hand-made interview histories, finished through the real interview services, and a way to
compare the maintained progress tables."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from interviews import services as interview_services
from interviews.models import Interview
from progress.models import (
    Card,
    MissedPoint,
    TopicQuestionStat,
    TopicStat,
    UserProgress,
    WeeklyScore,
    WeeklyTopicScore,
)
from questions.models import Question


@dataclass
class Said:
    """One response in a made-up interview: its score (None: not answered) and more."""

    question: Question
    score: float | None
    seconds: int | None = 60
    missed: list[str] = field(default_factory=list)
    assessment: str = ""


def questions_in(slug: str, *, only: bool = True) -> list[Question]:
    """Published questions tagged `slug` (and, with `only`, no other tag), by item number."""
    found = []
    for question in Question.objects.published().prefetch_related("tags").order_by("source_number"):
        slugs = {tag.slug for tag in question.tags.all()}
        if slug in slugs and (not only or slugs == {slug}):
            found.append(question)
    return found


def sit(user, said: list[Said], *, at=None, state: str = "finished", mode: str = "practice"):
    """An interview of `said`, finished (or timed out, or abandoned) at `at`."""
    at = at or timezone.now()
    timed = state == Interview.State.TIMED_OUT or mode == Interview.Mode.INTERVIEW
    interview = interview_services.interview_start(
        user=user,
        mode=Interview.Mode.INTERVIEW if timed else mode,
        tags=[],
        question_count=len(said),
        time_limit=timedelta(minutes=20) if timed else None,
        start_token=uuid.uuid4(),
        questions=[s.question for s in said],
    )
    if state == Interview.State.TIMED_OUT:
        interview.started_at = at - timedelta(minutes=40)
        interview.deadline = at - timedelta(minutes=20)
    else:
        interview.started_at = at - timedelta(minutes=15)
        interview.deadline = at + timedelta(minutes=5) if timed else None
    interview.save(update_fields=["started_at", "deadline"])
    responses = {r.question_id: r for r in interview.responses.all()}
    for s in said:
        response = responses[s.question.id]
        if s.score is not None:
            response.submitted_at = at - timedelta(minutes=1)
            response.auto_score = Decimal(str(s.score))
            response.time_spent = timedelta(seconds=s.seconds) if s.seconds is not None else None
            response.missed = list(s.missed)
        response.self_assessment = s.assessment
        response.save()
    with transaction.atomic():
        locked = interview_services.lock_interview(user=user, pk=interview.pk)
        interview_services.interview_finish(
            interview=locked, now=at, abandon=state == Interview.State.ABANDONED
        )
    interview.refresh_from_db()
    assert interview.state == state
    return interview


AGGREGATE_FIELDS = {
    UserProgress: ("user_id",),
    TopicStat: ("user_id", "tag_id"),
    WeeklyScore: ("user_id", "week"),
    WeeklyTopicScore: ("user_id", "tag_id", "week"),
    TopicQuestionStat: ("user_id", "tag_id", "question_id"),
    MissedPoint: ("user_id", "tag_id", "point"),
    Card: ("user_id", "question_id"),
}
APPROXIMATE = {"recent_weight", "recent_score"}


def progress_state(users) -> dict:
    """Every maintained row of these users, keyed by table and natural key, without ids."""
    ids = [user.pk for user in users]
    state = {}
    for model, key in AGGREGATE_FIELDS.items():
        for row in model.objects.filter(user_id__in=ids).values():
            row.pop("id", None)
            state[(model.__name__, *(row[k] for k in key))] = row
    return state


def assert_same_progress(incremental: dict, recomputed: dict) -> None:
    assert incremental.keys() == recomputed.keys()
    for key, row in incremental.items():
        other = recomputed[key]
        exact = {k: v for k, v in row.items() if k not in APPROXIMATE}
        assert exact == {k: v for k, v in other.items() if k not in APPROXIMATE}, key
        for name in APPROXIMATE & row.keys():
            assert row[name] == pytest.approx(other[name], rel=1e-9, abs=1e-12), (key, name)
