import contextlib
import zoneinfo

from django.utils import timezone, translation

from accounts.models import timezone_of

SESSION_TIMEZONE = "profile_timezone"
SESSION_LANGUAGE = "profile_language"


def remember_preferences(request, profile) -> None:
    """Keep the profile's time zone and language in the session: no query per request."""
    request.session[SESSION_TIMEZONE] = profile.timezone
    request.session[SESSION_LANGUAGE] = profile.language


def request_timezone(request) -> zoneinfo.ZoneInfo:
    """The signed-in user's time zone, read once per request from their profile.

    Read from the profile rather than the session, so a change made on another device
    counts at once for periods and due dates.
    """
    if getattr(request, "_user_timezone", None) is None:
        request._user_timezone = timezone_of(request.user)
    return request._user_timezone


class UserPreferencesMiddleware:
    """Show times in the user's time zone and Django's own texts in their language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        name = request.session.get(SESSION_TIMEZONE)
        # A zone this server does not know: show the site's default.
        if name:
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo(name))
        language = request.session.get(SESSION_LANGUAGE)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            translation.deactivate()
        return response
