from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.functional import cached_property

from questions import markup
from quizsite.rows import loaded


class TagQuerySet(models.QuerySet):
    def with_published_counts(self) -> TagQuerySet:
        # Meta.ordering does not apply to aggregating queries: order explicitly.
        return self.annotate(
            published_count=Count(
                "questions", filter=Q(questions__status=Question.Status.PUBLISHED)
            )
        ).order_by("position", "slug")


class TagManager(models.Manager.from_queryset(TagQuerySet)):
    def get_by_natural_key(self, slug: str) -> Tag:
        return self.get(slug=slug)


class Tag(models.Model):
    slug = models.SlugField(unique=True)
    name_zh = models.CharField("中文名 Chinese name", max_length=40)
    name_en = models.CharField("英文名 English name", max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TagManager()

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = "标签 Tag"
        verbose_name_plural = "标签 Tags"

    def __str__(self) -> str:
        return f"{self.name_zh} · {self.name_en}" if self.name_zh != self.name_en else self.name_zh

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("questions:topic", args=[self.slug])


class QuestionQuerySet(models.QuerySet):
    def published(self) -> QuestionQuerySet:
        return self.filter(status=Question.Status.PUBLISHED)


class QuestionManager(models.Manager.from_queryset(QuestionQuerySet)):
    def get_by_natural_key(self, key: str) -> Question:
        return self.get(key=key)


class Question(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿 Draft"
        PUBLISHED = "published", "已发布 Published"
        RETIRED = "retired", "已停用 Retired"

    class Difficulty(models.IntegerChoices):
        EASY = 1, "简单 Easy"
        MEDIUM = 2, "中等 Medium"
        HARD = 3, "困难 Hard"

    key = models.SlugField(
        unique=True,
        max_length=40,
        blank=True,
        help_text="Stable identifier used by fixtures and exports, e.g. dlqa2023-025. "
        "Left blank, one is made up.",
    )
    source_document = models.CharField("来源文档 Source document", max_length=120, blank=True)
    source_number = models.PositiveSmallIntegerField("来源题号 Item number", null=True, blank=True)
    prompt = models.TextField("题目 Prompt")
    reference_answer = models.TextField(
        "参考答案 Reference answer", help_text="Markdown; $...$ math"
    )
    original_answer = models.TextField(
        "原文答案 Original answer",
        blank=True,
        help_text="The source document's answer, kept when the reference is corrected.",
    )
    correction_note = models.TextField("更正说明 Correction note", blank=True)
    tags = models.ManyToManyField(Tag, related_name="questions", verbose_name="标签 Tags")
    difficulty = models.PositiveSmallIntegerField(
        "难度 Difficulty", choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    status = models.CharField(
        "状态 Status", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    related = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name="相关题目 Related questions"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionManager()

    class Meta:
        ordering = ["source_number", "key"]
        verbose_name = "题目 Question"
        verbose_name_plural = "题目 Questions"
        constraints = [
            models.UniqueConstraint(
                fields=["source_document", "source_number"],
                condition=Q(source_number__isnull=False),
                name="unique_source_item",
            )
        ]

    def __str__(self) -> str:
        number = f"#{self.source_number} " if self.source_number else ""
        return f"{number}{self.prompt[:60]}"

    def natural_key(self) -> tuple[str]:
        return (self.key,)

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = f"q-{uuid.uuid4().hex[:10]}"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("questions:detail", args=[self.key])

    @property
    def is_corrected(self) -> bool:
        return bool(self.original_answer)

    @cached_property
    def reference_html(self) -> str:
        return markup.render(self.reference_answer)

    @cached_property
    def original_html(self) -> str:
        return markup.render(self.original_answer)

    def snapshot(self) -> dict:
        """Everything a candidate is asked and scored against, as plain data.

        Relies on prefetched key points, variants and tags when called in a loop.
        """
        return {
            "key": self.key,
            "prompt": self.prompt,
            "reference_answer": self.reference_answer,
            "difficulty": self.difficulty,
            "status": self.status,
            "tags": sorted(tag.slug for tag in self.tags.all()),
            "rubric": [
                {
                    "point": kp.point,
                    "point_en": kp.point_en,
                    "weight": kp.weight,
                    "phrases": kp.phrase_list,
                }
                for kp in self.key_points.all()
            ],
            "variants": [variant.snapshot() for variant in self.variants.all()],
        }

    def record_version(self, *, author=None, note: str = "") -> QuestionVersion:
        """Store the question's current content as a new version unless it is unchanged."""
        data = self.snapshot()
        latest = self.versions.order_by("-number").first()
        if latest and latest.data == data:
            return latest
        return QuestionVersion.objects.create(
            question=self,
            number=(latest.number + 1) if latest else 1,
            data=data,
            author=author,
            note=note[:200],
        )


class ChildManager(models.Manager):
    """Children of a question are identified by the question's key and their position."""

    def get_by_natural_key(self, question_key: str, position: int):
        return self.get(question__key=question_key, position=position)


class KeyPoint(models.Model):
    """One thing a strong answer says, with the phrasings that count as saying it."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="key_points", db_index=False
    )  # unique_key_point begins with it
    position = models.PositiveSmallIntegerField(default=0)
    point = models.CharField("要点 Key point", max_length=200)
    point_en = models.CharField("英文 English", max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField("权重 Weight", default=1)
    phrases = models.TextField(
        "命中说法 Phrases",
        help_text="One per line; any line hits the point. 'A & B' needs both A and B.",
    )

    objects = ChildManager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "评分要点 Rubric key point"
        verbose_name_plural = "评分要点 Rubric key points"
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="unique_key_point")
        ]

    def __str__(self) -> str:
        return self.point

    def natural_key(self) -> tuple[str, int]:
        return (self.question.key, self.position)

    natural_key.dependencies = ["questions.question"]

    @property
    def phrase_list(self) -> list[str]:
        return [line.strip() for line in self.phrases.splitlines() if line.strip()]


class Variant(models.Model):
    """An objective form of a question: choices or a number, scored exactly."""

    class Kind(models.TextChoices):
        SINGLE = "single", "单选 Single choice"
        MULTIPLE = "multiple", "多选 Multiple choice"
        NUMERIC = "numeric", "数值 Numeric"

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="variants", db_index=False
    )  # unique_variant begins with it
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField("类型 Kind", max_length=10, choices=Kind.choices)
    prompt = models.TextField("题目 Prompt")
    numeric_answer = models.DecimalField(
        "数值答案 Numeric answer", max_digits=14, decimal_places=4, null=True, blank=True
    )
    tolerance = models.DecimalField("容差 Tolerance", max_digits=14, decimal_places=4, default=0)

    objects = ChildManager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "客观题形式 Objective variant"
        verbose_name_plural = "客观题形式 Objective variants"
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="unique_variant")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.prompt[:40]}"

    def natural_key(self) -> tuple[str, int]:
        return (self.question.key, self.position)

    natural_key.dependencies = ["questions.question"]

    def snapshot(self) -> dict:
        data = {"kind": self.kind, "prompt": self.prompt}
        if self.kind == self.Kind.NUMERIC:
            data["answer"] = str(self.numeric_answer)
            data["tolerance"] = str(self.tolerance)
        else:
            data["choices"] = [
                {"text": choice.text, "correct": choice.is_correct} for choice in self.choices.all()
            ]
        return data


class ChoiceManager(models.Manager):
    def get_by_natural_key(self, question_key: str, variant_position: int, position: int):
        return self.get(
            variant__question__key=question_key,
            variant__position=variant_position,
            position=position,
        )


class Choice(models.Model):
    variant = models.ForeignKey(
        Variant, on_delete=models.CASCADE, related_name="choices", db_index=False
    )  # unique_choice begins with it
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField("选项 Choice", max_length=300)
    is_correct = models.BooleanField("正确 Correct", default=False)

    objects = ChoiceManager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "选项 Choice"
        verbose_name_plural = "选项 Choices"
        constraints = [
            models.UniqueConstraint(fields=["variant", "position"], name="unique_choice")
        ]

    def __str__(self) -> str:
        return self.text

    def natural_key(self) -> tuple[str, int, int]:
        return (*self.variant.natural_key(), self.position)

    natural_key.dependencies = ["questions.variant"]


class QuestionVersion(models.Model):
    """An immutable snapshot of a question; interview results point at the one that was asked."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="versions", db_index=False
    )  # unique_version_number begins with it
    number = models.PositiveIntegerField()
    data = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "-number"]
        verbose_name = "题目版本 Question version"
        verbose_name_plural = "题目版本 Question versions"
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="unique_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.question.key} v{self.number}"

    def changed_fields(self, previous: QuestionVersion | None) -> list[str]:
        if previous is None:
            return sorted(self.data)
        return sorted(k for k in self.data if self.data.get(k) != previous.data.get(k))


# What a version says never changes once written: nothing edits a QuestionVersion (the admin
# shows them read-only), and one is deleted only with a question no answer points at. So a
# process keeps the snapshots it has read, by version id, and an interview's pages read their
# responses without the versions' JSON. Read-only: callers never change a snapshot in place.
# Bounded: emptied when full (a bank has hundreds of versions, not thousands).
_SNAPSHOTS: dict[int, tuple] = {}
SNAPSHOTS_KEPT = 4096
SNAPSHOT_FIELDS = ("id", "question_id", "number", "data")


def attach_versions(rows) -> None:
    """Give each row (anything with a `version_id`, e.g. an interview's responses) its question
    version: the snapshot fields, from this process's copy; the missing read in one query."""
    missing = {row.version_id for row in rows} - _SNAPSHOTS.keys()
    if missing:
        if len(_SNAPSHOTS) + len(missing) > SNAPSHOTS_KEPT:
            _SNAPSHOTS.clear()
        found = QuestionVersion.objects.filter(id__in=missing).values_list(*SNAPSHOT_FIELDS)
        _SNAPSHOTS.update((values[0], values) for values in found)
    for row in rows:
        version = loaded(QuestionVersion, SNAPSHOT_FIELDS, _SNAPSHOTS[row.version_id])
        # What `row.version = version` does once its checks (the right model, the same
        # database, the id to copy) pass, which they do here by construction.
        row._meta.get_field("version").set_cached_value(row, version)


def keep_versions(versions) -> list[dict]:
    """Read the versions of a QuestionVersion queryset into this process's copy (a server
    process keeps the bank's current ones from its start); return their snapshots."""
    found = list(versions.values_list(*SNAPSHOT_FIELDS))
    if len(_SNAPSHOTS) + len(found) > SNAPSHOTS_KEPT:
        _SNAPSHOTS.clear()
    _SNAPSHOTS.update((values[0], values) for values in found)
    return [values[3] for values in found]


def forget_versions() -> None:
    """Empty this process's copy of the snapshots (tests start each case from a cold one)."""
    _SNAPSHOTS.clear()
