"""Period boundaries: weeks start Monday 00:00 and months on the 1st, in the viewer's zone."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.models import Profile
from teams import views
from teams.selectors import period_for

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (dt.date(2025, 6, 2), dt.date(2025, 6, 2), dt.date(2025, 6, 9)),  # Monday
        (dt.date(2025, 6, 8), dt.date(2025, 6, 2), dt.date(2025, 6, 9)),  # Sunday
        (dt.date(2025, 1, 1), dt.date(2024, 12, 30), dt.date(2025, 1, 6)),  # across a year
    ],
)
def test_a_week_runs_from_monday_to_sunday(today, start, end):
    period = period_for("week", today)
    assert (period.start, period.end, period.last_day) == (start, end, end - dt.timedelta(1))


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (dt.date(2025, 6, 30), dt.date(2025, 6, 1), dt.date(2025, 7, 1)),
        (dt.date(2024, 12, 31), dt.date(2024, 12, 1), dt.date(2025, 1, 1)),
        (dt.date(2024, 2, 29), dt.date(2024, 2, 1), dt.date(2024, 3, 1)),
    ],
)
def test_a_month_runs_from_the_first_to_its_last_day(today, start, end):
    period = period_for("month", today)
    assert (period.start, period.end) == (start, end)


def test_all_time_is_unbounded():
    period = period_for("all", dt.date(2025, 6, 2))
    assert period.start is None and period.end is None


@pytest.fixture
def clock(monkeypatch):
    """Set the instant the team views think it is."""

    def set_now(instant: dt.datetime):
        monkeypatch.setattr(views, "timezone", SimpleNamespace(now=lambda: instant))

    return set_now


def counted(client, team, period="week") -> dict[str, int]:
    """Member name -> interviews counted on the board the client sees."""
    response = client.get(reverse("teams:detail", args=[team.pk]), {"period": period})
    assert response.status_code == 200
    return {row.name: row.interviews for row in response.context["rows"]}


@pytest.fixture
def weekend_data(team, owner, member, stat):
    stat(member, dt.date(2025, 6, 1), [80])  # Sunday
    stat(owner, dt.date(2025, 6, 2), [60])  # Monday


def test_at_monday_0030_in_shanghai_the_new_week_has_begun(weekend_data, team, owner_client, clock):
    clock(dt.datetime(2025, 6, 1, 16, 30, tzinfo=UTC))  # Monday 00:30 in Shanghai
    assert counted(owner_client, team) == {"奥莉维亚 Olivia": 1, "麦克 Mike": 0}
    page = owner_client.get(reverse("teams:detail", args=[team.pk])).content.decode()
    assert "2025-06-02 至 2025-06-08" in page
    assert "每周从周一 00:00 开始,按你的时区 Asia/Shanghai 计算" in page


def test_a_minute_before_midnight_in_shanghai_it_is_still_last_week(
    weekend_data, team, owner_client, clock
):
    clock(dt.datetime(2025, 6, 1, 15, 59, tzinfo=UTC))  # Sunday 23:59 in Shanghai
    assert counted(owner_client, team) == {"麦克 Mike": 1, "奥莉维亚 Olivia": 0}


def test_the_same_instant_in_new_york_is_still_last_week(
    weekend_data, team, member, member_client, clock
):
    Profile.objects.filter(user=member).update(timezone="America/New_York")
    clock(dt.datetime(2025, 6, 1, 16, 30, tzinfo=UTC))  # Sunday 12:30 in New York
    assert counted(member_client, team) == {"麦克 Mike": 1, "奥莉维亚 Olivia": 0}
    page = member_client.get(reverse("teams:detail", args=[team.pk])).content.decode()
    assert "2025-05-26 至 2025-06-01" in page
    assert "America/New_York" in page
    # Monday 00:00 in New York: the week turns there too.
    clock(dt.datetime(2025, 6, 2, 4, 0, tzinfo=UTC))
    assert counted(member_client, team) == {"奥莉维亚 Olivia": 1, "麦克 Mike": 0}


def test_months_turn_at_midnight_on_the_first_in_each_zone(
    team, owner, member, member_client, owner_client, stat, clock
):
    Profile.objects.filter(user=member).update(timezone="America/New_York")
    stat(owner, dt.date(2025, 5, 31), [50])
    stat(member, dt.date(2025, 6, 1), [70])
    clock(dt.datetime(2025, 5, 31, 16, 0, tzinfo=UTC))  # June 1st 00:00 in Shanghai
    assert counted(owner_client, team, "month") == {"麦克 Mike": 1, "奥莉维亚 Olivia": 0}
    # ...but May 31st 12:00 in New York.
    assert counted(member_client, team, "month") == {"奥莉维亚 Olivia": 1, "麦克 Mike": 0}
