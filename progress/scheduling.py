"""Spaced repetition with FSRS (the `fsrs` package): ratings, reviews and replays.

A scored interview answer is a review at the moment the interview was finished; its rating comes
from the self-assessment where the candidate gave one, else from the automatic score:

    self-assessment   didn't know → Again   partly → Hard   knew → Good (Easy if score ≥ 0.85)
    automatic score   < 0.40 → Again   0.40–0.59 → Hard   0.60–0.84 → Good   ≥ 0.85 → Easy

A flashcard rating is a review at the moment it was given, with the rating the user chose.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import fsrs

from progress.models import Card

# One short learning step: a new question answered well goes straight to days-long intervals,
# one answered badly comes back in ten minutes. No fuzzing: the schedule is a pure function of
# the reviews, so a replay from the raw facts gives exactly the stored cards.
SCHEDULER = fsrs.Scheduler(
    learning_steps=(timedelta(minutes=10),),
    relearning_steps=(timedelta(minutes=10),),
    enable_fuzzing=False,
)

HARD_FROM = Decimal("0.40")
GOOD_FROM = Decimal("0.60")
EASY_FROM = Decimal("0.85")

SELF_ASSESSED = {"not": fsrs.Rating.Again, "partly": fsrs.Rating.Hard, "knew": fsrs.Rating.Good}


def rating_for(score: Decimal | None, self_assessment: str = "") -> fsrs.Rating:
    """The FSRS rating of an interview answer."""
    score = Decimal(0) if score is None else Decimal(score)
    if self_assessment in SELF_ASSESSED:
        rating = SELF_ASSESSED[self_assessment]
        if rating == fsrs.Rating.Good and score >= EASY_FROM:
            return fsrs.Rating.Easy
        return rating
    if score < HARD_FROM:
        return fsrs.Rating.Again
    if score < GOOD_FROM:
        return fsrs.Rating.Hard
    if score < EASY_FROM:
        return fsrs.Rating.Good
    return fsrs.Rating.Easy


def review(card: Card, rating: fsrs.Rating, at: datetime) -> None:
    """Apply one review to the card in place."""
    reviewed, _ = SCHEDULER.review_card(card.to_fsrs(), rating, at.astimezone(UTC))
    card.take(reviewed, rating)


def replay(card: Card, events: Iterable[tuple[datetime, fsrs.Rating]]) -> None:
    """Rebuild the card from all its reviews, oldest first."""
    card.reset()
    for at, rating in events:
        review(card, rating, at)


def preview(card: Card, at: datetime) -> dict[fsrs.Rating, timedelta]:
    """How long until the card comes back after each rating given at `at`."""
    result = {}
    for rating in fsrs.Rating:
        reviewed, _ = SCHEDULER.review_card(card.to_fsrs(), rating, at.astimezone(UTC))
        result[rating] = reviewed.due - at
    return result
