from datetime import timedelta

from django.utils import timezone

from interviews.models import Interview


def expire(interview: Interview, seconds_ago: int = 60) -> None:
    """Move an interview's clock so its deadline passed `seconds_ago` seconds ago."""
    limit = interview.deadline - interview.started_at
    interview.deadline = timezone.now() - timedelta(seconds=seconds_ago)
    interview.started_at = interview.deadline - limit
    interview.save(update_fields=["started_at", "deadline"])
