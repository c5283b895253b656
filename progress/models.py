"""Aggregates maintained from scored interviews, and the spaced-repetition schedule.

Every table here is derived: `manage.py recompute_progress` rebuilds it from interviews,
responses and flashcard reviews (the raw facts), and the test suite proves the incremental
updates equal that rebuild.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import fsrs
from django.conf import settings
from django.db import models

from progress import measures
from questions.models import Question, Tag


class ScoreTally(models.Model):
    """A count of scored answers and the sum of their scores (0..1 each)."""

    answers = models.PositiveIntegerField(default=0)
    score_sum = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal(0))

    class Meta:
        abstract = True

    @property
    def mean(self) -> float | None:
        return float(self.score_sum) / self.answers if self.answers else None

    @classmethod
    def merge_sql(cls) -> dict[str, str]:
        """How a stored row `t` absorbs a new tally of the same key (`EXCLUDED`), per column:
        the SET list of an INSERT ... ON CONFLICT DO UPDATE."""
        return {
            "answers": "t.answers + EXCLUDED.answers",
            "score_sum": "t.score_sum + EXCLUDED.score_sum",
        }


class TimedTally(ScoreTally):
    """A tally that also sums the time spent on the answers whose time is known."""

    timed_answers = models.PositiveIntegerField(default=0)
    time_spent = models.DurationField(default=timedelta(0))
    last_answered_at = models.DateTimeField(null=True)

    class Meta:
        abstract = True

    @property
    def mean_time(self) -> timedelta | None:
        return self.time_spent / self.timed_answers if self.timed_answers else None

    @classmethod
    def merge_sql(cls) -> dict[str, str]:
        return {
            **super().merge_sql(),
            "timed_answers": "t.timed_answers + EXCLUDED.timed_answers",
            "time_spent": "t.time_spent + EXCLUDED.time_spent",
            # GREATEST ignores a NULL: the later of the two times, or the one there is.
            "last_answered_at": "GREATEST(t.last_answered_at, EXCLUDED.last_answered_at)",
        }


class UserProgress(TimedTally):
    """A user's totals over all counted answers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )

    class Meta:
        verbose_name = "用户总计 User totals"
        verbose_name_plural = "用户总计 User totals"


class TopicStat(TimedTally):
    """One user's answers in one topic, with time-decayed sums for the mastery estimate.

    `recent_weight` and `recent_score` are the count and score sum with each answer weighted by
    `measures.decay(last_answered_at - answered_at)`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="topic_stats",
        db_index=False,  # unique_topic_stat begins with it
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    recent_weight = models.FloatField(default=0.0)
    recent_score = models.FloatField(default=0.0)

    class Meta:
        verbose_name = "主题统计 Topic statistics"
        verbose_name_plural = "主题统计 Topic statistics"
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="unique_topic_stat")]

    def mastery(self, now: datetime) -> float:
        return measures.mastery(self.recent_score, self.recent_weight, self.last_answered_at, now)

    @classmethod
    def merge_sql(cls) -> dict[str, str]:
        """The older of the two sums decays to the newer one's time (`measures.decay`); a row
        never answered before keeps only the new sums."""
        mine, theirs = "t.last_answered_at", "EXCLUDED.last_answered_at"

        def decayed(column: str) -> str:
            return (
                f"CASE WHEN {mine} IS NULL THEN EXCLUDED.{column}"
                f" WHEN {theirs} >= {mine}"
                f" THEN t.{column} * {measures.decay_sql(f'{theirs} - {mine}')} + EXCLUDED.{column}"
                f" ELSE t.{column} + EXCLUDED.{column} * {measures.decay_sql(f'{mine} - {theirs}')}"
                " END"
            )

        return {
            **super().merge_sql(),
            "recent_weight": decayed("recent_weight"),
            "recent_score": decayed("recent_score"),
        }


class WeeklyScore(ScoreTally):
    """A user's answers in one week (Monday, in the user's time zone): score over time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="weekly_scores",
        db_index=False,  # unique_week begins with it
    )
    week = models.DateField()

    class Meta:
        verbose_name = "每周得分 Weekly score"
        verbose_name_plural = "每周得分 Weekly scores"
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="unique_week")]


class WeeklyTopicScore(ScoreTally):
    """A user's answers in one topic in one week: the topic's trend."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="weekly_topic_scores",
        db_index=False,  # unique_topic_week begins with it
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()

    class Meta:
        verbose_name = "每周主题得分 Weekly topic score"
        verbose_name_plural = "每周主题得分 Weekly topic scores"
        constraints = [
            models.UniqueConstraint(fields=["user", "tag", "week"], name="unique_topic_week")
        ]


class TopicQuestionStat(ScoreTally):
    """A user's answers to one question, counted in one of its topics (as asked)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the unique constraint below begins with it
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "主题题目统计 Question statistics in a topic"
        verbose_name_plural = "主题题目统计 Question statistics in a topic"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "tag", "question"], name="unique_topic_question_stat"
            )
        ]

    @property
    def points_lost(self) -> Decimal:
        """How much this question pulled its topic down: answers minus score."""
        return self.answers - self.score_sum


class MissedPoint(models.Model):
    """How often a user's free-text answers in a topic missed one rubric key point."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the unique constraint below begins with it
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    point = models.CharField(max_length=200)
    misses = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "遗漏要点 Missed key point"
        verbose_name_plural = "遗漏要点 Missed key points"
        constraints = [
            models.UniqueConstraint(fields=["user", "tag", "point"], name="unique_missed_point")
        ]

    @classmethod
    def merge_sql(cls) -> dict[str, str]:
        return {"misses": "t.misses + EXCLUDED.misses"}


class CardQuerySet(models.QuerySet):
    def for_user(self, user) -> CardQuerySet:
        return self.filter(user=user)

    def published(self) -> CardQuerySet:
        return self.filter(question__status=Question.Status.PUBLISHED)

    def due(self, by: datetime) -> CardQuerySet:
        return self.filter(due__lte=by)


class Card(models.Model):
    """A user's spaced-repetition schedule for one question (an FSRS card).

    Reviews come from scored interview answers (with the self-assessment where given) and from
    flashcard ratings; `progress.scheduling` turns them into FSRS ratings.
    """

    class State(models.IntegerChoices):
        LEARNING = fsrs.State.Learning.value, "学习中 Learning"
        REVIEW = fsrs.State.Review.value, "复习 Review"
        RELEARNING = fsrs.State.Relearning.value, "重新学习 Relearning"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the unique constraint below begins with it
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, default=0)
    stability = models.FloatField(null=True)
    difficulty = models.FloatField(null=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True)
    reviews = models.PositiveIntegerField(default=0)
    again_count = models.PositiveIntegerField(default=0)
    last_rating = models.PositiveSmallIntegerField(null=True)
    created_at = models.DateTimeField()

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = "复习卡片 Review card"
        verbose_name_plural = "复习卡片 Review cards"
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="unique_card")]
        indexes = [models.Index(fields=["user", "due"], name="card_user_due")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.question_id} · due {self.due:%Y-%m-%d %H:%M}"

    def reset(self) -> None:
        """Back to a card never reviewed, due when it was created."""
        self.state, self.step = self.State.LEARNING, 0
        self.stability = self.difficulty = self.last_review = self.last_rating = None
        self.due = self.created_at
        self.reviews = self.again_count = 0

    def to_fsrs(self) -> fsrs.Card:
        return fsrs.Card(
            card_id=self.pk or 0,
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )

    def take(self, reviewed: fsrs.Card, rating: fsrs.Rating) -> None:
        """Store the FSRS card that a review with `rating` produced."""
        self.state = reviewed.state.value
        self.step = reviewed.step
        self.stability = reviewed.stability
        self.difficulty = reviewed.difficulty
        self.due = reviewed.due
        self.last_review = reviewed.last_review
        self.reviews += 1
        self.again_count += rating == fsrs.Rating.Again
        self.last_rating = rating.value

    @property
    def is_new(self) -> bool:
        return self.reviews == 0

    def is_due(self, now: datetime) -> bool:
        return self.due <= now


class FlashcardReview(models.Model):
    """One flashcard rating: a raw fact the schedule is replayed from."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # flashcard_review_card below begins with it
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(choices=[(r.value, r.name) for r in fsrs.Rating])
    reviewed_at = models.DateTimeField()

    class Meta:
        verbose_name = "卡片复习记录 Flashcard review"
        verbose_name_plural = "卡片复习记录 Flashcard reviews"
        indexes = [
            models.Index(fields=["user", "question", "reviewed_at"], name="flashcard_review_card")
        ]
