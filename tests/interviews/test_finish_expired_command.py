import pytest
from django.core.management import call_command

from interviews.models import Interview
from tests.interviews.conftest import expire

pytestmark = pytest.mark.django_db


def test_it_finishes_only_expired_interviews_and_is_idempotent(
    start_interview, candidate, stranger, capsys
):
    expired = start_interview(candidate, count=2)
    running = start_interview(stranger, count=2)
    expired.responses.filter(position=0).update(draft_text="存下的草稿")
    expire(expired, seconds_ago=120)

    call_command("finish_expired_interviews")
    assert "Finished 1 expired" in capsys.readouterr().out
    expired.refresh_from_db()
    running.refresh_from_db()
    assert expired.state == Interview.State.TIMED_OUT
    assert expired.responses.get(position=0).from_draft
    assert running.state == Interview.State.IN_PROGRESS
    finished_at = expired.finished_at

    call_command("finish_expired_interviews")
    assert "Finished 0 expired" in capsys.readouterr().out
    expired.refresh_from_db()
    assert expired.finished_at == finished_at
