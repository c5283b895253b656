from datetime import timedelta
from decimal import Decimal

import fsrs
import pytest
from django.utils import timezone

from interviews import services as interview_services
from progress import scheduling, services
from progress.models import Card, FlashcardReview
from questions.models import Question
from tests.progress.histories import Said, sit

pytestmark = pytest.mark.django_db
Rating = fsrs.Rating


@pytest.mark.parametrize(
    ("score", "assessment", "rating"),
    [
        ("0", "", Rating.Again),
        ("0.39", "", Rating.Again),
        ("0.4", "", Rating.Hard),
        ("0.59", "", Rating.Hard),
        ("0.6", "", Rating.Good),
        ("0.84", "", Rating.Good),
        ("0.85", "", Rating.Easy),
        ("1", "", Rating.Easy),
        ("1", "not", Rating.Again),
        ("1", "partly", Rating.Hard),
        ("0", "knew", Rating.Good),
        ("0.9", "knew", Rating.Easy),
        (None, "not", Rating.Again),
    ],
)
def test_scores_and_self_assessments_map_to_ratings(score, assessment, rating):
    value = None if score is None else Decimal(score)
    assert scheduling.rating_for(value, assessment) == rating


def questions(n):
    return list(Question.objects.published().order_by("source_number")[:n])


def test_a_failed_question_comes_back_sooner_than_a_passed_one(bank, candidate):
    failed, passed = questions(2)
    now = timezone.now()
    sit(candidate, [Said(failed, 0.1), Said(passed, 0.9)], at=now)
    cards = {c.question_id: c for c in Card.objects.filter(user=candidate)}
    assert cards[failed.id].due - now <= timedelta(minutes=10)
    assert cards[passed.id].due - now >= timedelta(days=2)
    assert cards[failed.id].last_rating == Rating.Again
    assert cards[passed.id].last_rating == Rating.Easy


def test_answering_well_again_moves_the_question_later_and_failing_moves_it_sooner(bank, candidate):
    question = questions(1)[0]
    start = timezone.now() - timedelta(days=60)
    sit(candidate, [Said(question, 0.7)], at=start)
    first = Card.objects.get(user=candidate)
    first_interval = first.due - start

    second_at = first.due
    sit(candidate, [Said(question, 0.7)], at=second_at)
    second = Card.objects.get(user=candidate)
    assert second.due - second_at > first_interval  # passed again: a longer interval

    third_at = second.due
    sit(candidate, [Said(question, 0.0)], at=third_at)
    third = Card.objects.get(user=candidate)
    assert third.due - third_at <= timedelta(minutes=10)  # failed: back in minutes
    assert third.state == Card.State.RELEARNING
    assert (third.reviews, third.again_count) == (3, 1)


def test_a_self_assessment_after_finishing_re_rates_that_review(bank, candidate):
    question = questions(1)[0]
    now = timezone.now()
    interview = sit(candidate, [Said(question, 0.9)], at=now)
    before = Card.objects.get(user=candidate)
    assert before.due - now >= timedelta(days=2)
    interview_services.with_interview(
        user=candidate,
        pk=interview.pk,
        action=lambda locked: interview_services.response_assess(
            interview=locked, position=0, value="not"
        ),
    )
    card = Card.objects.get(user=candidate)
    assert card.last_rating == Rating.Again and card.reviews == 1
    assert card.due - now <= timedelta(minutes=10)
    # Rebuilt in place: the same card, created when it was first reviewed.
    assert (card.pk, card.created_at) == (before.pk, before.created_at)


def test_assessing_a_practice_answer_before_finishing_counts_at_the_finish(bank, candidate):
    question = questions(1)[0]
    now = timezone.now()
    sit(candidate, [Said(question, 0.9, assessment="partly")], at=now)
    card = Card.objects.get(user=candidate)
    assert card.last_rating == Rating.Hard and card.reviews == 1


def test_assessing_an_abandoned_interview_changes_nothing(bank, candidate):
    question = questions(1)[0]
    interview = sit(candidate, [Said(question, 0.9)], state="abandoned")
    interview_services.with_interview(
        user=candidate,
        pk=interview.pk,
        action=lambda locked: interview_services.response_assess(
            interview=locked, position=0, value="knew"
        ),
    )
    assert not Card.objects.exists()


def test_a_flashcard_rating_feeds_the_same_schedule(bank, candidate):
    question = questions(1)[0]
    now = timezone.now()
    sit(candidate, [Said(question, 0.7)], at=now - timedelta(days=5))
    card = Card.objects.get(user=candidate)
    services.flashcard_rate(user=candidate, card_id=card.pk, rating=Rating.Again, now=now)
    card.refresh_from_db()
    assert card.reviews == 2 and card.last_rating == Rating.Again
    assert card.due - now <= timedelta(minutes=10)
    services.flashcard_rate(
        user=candidate, card_id=card.pk, rating=Rating.Easy, now=now + timedelta(minutes=10)
    )
    card.refresh_from_db()
    assert card.due - now > timedelta(days=1)
    assert FlashcardReview.objects.filter(user=candidate).count() == 2


def test_someone_elses_card_cannot_be_rated(bank, candidate, bob):
    question = questions(1)[0]
    sit(candidate, [Said(question, 0.7)])
    card = Card.objects.get(user=candidate)
    before = Card.objects.filter(pk=card.pk).values().get()
    with pytest.raises(Card.DoesNotExist):
        services.flashcard_rate(user=bob, card_id=card.pk, rating=Rating.Easy)
    assert Card.objects.filter(pk=card.pk).values().get() == before
    assert not FlashcardReview.objects.exists()


def test_adding_cards_skips_those_already_there(bank, candidate):
    first, second = questions(2)
    sit(candidate, [Said(first, 0.7)])
    assert services.cards_add(user=candidate, questions=[first, second]) == 1
    assert services.cards_add(user=candidate, questions=[first, second]) == 0
    new = Card.objects.get(user=candidate, question=second)
    assert new.is_new and new.due <= timezone.now()
