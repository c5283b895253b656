"""The team board page, its htmx region and the public board."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from teams import services
from teams.models import Team

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def today():
    return timezone.localdate()


def test_the_board_highlights_the_viewer_and_states_its_rules(
    team, owner, member, member_client, stat, today
):
    stat(owner, today, [90])
    stat(member, today, [70])
    page = member_client.get(team.get_absolute_url()).content.decode()
    assert page.count('aria-current="true"') == 1
    viewer_row = page[page.index('aria-current="true"') :].split("</tr>")[0]
    assert "麦克 Mike" in viewer_row
    assert "平均分相同,完成场次多者在前;再相同,最高分高者在前;仍相同则名次并列" in page
    assert "on equal averages, more finished interviews first" in page
    assert "每周从周一 00:00 开始" in page and "Weeks start Monday 00:00" in page
    assert 'hx-trigger="every 30s, visibilitychange from:document"' in page
    assert "data-refresh-while-visible" in page


@pytest.mark.parametrize("period", ["week", "month", "all"])
def test_the_period_comes_from_the_query_string(team, owner_client, period):
    page = owner_client.get(team.get_absolute_url(), {"period": period}).content.decode()
    assert f'id="period-{period}" href="/teams/{team.pk}/?period={period}"' in page
    current = page[page.index(f'id="period-{period}"') :].split(">")[0]
    assert 'aria-current="page"' in current
    assert f'hx-get="/teams/{team.pk}/?period={period}"' in page  # the refresh keeps it


def test_an_unknown_period_is_refused(team, owner_client):
    response = owner_client.get(team.get_absolute_url(), {"period": "year"})
    assert response.status_code == 400
    assert "没有这个时间段" in response.content.decode()


def test_htmx_gets_only_the_board_region(team, owner_client):
    response = owner_client.get(team.get_absolute_url(), {"period": "month"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="board"')
    assert "<html" not in page and "邀请链接" not in page
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(team, owner_client):
    response = owner_client.get(
        team.get_absolute_url(), {"period": "month"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )
    assert "<html" in response.content.decode()


def test_a_non_member_polling_the_board_gets_a_404_fragment(team, stranger_client):
    response = stranger_client.get(team.get_absolute_url(), **HTMX)
    assert response.status_code == 404
    assert "<html" not in response.content.decode()


def test_the_owner_sees_member_actions_and_members_do_not(team, owner_client, member_client):
    owner_page = owner_client.get(team.get_absolute_url()).content.decode()
    member_page = member_client.get(team.get_absolute_url()).content.decode()
    assert "设为创建者" in owner_page and "移除" in owner_page
    assert "设为创建者" not in member_page
    assert "管理团队" in owner_page and "管理团队" not in member_page
    assert team.invite_code in member_page  # members may invite too


# The public board


@pytest.fixture
def make_team(user_factory, stat, today):
    def create(name, scores_by_member, *, opt_out=False):
        users = [
            user_factory(f"{name}-{i}", f"{name} 成员{i}") for i, _ in enumerate(scores_by_member)
        ]
        team = services.team_create(owner=users[0], name=name)
        for user in users[1:]:
            services.team_join(user=user, code=team.invite_code)
        for user, scores in zip(users, scores_by_member, strict=True):
            if scores:
                stat(user, today, scores)
        if opt_out:
            Team.objects.filter(pk=team.pk).update(public_board_opt_out=True)
        return team, users

    return create


def public_rows(client, period="week"):
    response = client.get(reverse("teams:public_board"), {"period": period})
    assert response.status_code == 200
    return response.context["rows"]


def test_teams_rank_by_their_active_members_mean(make_team, owner_client):
    make_team("Alpha", [[90], [70], [50, 100], []])  # members' means 90, 70, 75 -> 78.3
    make_team("Beta", [[80], [80], [80]])  # 80.0
    rows = public_rows(owner_client)
    assert [(row.name, row.rank, row.score, row.active_members) for row in rows] == [
        ("Beta", 1, 80, 3),
        ("Alpha", 2, Decimal("78.3"), 3),
    ]


def test_teams_below_the_minimum_of_active_members_are_not_listed(make_team, owner_client):
    make_team("Duo", [[100], [100], []])
    make_team("Trio", [[10], [10], [10]])
    assert [row.name for row in public_rows(owner_client)] == ["Trio"]


def test_opted_out_and_archived_teams_are_not_listed(make_team, owner_client):
    make_team("Hidden", [[90], [90], [90]], opt_out=True)
    archived, _ = make_team("Gone", [[90], [90], [90]])
    Team.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    make_team("Shown", [[50], [50], [50]])
    assert [row.name for row in public_rows(owner_client)] == ["Shown"]


def test_team_ties_are_broken_by_active_members_then_interviews(make_team, owner_client):
    make_team("Three", [[80], [80], [80]])
    make_team("Four", [[80], [80], [80], [80]])
    make_team("FourBusy", [[80, 80], [80], [80], [80]])
    make_team("FourBusyToo", [[80], [80, 80], [80], [80]])
    rows = public_rows(owner_client)
    assert [(row.name, row.rank) for row in rows] == [
        ("FourBusy", 1),
        ("FourBusyToo", 1),
        ("Four", 3),
        ("Three", 4),
    ]


def test_the_viewers_teams_are_marked_and_linked(make_team, client):
    mine, users = make_team("Mine", [[60], [60], [60]])
    make_team("Theirs", [[70], [70], [70]])
    client.force_login(users[1])
    page = client.get(reverse("teams:public_board")).content.decode()
    assert page.count('aria-current="true"') == 1
    assert f'href="{mine.get_absolute_url()}"' in page
    assert "Theirs" in page and page.count('href="/teams/') == page.count(
        f'href="{mine.get_absolute_url()}"'
    ) + page.count('href="/teams/"') + page.count('href="/teams/board/')
    # Member names never appear on the public board.
    assert "Mine 成员" not in page and "Theirs 成员" not in page


def test_the_public_board_swaps_its_region_for_htmx(owner_client):
    response = owner_client.get(reverse("teams:public_board"), {"period": "all"}, **HTMX)
    assert response.content.decode().lstrip().startswith('<section id="board"')


def test_the_ranking_is_reused_for_a_while(make_team, owner_client):
    make_team("First", [[60], [60], [60]])
    assert [row.name for row in public_rows(owner_client)] == ["First"]
    make_team("Second", [[70], [70], [70]])
    assert [row.name for row in public_rows(owner_client)] == ["First"]
    cache.clear()  # as when PUBLIC_BOARD_TTL has passed
    assert [row.name for row in public_rows(owner_client)] == ["Second", "First"]


def test_opting_out_leaves_the_public_board_at_once(
    make_team, owner_client, django_capture_on_commit_callbacks
):
    team, users = make_team("Quiet", [[60], [60], [60]])
    assert [row.name for row in public_rows(owner_client)] == ["Quiet"]
    with django_capture_on_commit_callbacks(execute=True):
        services.team_update(
            by=users[0], team_id=team.pk, name="Quiet", description="", public_board_opt_out=True
        )
    assert public_rows(owner_client) == []
