"""The per-user daily aggregate: what counts, on which day, and the rebuild command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from teams.models import SCORE_SCALE, DailyStat

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def rows():
    return list(
        DailyStat.objects.order_by("user_id", "day").values_list(
            "user_id", "day", "interviews", "score_sum", "best_score", "topics"
        )
    )


def test_a_finished_timed_interview_adds_to_its_day(sit_interview, member):
    interview = sit_interview(member, answers=2)
    stat = DailyStat.objects.get(user=member)
    assert interview.state == "finished"
    assert stat.interviews == 1
    assert stat.score_sum == stat.best_score == interview.score * SCORE_SCALE
    assert stat.topics == sorted({topic["slug"] for topic in interview.topic_scores})
    assert stat.topics


def test_a_timed_out_interview_counts(sit_interview, member):
    interview = sit_interview(member, finished_at=dt.datetime(2031, 1, 1, tzinfo=UTC))
    assert interview.state == "timed_out"
    assert DailyStat.objects.get(user=member).interviews == 1


def test_practice_and_abandoned_interviews_do_not_count(sit_interview, member):
    sit_interview(member, mode="practice")
    sit_interview(member, abandon=True)
    assert not DailyStat.objects.exists()


def test_interviews_of_one_day_add_up(sit_interview, member):
    first = sit_interview(member, answers=3)
    second = sit_interview(member, answers=0)
    stat = DailyStat.objects.get(user=member)
    assert stat.interviews == 2
    assert stat.score_sum == (first.score + second.score) * SCORE_SCALE
    assert stat.best_score == max(first.score, second.score) * SCORE_SCALE
    topics = {t["slug"] for t in first.topic_scores} | {t["slug"] for t in second.topic_scores}
    assert stat.topics == sorted(topics)


@pytest.mark.parametrize(
    ("tz", "finished_utc", "local_day"),
    [
        # Shanghai (UTC+8): Sunday 23:59:59 and Monday 00:00 local.
        ("Asia/Shanghai", dt.datetime(2025, 6, 1, 15, 59, 59, tzinfo=UTC), dt.date(2025, 6, 1)),
        ("Asia/Shanghai", dt.datetime(2025, 6, 1, 16, 0, 0, tzinfo=UTC), dt.date(2025, 6, 2)),
        # New York (UTC-4 in June): the same instants are still Sunday afternoon/evening.
        ("America/New_York", dt.datetime(2025, 6, 1, 16, 0, 0, tzinfo=UTC), dt.date(2025, 6, 1)),
        ("America/New_York", dt.datetime(2025, 6, 2, 3, 59, 59, tzinfo=UTC), dt.date(2025, 6, 1)),
        ("America/New_York", dt.datetime(2025, 6, 2, 4, 0, 0, tzinfo=UTC), dt.date(2025, 6, 2)),
    ],
)
def test_an_interview_counts_on_the_users_local_day(
    sit_interview, user_factory, tz, finished_utc, local_day
):
    user = user_factory("tz-user", tz=tz)
    sit_interview(user, finished_at=finished_utc)
    assert DailyStat.objects.get(user=user).day == local_day


def test_a_user_without_a_profile_counts_in_shanghai_time(sit_interview, django_user_model):
    user = django_user_model.objects.create_user("no-profile")
    sit_interview(user, finished_at=dt.datetime(2025, 6, 1, 16, 0, tzinfo=UTC))
    assert DailyStat.objects.get(user=user).day == dt.date(2025, 6, 2)


def test_recompute_equals_the_incremental_result(sit_interview, user_factory, owner, member):
    berlin = user_factory("berlin", tz="Europe/Berlin")
    sit_interview(owner, answers=3)
    sit_interview(owner, answers=1)
    sit_interview(owner, finished_at=dt.datetime(2025, 3, 9, 15, 30, tzinfo=UTC))
    sit_interview(member, answers=2, finished_at=dt.datetime(2025, 3, 9, 16, 30, tzinfo=UTC))
    sit_interview(member, mode="practice")
    sit_interview(member, abandon=True)
    sit_interview(berlin, answers=2, finished_at=dt.datetime(2025, 3, 30, 22, 30, tzinfo=UTC))
    sit_interview(berlin, answers=0, finished_at=dt.datetime(2025, 3, 30, 21, 30, tzinfo=UTC))
    incremental = rows()
    assert len(incremental) == 5

    DailyStat.objects.filter(user=member).delete()
    DailyStat.objects.filter(user=owner).update(interviews=99, score_sum=7, topics=[])
    out = StringIO()
    call_command("recompute_team_stats", stdout=out)

    assert rows() == incremental
    assert "Rebuilt 5 daily statistics rows." in out.getvalue()
