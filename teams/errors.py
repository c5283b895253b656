"""Refusals of team requests: a bilingual message and the HTTP status to answer with."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from teams.models import Team


class TeamError(Exception):
    """A refused request; `message` is shown to the user, `status` is the HTTP status."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TeamNotFound(TeamError):
    status = 404

    def __init__(self):
        super().__init__(
            "没有这个团队,或你不是它的成员。"
            "There is no such team, or you are not one of its members."
        )


class InviteInvalid(TeamError):
    status = 404

    def __init__(self):
        super().__init__(
            "邀请链接无效或已失效:请向团队创建者索取最新的链接。"
            "This invite link is invalid or has been replaced: ask the team's owner for the "
            "current one."
        )


class AlreadyMember(TeamError):
    status = 409

    def __init__(self, team: Team):
        super().__init__("你已经是这个团队的成员。You are already a member of this team.")
        self.team = team


class OwnerOnly(TeamError):
    status = 403

    def __init__(self):
        super().__init__("只有团队创建者可以这样做。Only the team's owner can do this.")


class MemberNotFound(TeamError):
    status = 404

    def __init__(self):
        super().__init__("这位用户不是本团队的成员。This user is not a member of this team.")


class OwnerMustHandOver(TeamError):
    status = 409

    def __init__(self):
        super().__init__(
            "创建者不能直接退出:请先把创建者身份移交给另一位成员。"
            "As the owner you cannot leave while others remain: hand over ownership first."
        )
