from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import IntegrityError, models, transaction

DEFAULT_TIMEZONE = "Asia/Shanghai"


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Profile(models.Model):
    """What a user shows others and how they like the site: never their e-mail address."""

    class Language(models.TextChoices):
        ZH = "zh-hans", "简体中文"
        EN = "en", "English"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField("显示名称 Display name", max_length=40, blank=True)
    language = models.CharField(
        "语言 Language", max_length=8, choices=Language.choices, default=Language.ZH
    )
    timezone = models.CharField(
        "时区 Time zone", max_length=64, default=DEFAULT_TIMEZONE, choices=timezone_choices
    )

    class Meta:
        verbose_name = "个人资料 Profile"
        verbose_name_plural = "个人资料 Profiles"

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.user.get_username()

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


def timezone_of(user) -> zoneinfo.ZoneInfo:
    """The time zone of a user (or user id), without creating a profile; the default when they
    have none. No query when the user came with their profile (see ProfileModelBackend)."""
    if not isinstance(user, int) and Profile.user.field.remote_field.is_cached(user):
        profile = getattr(user, "profile", None)  # None: known to have no profile
        name = profile.timezone if profile else None
    else:
        user_id = user if isinstance(user, int) else user.pk
        name = Profile.objects.filter(user_id=user_id).values_list("timezone", flat=True).first()
    try:
        return zoneinfo.ZoneInfo(name or DEFAULT_TIMEZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)


def profile_for(user) -> Profile:
    """The user's profile, created with defaults on first use. No query when the user came with
    it (see ProfileModelBackend)."""
    if Profile.user.field.remote_field.is_cached(user):
        profile = getattr(user, "profile", None)
        if profile is not None:
            return profile
        try:  # known to have none: no need to look first
            with transaction.atomic():
                return Profile.objects.create(user=user)
        except IntegrityError:  # a concurrent request has just created it
            pass
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile
