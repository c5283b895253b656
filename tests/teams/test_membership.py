"""Creating, joining, leaving, removing, handing over and new codes, with their refusals."""

import pytest
from django.urls import reverse

from teams.models import Membership, Team

pytestmark = pytest.mark.django_db


def current(team):
    return set(Membership.objects.current().filter(team=team).values_list("user__username", "role"))


def snapshot(team):
    team.refresh_from_db()
    memberships = list(
        Membership.objects.filter(team=team)
        .order_by("pk")
        .values_list("user_id", "role", "left_at")
    )
    return (team.name, team.invite_code, team.owner_id, team.archived_at, memberships)


def text(response) -> str:
    return response.content.decode()


# Creating


def test_it_creates_a_team_with_its_creator_as_owner(owner_client, owner):
    response = owner_client.post(
        reverse("teams:create"), {"name": "  CNN 冲刺班 ", "description": "秋招"}
    )
    team = Team.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("teams:detail", args=[team.pk])
    assert (team.name, team.description, team.owner) == ("CNN 冲刺班", "秋招", owner)
    assert current(team) == {("olivia", "owner")}
    assert len(team.invite_code) >= 16


def test_it_refuses_a_team_without_a_name(owner_client):
    response = owner_client.post(reverse("teams:create"), {"name": "  "})
    assert response.status_code == 400
    assert "这个字段是必填项" in text(response) or "required" in text(response).lower()
    assert not Team.objects.exists()


def test_invite_codes_differ_between_teams(owner_client):
    owner_client.post(reverse("teams:create"), {"name": "A"})
    owner_client.post(reverse("teams:create"), {"name": "B"})
    assert len(set(Team.objects.values_list("invite_code", flat=True))) == 2


# Joining


def test_the_invite_link_shows_the_team_and_joins_only_on_post(team, stranger_client, stranger):
    url = reverse("teams:join", args=[team.invite_code])
    page = stranger_client.get(url)
    assert page.status_code == 200
    assert team.name in text(page)
    assert 'method="post"' in text(page)
    assert not Membership.objects.filter(user=stranger).exists()

    response = stranger_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == team.get_absolute_url()
    assert ("sam", "member") in current(team)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_wrong_code_is_refused(team, stranger_client, stranger, method):
    response = getattr(stranger_client, method)(reverse("teams:join", args=["not-the-code"]))
    assert response.status_code == 404
    assert "邀请链接无效或已失效" in text(response)
    assert "invalid or has been replaced" in text(response)
    assert not Membership.objects.filter(user=stranger).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_joining_twice_is_refused(team, member_client, member, method):
    before = snapshot(team)
    response = getattr(member_client, method)(reverse("teams:join", args=[team.invite_code]))
    assert response.status_code == 409
    assert "你已经是这个团队的成员" in text(response)
    assert "already a member" in text(response)
    assert snapshot(team) == before


def test_a_user_can_be_in_several_teams(team, member_client, member, owner_client):
    owner_client.post(reverse("teams:create"), {"name": "第二个团队"})
    second = Team.objects.get(name="第二个团队")
    member_client.post(reverse("teams:join", args=[second.invite_code]))
    page = text(member_client.get(reverse("teams:list")))
    assert team.name in page and "第二个团队" in page


# Leaving


def test_a_member_leaves(team, member_client, member):
    response = member_client.post(reverse("teams:leave", args=[team.pk]))
    assert response.status_code == 302
    assert current(team) == {("olivia", "owner")}
    # The membership is ended, not deleted: the history stays.
    assert Membership.objects.get(user=member).left_at is not None
    assert member_client.get(team.get_absolute_url()).status_code == 404


def test_a_former_member_can_rejoin_with_the_current_code(team, member_client, member):
    member_client.post(reverse("teams:leave", args=[team.pk]))
    member_client.post(reverse("teams:join", args=[team.invite_code]))
    assert ("mike", "member") in current(team)
    assert Membership.objects.filter(user=member).count() == 2


def test_the_owner_cannot_leave_while_others_remain(team, owner_client):
    before = snapshot(team)
    response = owner_client.post(reverse("teams:leave", args=[team.pk]))
    assert response.status_code == 409
    assert "请先把创建者身份移交给另一位成员" in text(response)
    assert "hand over ownership first" in text(response)
    assert snapshot(team) == before


def test_the_last_one_out_archives_the_team_without_losing_history(
    team, member_client, owner_client, member, owner
):
    member_client.post(reverse("teams:leave", args=[team.pk]))
    response = owner_client.post(reverse("teams:leave", args=[team.pk]))
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.archived_at is not None and team.owner is None
    assert Membership.objects.filter(team=team).count() == 2  # both memberships kept
    assert owner_client.get(team.get_absolute_url()).status_code == 404
    # An archived team cannot be joined, even with its last code.
    assert owner_client.post(reverse("teams:join", args=[team.invite_code])).status_code == 404


# Removing


def test_the_owner_removes_a_member(team, owner_client, owner, member, member_client):
    response = owner_client.post(reverse("teams:remove", args=[team.pk, member.pk]))
    assert response.status_code == 302
    assert current(team) == {("olivia", "owner")}
    assert Membership.objects.get(user=member).removed_by == owner
    assert member_client.get(team.get_absolute_url()).status_code == 404


def test_the_owner_cannot_remove_themselves(team, owner_client, owner):
    before = snapshot(team)
    response = owner_client.post(reverse("teams:remove", args=[team.pk, owner.pk]))
    assert response.status_code == 400
    assert "不能移除自己" in text(response) and "cannot remove yourself" in text(response)
    assert snapshot(team) == before


def test_removing_someone_who_is_not_a_member_is_refused(team, owner_client, stranger):
    before = snapshot(team)
    response = owner_client.post(reverse("teams:remove", args=[team.pk, stranger.pk]))
    assert response.status_code == 404
    assert "不是本团队的成员" in text(response)
    assert snapshot(team) == before


# Handing over


def test_the_owner_hands_over_ownership(team, owner_client, owner, member):
    response = owner_client.post(reverse("teams:transfer", args=[team.pk, member.pk]))
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.owner == member
    assert current(team) == {("olivia", "member"), ("mike", "owner")}
    # Now the former owner may leave.
    assert owner_client.post(reverse("teams:leave", args=[team.pk])).status_code == 302
    assert current(team) == {("mike", "owner")}


@pytest.mark.parametrize("target", ["self", "stranger"])
def test_handing_over_to_yourself_or_a_non_member_is_refused(
    team, owner_client, owner, stranger, target
):
    before = snapshot(team)
    user = owner if target == "self" else stranger
    response = owner_client.post(reverse("teams:transfer", args=[team.pk, user.pk]))
    assert response.status_code == (400 if target == "self" else 404)
    assert snapshot(team) == before


# Settings and codes


def test_regenerating_the_code_makes_old_links_404(team, owner_client, stranger_client):
    old = team.invite_code
    response = owner_client.post(reverse("teams:code", args=[team.pk]))
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.invite_code != old
    assert stranger_client.get(reverse("teams:join", args=[old])).status_code == 404
    assert stranger_client.post(reverse("teams:join", args=[old])).status_code == 404
    assert stranger_client.get(reverse("teams:join", args=[team.invite_code])).status_code == 200


def test_the_owner_renames_and_opts_out(team, owner_client):
    response = owner_client.post(
        reverse("teams:settings", args=[team.pk]),
        {"name": "新名字", "description": "", "public_board_opt_out": "on"},
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.description, team.public_board_opt_out) == ("新名字", "", True)


def test_an_invalid_rename_is_refused(team, owner_client):
    before = snapshot(team)
    response = owner_client.post(
        reverse("teams:settings", args=[team.pk]), {"name": "x" * 61, "description": ""}
    )
    assert response.status_code == 400
    assert snapshot(team) == before


@pytest.mark.parametrize(
    ("method", "name", "needs_user"),
    [
        ("get", "settings", False),
        ("post", "settings", False),
        ("post", "code", False),
        ("post", "remove", True),
        ("post", "transfer", True),
    ],
)
def test_members_cannot_do_what_only_owners_may(
    team, member_client, owner, method, name, needs_user
):
    before = snapshot(team)
    args = [team.pk, owner.pk] if needs_user else [team.pk]
    data = {"name": "被改了", "description": ""} if name == "settings" else {}
    response = getattr(member_client, method)(reverse(f"teams:{name}", args=args), data)
    assert response.status_code == 403
    assert "只有团队创建者可以这样做" in text(response)
    assert "Only the team&#x27;s owner can do this." in text(response)
    assert snapshot(team) == before


@pytest.mark.parametrize("name", ["code", "leave"])
def test_write_urls_refuse_get(team, owner_client, name):
    before = snapshot(team)
    assert owner_client.get(reverse(f"teams:{name}", args=[team.pk])).status_code == 405
    assert snapshot(team) == before
