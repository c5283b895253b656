import uuid
from datetime import timedelta

from django import forms
from django.db.models.query import EmptyQuerySet

from interviews.models import Interview
from questions.models import Tag

PRESETS = [
    # (label zh, label en, mode, questions, minutes)
    ("10 题 · 20 分钟 · 全部主题", "10 questions · 20 minutes · all topics", "interview", 10, 20),
    ("5 题 · 10 分钟 · 快速一练", "5 questions · 10 minutes · quick round", "interview", 5, 10),
    ("练习 5 题 · 不限时 · 每题反馈", "Practice 5 · untimed · feedback each", "practice", 5, None),
]


class StartForm(forms.Form):
    mode = forms.ChoiceField(
        label="模式 Mode", choices=Interview.Mode.choices, initial=Interview.Mode.INTERVIEW
    )
    tags = forms.ModelMultipleChoiceField(
        label="主题 Topics",
        queryset=Tag.objects.order_by("position", "slug"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选即全部主题。None selected means all topics.",
    )
    question_count = forms.IntegerField(
        label="题数 Questions", min_value=1, max_value=30, initial=10
    )
    time_limit_minutes = forms.IntegerField(
        label="时限(分钟)Time limit (minutes)",
        min_value=1,
        max_value=180,
        initial=20,
        required=False,
        help_text="仅用于模拟面试模式。Interview mode only.",
    )
    start_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_tags(self) -> list[Tag]:
        """The chosen topics as a list; none chosen (every topic) is an empty one. The field
        answers that with an empty QuerySet, which still compiles its SQL each time it is
        read (about 8 % of a start's CPU)."""
        tags = self.cleaned_data["tags"]
        return [] if isinstance(tags, EmptyQuerySet) else list(tags)

    def clean(self):
        data = super().clean()
        if data.get("mode") == Interview.Mode.INTERVIEW and not data.get("time_limit_minutes"):
            self.add_error(
                "time_limit_minutes", "模拟面试需要时限。An interview needs a time limit."
            )
        return data

    @property
    def time_limit(self) -> timedelta | None:
        minutes = self.cleaned_data.get("time_limit_minutes")
        if self.cleaned_data["mode"] != Interview.Mode.INTERVIEW or not minutes:
            return None
        return timedelta(minutes=minutes)
