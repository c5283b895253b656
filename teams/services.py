"""Write paths of teams: create, join, leave, remove, hand over, new code, settings.

Every write locks the team row first (SELECT ... FOR UPDATE), so membership changes to one
team are serialised: two last members leaving at once still archive the team exactly once.
A refused write raises a TeamError (teams.errors: its message bilingual, its status a 4xx) and
changes nothing.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from teams import selectors
from teams.errors import (
    AlreadyMember,
    InviteInvalid,
    MemberNotFound,
    OwnerMustHandOver,
    OwnerOnly,
    TeamError,
    TeamNotFound,
)
from teams.models import Membership, Team, new_invite_code


def _lock_memberships(*, team_id: int, user_ids: list[int]) -> dict[int, Membership]:
    """The current memberships of these users in the team, by user id, each with the team: read
    in one query once the team row is locked. Empty when the team does not exist or is archived."""
    team = Team.objects.select_for_update().filter(pk=team_id, archived_at__isnull=True).first()
    if team is None:
        return {}
    memberships = {
        membership.user_id: membership
        for membership in Membership.objects.current().filter(team=team, user_id__in=user_ids)
    }
    for membership in memberships.values():
        membership.team = team
    return memberships


def _lock_membership(*, user, team_id: int) -> Membership:
    """The user's current membership, with its team row locked; TeamNotFound otherwise."""
    membership = _lock_memberships(team_id=team_id, user_ids=[user.pk]).get(user.pk)
    if membership is None:
        raise TeamNotFound
    return membership


def _as_owner(membership: Membership | None) -> Membership:
    if membership is None:
        raise TeamNotFound
    if not membership.is_owner:
        raise OwnerOnly
    return membership


def _lock_as_owner(*, user, team_id: int) -> Membership:
    return _as_owner(_lock_membership(user=user, team_id=team_id))


def _lock_as_owner_with(
    *, user, team_id: int, other_id: int
) -> tuple[Membership, Membership | None]:
    """The owner's membership and another user's (None when they are not a current member),
    read together once the team row is locked."""
    current = _lock_memberships(team_id=team_id, user_ids=[user.pk, other_id])
    return _as_owner(current.get(user.pk)), current.get(other_id)


def _end(membership: Membership, *, now, removed_by=None) -> None:
    membership.left_at = now
    membership.removed_by = removed_by
    membership.save(update_fields=["left_at", "removed_by"])


@transaction.atomic
def team_create(*, owner, name: str, description: str = "") -> Team:
    team = Team.objects.create(name=name, description=description, owner=owner)
    Membership.objects.create(team=team, user=owner, role=Membership.Role.OWNER)
    return team


@transaction.atomic
def team_join(*, user, code: str) -> Team:
    team = Team.objects.select_for_update().active().filter(invite_code=code).first()
    if team is None:
        raise InviteInvalid
    if Membership.objects.current().filter(team=team, user=user).exists():
        raise AlreadyMember(team)
    try:
        with transaction.atomic():
            Membership.objects.create(team=team, user=user, role=Membership.Role.MEMBER)
    except IntegrityError:
        raise AlreadyMember(team) from None
    return team


@transaction.atomic
def team_leave(*, user, team_id: int) -> Team:
    """Leave a team; the owner leaves last, and the last one out archives the team."""
    membership = _lock_membership(user=user, team_id=team_id)
    team = membership.team
    others = Membership.objects.current().filter(team=team).exclude(pk=membership.pk).exists()
    if membership.is_owner and others:
        raise OwnerMustHandOver
    now = timezone.now()
    _end(membership, now=now)
    if not others:
        # Archived rather than deleted: the team's name and membership history stay.
        team.archived_at = now
        team.owner = None
        team.save(update_fields=["archived_at", "owner"])
        transaction.on_commit(selectors.public_ranking_changed)
    return team


@transaction.atomic
def member_remove(*, by, team_id: int, user_id: int) -> Membership:
    _, membership = _lock_as_owner_with(user=by, team_id=team_id, other_id=user_id)
    if user_id == by.pk:
        raise TeamError(
            "不能移除自己:请先移交创建者身份,再退出团队。"
            "You cannot remove yourself: hand over ownership, then leave the team."
        )
    if membership is None:
        raise MemberNotFound
    _end(membership, now=timezone.now(), removed_by=by)
    return membership


@transaction.atomic
def ownership_transfer(*, by, team_id: int, user_id: int) -> Membership:
    owner, successor = _lock_as_owner_with(user=by, team_id=team_id, other_id=user_id)
    if user_id == by.pk:
        raise TeamError("你已经是创建者。You are already the owner.")
    if successor is None:
        raise MemberNotFound
    # Demote first: at most one current owner per team is a database constraint.
    owner.role = Membership.Role.MEMBER
    owner.save(update_fields=["role"])
    successor.role = Membership.Role.OWNER
    successor.save(update_fields=["role"])
    team = owner.team
    team.owner_id = user_id
    team.save(update_fields=["owner"])
    return successor


@transaction.atomic
def code_regenerate(*, by, team_id: int) -> Team:
    """A new invite code: links with the old one stop working at once."""
    team = _lock_as_owner(user=by, team_id=team_id).team
    team.invite_code = new_invite_code()
    team.save(update_fields=["invite_code"])
    return team


@transaction.atomic
def team_update(
    *, by, team_id: int, name: str, description: str, public_board_opt_out: bool
) -> Team:
    team = _lock_as_owner(user=by, team_id=team_id).team
    team.name = name
    team.description = description
    team.public_board_opt_out = public_board_opt_out
    team.save(update_fields=["name", "description", "public_board_opt_out"])
    # Opting out (or a new name) shows on the public board at once, not after its cache expires.
    transaction.on_commit(selectors.public_ranking_changed)
    return team
