"""What is due: the counts over all the user's cards and the first cards due by the day's end."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from progress import selectors, services
from progress.models import Card
from questions.models import Question

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 6, 4, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai; the day ends at 16:00 UTC


@pytest.fixture
def cards(bank, candidate):
    """Eight cards: three due by the end of the day (two already), five later."""
    questions = list(Question.objects.published().order_by("source_number")[:8])
    services.cards_add(user=candidate, questions=questions, now=NOW - timedelta(days=3))
    offsets = [-3, -2, 1, 13, 24, 48, 72, 96]  # hours from now
    for question, hours in zip(questions, offsets, strict=True):
        Card.objects.filter(user=candidate, question=question).update(
            due=NOW + timedelta(hours=hours)
        )
    return questions


def test_it_counts_the_cards_due_now_today_and_in_all(candidate, cards):
    due = selectors.due_summary(user=candidate, now=NOW, tz=SHANGHAI)
    assert (due.now, due.today, due.total) == (2, 3, 8)
    assert due.next_due == NOW + timedelta(hours=1)


def test_it_lists_the_first_cards_due_today_oldest_first(candidate, cards):
    due = selectors.due_summary(user=candidate, now=NOW, tz=SHANGHAI)
    assert [card.question.pk for card in due.cards] == [q.pk for q in cards[:3]]
    assert [card.due for card in due.cards] == [NOW + timedelta(hours=h) for h in (-3, -2, 1)]
    assert due.cards[0].question.prompt == cards[0].prompt

    tomorrow = selectors.due_summary(user=candidate, now=NOW + timedelta(days=1), tz=SHANGHAI)
    assert len(tomorrow.cards) == selectors.DUE_SHOWN
    assert [card.question.pk for card in tomorrow.cards] == [q.pk for q in cards[:5]]


def test_cards_of_retired_questions_are_left_out(candidate, cards):
    Question.objects.filter(pk=cards[0].pk).update(status=Question.Status.RETIRED)
    due = selectors.due_summary(user=candidate, now=NOW, tz=SHANGHAI)
    assert (due.now, due.today, due.total) == (1, 2, 7)
    assert cards[0].pk not in [card.question.pk for card in due.cards]


def test_without_cards_nothing_is_due(bank, candidate):
    due = selectors.due_summary(user=candidate, now=NOW, tz=SHANGHAI)
    assert (due.now, due.today, due.total, due.next_due, due.cards) == (0, 0, 0, None, [])
