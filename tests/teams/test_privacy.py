"""Only members see a team: everyone else gets a 404, whatever the URL and method."""

import pytest
from django.test import Client
from django.urls import reverse

from teams.models import Membership

pytestmark = pytest.mark.django_db

TEAM_URLS = [
    ("detail", False),
    ("settings", False),
    ("code", False),
    ("leave", False),
    ("remove", True),
    ("transfer", True),
]


def team_url(name, team, member, needs_user):
    return reverse(f"teams:{name}", args=[team.pk, member.pk] if needs_user else [team.pk])


def state(team):
    team.refresh_from_db()
    return (
        team.name,
        team.invite_code,
        team.owner_id,
        list(Membership.objects.order_by("pk").values_list("user_id", "role", "left_at")),
    )


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "needs_user"), TEAM_URLS)
def test_a_stranger_gets_a_404(team, member, stranger_client, method, name, needs_user):
    before = state(team)
    response = getattr(stranger_client, method)(
        team_url(name, team, member, needs_user), {"name": "偷改", "description": ""}
    )
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有这个团队,或你不是它的成员" in page
    assert team.name not in page
    assert "麦克" not in page
    assert state(team) == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "needs_user"), TEAM_URLS)
def test_a_team_that_does_not_exist_looks_the_same(
    member, stranger_client, method, name, needs_user
):
    url = reverse(f"teams:{name}", args=[987654, member.pk] if needs_user else [987654])
    response = getattr(stranger_client, method)(url)
    assert response.status_code == 404
    assert "没有这个团队,或你不是它的成员" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_removed_member_gets_a_404(team, owner, member, member_client, method):
    from teams import services

    services.member_remove(by=owner, team_id=team.pk, user_id=member.pk)
    response = getattr(member_client, method)(team.get_absolute_url())
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["list", "public_board"])
def test_anonymous_visitors_are_sent_to_log_in(name):
    response = Client().get(reverse(f"teams:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_cannot_join_or_see_a_team(team, method):
    for url in (team.get_absolute_url(), reverse("teams:join", args=[team.invite_code])):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Membership.objects.count() == 2


def test_pages_show_display_names_never_e_mail_addresses(team, owner, member, owner_client):
    page = owner_client.get(team.get_absolute_url()).content.decode()
    assert "奥莉维亚 Olivia" in page and "麦克 Mike" in page
    assert "mail.example.com" not in page
    assert owner.email not in page and member.email not in page


def test_the_list_shows_only_my_teams(team, stranger_client, stranger):
    from teams import services

    services.team_create(owner=stranger, name="山姆的小组")
    page = stranger_client.get(reverse("teams:list")).content.decode()
    assert "山姆的小组" in page
    assert team.name not in page
