import uuid

from django import forms

from interviews.models import Interview

COUNT_CHOICES = [(5, "5"), (10, "10"), (15, "15")]


class PracticeForm(forms.Form):
    """Start a weak-topic practice: how many questions, which mode, optionally one topic."""

    question_count = forms.TypedChoiceField(
        label="题数 Questions", choices=COUNT_CHOICES, coerce=int, initial=10
    )
    mode = forms.ChoiceField(
        label="模式 Mode", choices=Interview.Mode.choices, initial=Interview.Mode.PRACTICE
    )
    topic = forms.SlugField(required=False, widget=forms.HiddenInput)
    start_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
