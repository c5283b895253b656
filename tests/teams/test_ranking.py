"""The team board on hand-made data: scores, ranks, tie-breaks, topics, streaks."""

import datetime as dt

import pytest
from django.utils import timezone

from teams import selectors, services

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 6, 2)
# Wednesday 2025-06-04 12:00 in Shanghai.
NOW = dt.datetime(2025, 6, 4, 4, 0, tzinfo=dt.UTC)


def board(team, period="week", now=NOW):
    today = timezone.localtime(now, timezone=dt.timezone(dt.timedelta(hours=8))).date()
    return selectors.team_board(
        team_id=team.pk, period=selectors.period_for(period, today), now=now
    )


def by_name(rows):
    return {row.name: row for row in rows}


@pytest.fixture
def join(team):
    def add(user):
        services.team_join(user=user, code=team.invite_code)
        return user

    return add


def test_it_ranks_by_the_period_average(team, owner, member, stat):
    stat(owner, MONDAY, [60, 80])
    stat(member, MONDAY + dt.timedelta(days=1), [90])
    rows = board(team)
    assert [(row.name, row.rank, row.average) for row in rows] == [
        ("麦克 Mike", 1, 90),
        ("奥莉维亚 Olivia", 2, 70),
    ]


def test_the_average_is_per_interview_over_the_days_of_the_period(team, owner, stat):
    stat(owner, MONDAY, [100])
    stat(owner, MONDAY + dt.timedelta(days=2), [50, 50, 50])
    stat(owner, MONDAY - dt.timedelta(days=1), [0])  # Sunday: last week
    row = by_name(board(team))["奥莉维亚 Olivia"]
    assert (row.interviews, row.average, row.best) == (4, 62.5, 100)


def test_the_average_is_rounded_to_one_decimal_and_equal_rounded_averages_tie(
    team, owner, member, stat
):
    stat(owner, MONDAY, [70.04, 70.04])  # 70.04
    stat(member, MONDAY, [70.0, 70.0])  # 70.00
    rows = board(team)
    assert {row.average for row in rows} == {70.0}
    assert [row.rank for row in rows] == [1, 1]


def test_equal_averages_are_broken_by_more_interviews(team, owner, member, stat):
    stat(owner, MONDAY, [80])
    stat(member, MONDAY, [70, 90])
    rows = board(team)
    assert [(row.name, row.rank) for row in rows] == [("麦克 Mike", 1), ("奥莉维亚 Olivia", 2)]


def test_then_by_the_best_score(team, owner, member, stat):
    stat(owner, MONDAY, [60, 100])
    stat(member, MONDAY, [75, 85])
    rows = board(team)
    assert [(row.name, row.rank) for row in rows] == [("奥莉维亚 Olivia", 1), ("麦克 Mike", 2)]


def test_then_the_rank_is_shared_and_names_order_the_rows(
    team, owner, member, stat, user_factory, join
):
    anna = join(user_factory("anna", "Anna"))
    third = join(user_factory("zed", "Zed"))
    stat(owner, MONDAY, [80, 60])
    stat(member, MONDAY, [60, 80])
    stat(anna, MONDAY, [90, 90])
    stat(third, MONDAY, [50])
    rows = board(team)
    assert [(row.name, row.rank) for row in rows] == [
        ("Anna", 1),
        ("奥莉维亚 Olivia", 2),
        ("麦克 Mike", 2),
        ("Zed", 4),
    ]


def test_members_without_a_counted_interview_come_last_unranked(
    team, owner, member, stat, user_factory, join
):
    join(user_factory("bea", "Bea"))
    stat(member, MONDAY, [40])
    stat(owner, MONDAY - dt.timedelta(days=3), [100])  # last week only
    rows = board(team)
    assert [(row.name, row.rank, row.interviews) for row in rows] == [
        ("麦克 Mike", 1, 1),
        ("Bea", None, 0),
        ("奥莉维亚 Olivia", None, 0),
    ]
    assert by_name(board(team, "all"))["奥莉维亚 Olivia"].rank == 1


def test_topics_are_counted_once_over_the_period(team, owner, stat):
    stat(owner, MONDAY, [50], ["cnn", "rnn"])
    stat(owner, MONDAY + dt.timedelta(days=1), [50], ["cnn", "transformer"])
    stat(owner, MONDAY - dt.timedelta(days=1), [50], ["gan"])
    assert by_name(board(team))["奥莉维亚 Olivia"].topics == 3
    assert by_name(board(team, "all"))["奥莉维亚 Olivia"].topics == 4


def test_the_streak_counts_consecutive_days_up_to_today(team, owner, member, stat):
    today = dt.date(2025, 6, 4)
    for days_ago in (0, 1, 2, 4, 5):
        stat(owner, today - dt.timedelta(days=days_ago), [50])
    for days_ago in (1, 2, 3, 4, 5, 6, 7, 8):  # not yet today: the streak still stands
        stat(member, today - dt.timedelta(days=days_ago), [50])
    rows = by_name(board(team, "week"))
    assert rows["奥莉维亚 Olivia"].streak == 3
    assert rows["麦克 Mike"].streak == 8
    # Independent of the period.
    assert by_name(board(team, "all"))["麦克 Mike"].streak == 8


def test_a_streak_ends_after_a_day_without_an_interview(team, owner, stat):
    stat(owner, dt.date(2025, 6, 2), [50])
    stat(owner, dt.date(2025, 6, 1), [50])
    assert by_name(board(team))["奥莉维亚 Olivia"].streak == 0


def test_the_streak_follows_the_members_own_calendar(team, owner, stat, user_factory, join):
    # 2025-06-04 02:00 UTC: Wednesday 10:00 in Shanghai, still Tuesday 22:00 in New York.
    now = dt.datetime(2025, 6, 4, 2, 0, tzinfo=dt.UTC)
    nia = join(user_factory("nyc", "Nia", tz="America/New_York"))
    stat(nia, MONDAY, [50])  # yesterday for Nia
    stat(owner, MONDAY, [50])  # the day before yesterday for Olivia
    rows = by_name(board(team, now=now))
    assert rows["Nia"].streak == 1
    assert rows["奥莉维亚 Olivia"].streak == 0
    assert by_name(board(team, now=now + dt.timedelta(hours=2)))["Nia"].streak == 0


def test_former_members_leave_the_board(team, owner, member, stat):
    stat(member, MONDAY, [99])
    services.member_remove(by=owner, team_id=team.pk, user_id=member.pk)
    assert [row.name for row in board(team)] == ["奥莉维亚 Olivia"]


def test_names_are_display_names_and_never_e_mail_addresses(team, stat, django_user_model, join):
    join(django_user_model.objects.create_user("li.lei@example.com", email="li@example.com"))
    names = [row.name for row in board(team)]
    assert "li.lei" in names
    assert not any("@" in name or "example.com" in name for name in names)


def test_a_member_in_several_teams_counts_in_each(team, owner, member, stat, user_factory):
    other = services.team_create(owner=user_factory("otto", "Otto"), name="Other")
    services.team_join(user=member, code=other.invite_code)
    stat(member, MONDAY, [77])
    assert by_name(board(team))["麦克 Mike"].average == 77
    assert by_name(board(other))["麦克 Mike"].average == 77
