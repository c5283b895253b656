"""Queries per board request are fixed: the same for a team of 2 and a team of 40."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from teams import services

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def count_queries(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def large_team(user_factory, stat):
    users = [user_factory(f"big-{i}", f"大团队成员 {i}") for i in range(40)]
    team = services.team_create(owner=users[0], name="大团队")
    today = timezone.localdate()
    for i, user in enumerate(users):
        if i:
            services.team_join(user=user, code=team.invite_code)
        for days_ago in range(i % 9):
            stat(user, today - dt.timedelta(days=days_ago), [50 + i, 40], ["cnn", f"t{i}"])
    return team, users[0]


@pytest.mark.parametrize("period", ["week", "month", "all"])
@pytest.mark.parametrize("extra", [{}, HTMX], ids=["page", "htmx"])
def test_board_queries_do_not_grow_with_the_team(
    client, team, owner, large_team, stat, period, extra, django_assert_max_num_queries
):
    stat(owner, timezone.localdate(), [80])
    big_team, big_owner = large_team
    client.force_login(owner)
    small = count_queries(client, f"{team.get_absolute_url()}?period={period}", **extra)
    client.force_login(big_owner)
    with django_assert_max_num_queries(small):
        client.get(f"{big_team.get_absolute_url()}?period={period}", **extra)
    assert small <= 6


def test_public_board_queries_are_fixed(
    client, owner, large_team, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(owner)
    # session, user with their profile (time zone), the viewer's teams, the ranking
    with django_assert_num_queries(4):
        response = client.get(reverse("teams:public_board"), {"period": "all"})
    assert response.status_code == 200
    assert [row.name for row in response.context["rows"]] == ["大团队"]
    # The ranking is the same for everyone: the next viewer reuses it.
    client.force_login(large_team[1])
    with django_assert_num_queries(3):
        response = client.get(reverse("teams:public_board"), {"period": "all"})
    assert [row.is_mine for row in response.context["rows"]] == [True]
