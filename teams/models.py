from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

NAME_MAX = 60
# DailyStat keeps scores (Interview.score, 0..1 with four decimals) as integers of this scale.
SCORE_SCALE = 10_000
DESCRIPTION_MAX = 500


def new_invite_code() -> str:
    """An unguessable code for the invite link (96 random bits, URL-safe)."""
    return secrets.token_urlsafe(12)


class TeamQuerySet(models.QuerySet):
    def active(self) -> TeamQuerySet:
        return self.filter(archived_at__isnull=True)


class Team(models.Model):
    """A study group or cohort. Archived, never deleted, when its last member leaves."""

    name = models.CharField("名称 Name", max_length=NAME_MAX)
    description = models.TextField("简介 Description", max_length=DESCRIPTION_MAX, blank=True)
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_teams",
    )
    public_board_opt_out = models.BooleanField(
        "不参加公开榜 Hidden from the public board", default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "团队 Team"
        verbose_name_plural = "团队 Teams"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:detail", args=[self.pk])

    def get_invite_url(self) -> str:
        return reverse("teams:join", args=[self.invite_code])


class MembershipQuerySet(models.QuerySet):
    def current(self) -> MembershipQuerySet:
        return self.filter(left_at__isnull=True)


class Membership(models.Model):
    """A user's time in a team; leaving or being removed ends it but keeps the row."""

    class Role(models.TextChoices):
        OWNER = "owner", "创建者 Owner"
        MEMBER = "member", "成员 Member"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team", "joined_at"]
        verbose_name = "成员 Membership"
        verbose_name_plural = "成员 Memberships"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=Q(left_at__isnull=True),
                name="one_current_membership",
            ),
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(left_at__isnull=True, role="owner"),
                name="one_current_owner",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "team"], condition=Q(left_at__isnull=True), name="current_by_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} · {self.get_role_display()}"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


class DailyStat(models.Model):
    """Per user and local day: what the user's finished timed interviews add up to.

    Maintained inside the finishing transaction (teams.receivers) and rebuilt from the raw
    interviews by `manage.py recompute_team_stats`; boards read only this table.
    """

    pk = models.CompositePrimaryKey("user_id", "day")
    # The primary key (user_id, day) serves lookups by user: no separate index.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The user's local date (Profile.timezone) when the interview finished.
    day = models.DateField()
    interviews = models.PositiveIntegerField(default=0)
    # Sum and maximum of Interview.score over those interviews, in ten-thousandths
    # (SCORE_SCALE): exact for its four decimal places, and integers sum fast.
    score_sum = models.PositiveIntegerField(default=0)
    best_score = models.PositiveSmallIntegerField(default=0)
    # Slugs of the topics of the questions asked, sorted, without repeats.
    topics = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "每日成绩 Daily stat"
        verbose_name_plural = "每日成绩 Daily stats"
        indexes = [
            # Period boards over every user (the public board) read only this index.
            models.Index(
                fields=["day", "user"],
                include=["interviews", "score_sum"],
                name="dailystat_day_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.day}"
