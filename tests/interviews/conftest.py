import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from interviews import services
from interviews.models import Interview


@pytest.fixture
def start_interview(bank):
    """Start an interview for a user through the real service."""

    def start(user, *, mode="interview", count=3, minutes=20, tags=()):
        return services.interview_start(
            user=user,
            mode=mode,
            tags=list(tags),
            question_count=count,
            time_limit=timedelta(minutes=minutes) if mode == "interview" else None,
            start_token=uuid.uuid4(),
        )

    return start


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user("charlie", password="charlie-pass-2023")


def expire(interview: Interview, seconds_ago: int = 60) -> None:
    """Move an interview's clock so its deadline passed `seconds_ago` seconds ago."""
    limit = interview.deadline - interview.started_at
    interview.deadline = timezone.now() - timedelta(seconds=seconds_ago)
    interview.started_at = interview.deadline - limit
    interview.save(update_fields=["started_at", "deadline"])
