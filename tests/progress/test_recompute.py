from datetime import timedelta

import fsrs
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviews import services as interview_services
from interviews.models import Interview
from progress import services
from progress.models import Card, TopicStat, UserProgress
from progress.recompute import recompute_all
from questions.models import Question
from tests.progress.histories import Said, assert_same_progress, progress_state, sit

pytestmark = pytest.mark.django_db

SCORES = [0, 0.1, 0.35, 0.4, 0.55, 0.6, 0.75, 0.85, 1]
ASSESSMENTS = ["", "", "knew", "partly", "not"]
STATES = ["finished", "finished", "timed_out", "abandoned"]
POOL = 8  # questions drawn from, so histories revisit them


def assess(user, interview: Interview, position: int, value: str) -> None:
    interview_services.with_interview(
        user=user,
        pk=interview.pk,
        action=lambda locked: interview_services.response_assess(
            interview=locked, position=position, value=value
        ),
    )


def test_a_mixed_history_recomputes_to_what_was_maintained(bank, candidate, bob):
    start = timezone.now() - timedelta(days=200)
    questions = list(Question.objects.published().order_by("source_number")[:6])
    point = questions[0].key_points.first().point
    first = sit(
        candidate,
        [
            Said(questions[0], 0.2, missed=[point]),
            Said(questions[1], 0.9),
            Said(questions[2], None),
        ],
        at=start,
    )
    assess(candidate, first, 2, "not")  # a skipped question, assessed afterwards
    assess(candidate, first, 1, "partly")  # re-rates an answer already scheduled
    sit(bob, [Said(questions[0], 0.7), Said(questions[3], 0.3)], at=start + timedelta(days=3))
    services.cards_add(user=candidate, questions=questions[4:6], now=start + timedelta(days=4))
    card = Card.objects.get(user=candidate, question=questions[4])
    services.flashcard_rate(
        user=candidate, card_id=card.pk, rating=fsrs.Rating.Good, now=start + timedelta(days=5)
    )
    sit(
        candidate,
        [Said(questions[0], 0.6), Said(questions[4], 0.0)],
        at=start + timedelta(days=40),
        state="timed_out",
    )
    sit(candidate, [Said(questions[1], 1.0)], at=start + timedelta(days=41), state="abandoned")

    users = [candidate, bob]
    maintained = progress_state(users)
    assert len(maintained) > 20
    recompute_all([u.pk for u in users])
    assert_same_progress(maintained, progress_state(users))


def test_the_command_rebuilds_what_was_lost(bank, candidate):
    question = Question.objects.published().first()
    sit(candidate, [Said(question, 0.5)])
    maintained = progress_state([candidate])
    TopicStat.objects.all().delete()
    UserProgress.objects.all().update(answers=99)
    Card.objects.all().update(reviews=42)
    call_command("recompute_progress", verbosity=0)
    assert_same_progress(maintained, progress_state([candidate]))


def test_the_command_can_be_limited_to_some_users(bank, candidate, bob):
    question = Question.objects.published().first()
    sit(candidate, [Said(question, 0.5)])
    sit(bob, [Said(question, 0.5)])
    UserProgress.objects.update(answers=99)
    call_command("recompute_progress", "--user", str(candidate.pk), verbosity=0)
    assert UserProgress.objects.get(user=candidate).answers == 1
    assert UserProgress.objects.get(user=bob).answers == 99


@st.composite
def histories(draw):
    steps = []
    for _ in range(draw(st.integers(1, 7))):
        gap = timedelta(hours=draw(st.integers(0, 24 * 50)), seconds=draw(st.integers(1, 3599)))
        user = draw(st.integers(0, 1))
        kind = draw(st.sampled_from(["interview", "interview", "interview", "flashcard", "assess"]))
        if kind == "interview":
            picks = draw(st.lists(st.integers(0, POOL - 1), min_size=1, max_size=4, unique=True))
            said = [
                (
                    index,
                    draw(st.one_of(st.none(), st.sampled_from(SCORES))),
                    draw(st.one_of(st.none(), st.integers(1, 900))),
                    draw(st.lists(st.integers(0, 2), max_size=3)),
                    draw(st.sampled_from(ASSESSMENTS)),
                )
                for index in picks
            ]
            steps.append(("interview", gap, user, said, draw(st.sampled_from(STATES))))
        elif kind == "flashcard":
            steps.append(
                ("flashcard", gap, user, draw(st.integers(0, POOL - 1)), draw(st.integers(1, 4)))
            )
        else:
            steps.append(
                (
                    "assess",
                    gap,
                    user,
                    draw(st.integers(0, 3)),
                    draw(st.sampled_from(ASSESSMENTS[2:])),
                )
            )
    return steps


def play(steps, users, questions) -> None:
    at = timezone.now() - timedelta(days=400)
    last_interview = {}
    for kind, gap, who, *payload in steps:
        at += gap
        user = users[who]
        if kind == "interview":
            said, state = payload
            points = {
                i: [kp.point for kp in questions[i].key_points.all()] + [""] for i, *_ in said
            }
            last_interview[who] = sit(
                user,
                [
                    Said(
                        questions[i],
                        score,
                        seconds=seconds,
                        missed=[points[i][m % len(points[i])] for m in missed],
                        # Only practice allows assessing before finishing; sit() uses practice.
                        assessment=assessment if state != "timed_out" else "",
                    )
                    for i, score, seconds, missed, assessment in said
                ],
                at=at,
                state=state,
            )
        elif kind == "flashcard":
            index, rating = payload
            services.cards_add(user=user, questions=[questions[index]], now=at)
            card = Card.objects.get(user=user, question=questions[index])
            services.flashcard_rate(user=user, card_id=card.pk, rating=fsrs.Rating(rating), now=at)
        elif who in last_interview:
            position, value = payload
            interview = last_interview[who]
            if position < interview.question_count:
                assess(user, interview, position, value)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=histories())
def test_incremental_progress_equals_recomputation_for_any_history(bank, django_user_model, steps):
    questions = list(
        Question.objects.published().prefetch_related("key_points").order_by("source_number")[:POOL]
    )
    with transaction.atomic():
        users = [
            django_user_model.objects.create_user(name, password="x-pass-2023")
            for name in ("hypo-a", "hypo-b")
        ]
        play(steps, users, questions)
        maintained = progress_state(users)
        recompute_all([u.pk for u in users])
        assert_same_progress(maintained, progress_state(users))
        transaction.set_rollback(True)
