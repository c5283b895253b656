from __future__ import annotations

import math
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import timezone_of
from questions.models import Question, QuestionVersion, Tag
from quizsite.links import int_url

MAX_ANSWER_CHARS = 5000
# Network latency allowance: an answer that arrives this soon after the deadline still counts.
GRACE = timedelta(seconds=10)


class InterviewQuerySet(models.QuerySet):
    def for_user(self, user) -> InterviewQuerySet:
        return self.filter(user=user)

    def in_progress(self) -> InterviewQuerySet:
        return self.filter(state=Interview.State.IN_PROGRESS)


class Interview(models.Model):
    class Mode(models.TextChoices):
        INTERVIEW = "interview", "模拟面试 Interview"
        PRACTICE = "practice", "练习 Practice"

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "进行中 In progress"
        FINISHED = "finished", "已完成 Finished"
        TIMED_OUT = "timed_out", "已超时 Timed out"
        ABANDONED = "abandoned", "已放弃 Abandoned"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="interviews",
        db_index=False,  # Meta's (user, started_at) index begins with it
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.INTERVIEW)
    tags = models.ManyToManyField(Tag, blank=True, related_name="+")
    question_count = models.PositiveSmallIntegerField()
    time_limit = models.DurationField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    current_position = models.PositiveSmallIntegerField(default=0)
    score = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    topic_scores = models.JSONField(default=list, blank=True)
    start_token = models.UUIDField(default=uuid.uuid4)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "面试 Interview"
        verbose_name_plural = "面试 Interviews"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state="in_progress"),
                name="one_open_interview_per_user",
            ),
            models.UniqueConstraint(fields=["user", "start_token"], name="unique_start_token"),
        ]
        indexes = [models.Index(fields=["user", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.started_at:%Y-%m-%d %H:%M} · {self.get_mode_display()}"

    def get_absolute_url(self) -> str:
        return int_url("interviews:detail", self.pk)  # every start redirects to it

    def owner_timezone(self):
        """The owner's time zone: no query when the interview was locked for their request."""
        return timezone_of(self.user if Interview.user.is_cached(self) else self.user_id)

    @property
    def is_open(self) -> bool:
        return self.state == self.State.IN_PROGRESS

    @property
    def is_timed(self) -> bool:
        return self.deadline is not None

    def seconds_left(self, now=None) -> int | None:
        if self.deadline is None:
            return None
        now = now or timezone.now()
        # Rounded up, so a client counting down reaches zero no earlier than the server does.
        return max(0, math.ceil((self.deadline - now).total_seconds()))

    def is_past_deadline(self, now=None) -> bool:
        """True once the deadline and its grace period have passed."""
        return self.deadline is not None and (now or timezone.now()) > self.deadline + GRACE

    @property
    def duration(self) -> timedelta | None:
        if self.finished_at is None:
            return None
        end = min(self.finished_at, self.deadline) if self.deadline else self.finished_at
        return end - self.started_at

    @property
    def score_percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


class Response(models.Model):
    class SelfAssessment(models.TextChoices):
        KNEW = "knew", "会 Knew it"
        PARTLY = "partly", "部分会 Partly"
        NOT = "not", "不会 Didn't know"

    interview = models.ForeignKey(
        Interview,
        on_delete=models.CASCADE,
        related_name="responses",
        db_index=False,  # unique_position (interview, position) begins with it
    )
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    # "text", or "variant-N" for the N-th objective form of the question.
    form = models.CharField(max_length=20, default="text")
    draft_text = models.TextField(blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    answer_text = models.TextField(blank=True)
    answer_value = models.JSONField(null=True, blank=True)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    time_spent = models.DurationField(null=True, blank=True)
    flagged = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=0)
    # The page (browser tab) that wrote the current revision: a tab's own quick successive
    # writes (a draft then a submit) never conflict with each other; another tab's do.
    last_tab = models.CharField(max_length=32, blank=True)
    auto_score = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    hit = models.JSONField(default=list, blank=True)
    missed = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    from_draft = models.BooleanField(
        default=False, help_text="Scored from the autosaved draft when time ran out."
    )
    self_assessment = models.CharField(max_length=6, choices=SelfAssessment.choices, blank=True)

    class Meta:
        ordering = ["interview", "position"]
        verbose_name = "作答 Response"
        verbose_name_plural = "作答 Responses"
        constraints = [
            models.UniqueConstraint(fields=["interview", "position"], name="unique_position"),
            models.UniqueConstraint(fields=["interview", "question"], name="unique_question"),
        ]

    def __str__(self) -> str:
        return f"{self.interview_id}#{self.position}"

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def is_answered(self) -> bool:
        return self.submitted_at is not None or self.from_draft

    @property
    def score_percent(self) -> int | None:
        return None if self.auto_score is None else round(self.auto_score * 100)

    @property
    def snapshot(self) -> dict:
        return self.version.data

    @property
    def draft_saved_time(self) -> str:
        """When the draft was last saved, as H:M:S in the active time zone: what the template's
        `time` filter gives, for a third of its CPU (every autosave and answer shows it)."""
        if self.draft_saved_at is None:
            return ""
        return timezone.localtime(self.draft_saved_at).strftime("%H:%M:%S")

    @property
    def answer_display(self) -> str:
        """The answer as the candidate gave it: text, the chosen choices' texts, or a number."""
        variant = self.variant()
        if variant is None:
            return self.answer_text
        if variant["kind"] == "numeric":
            return str(self.answer_value or "")
        chosen = self.answer_value or []
        return "; ".join(
            choice["text"] for index, choice in enumerate(variant["choices"]) if index in chosen
        )

    def variant(self, form: str | None = None) -> dict | None:
        """The objective form named by `form` (default: the one answered), if it exists."""
        form = self.form if form is None else form
        index = form.removeprefix("variant-")
        if not form.startswith("variant-") or not index.isdigit():
            return None
        variants = self.snapshot.get("variants", [])
        return variants[int(index)] if int(index) < len(variants) else None
