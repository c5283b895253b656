import zoneinfo

from django.utils import timezone, translation

SESSION_TIMEZONE = "profile_timezone"
SESSION_LANGUAGE = "profile_language"


def remember_preferences(request, profile) -> None:
    """Keep the profile's time zone and language in the session: no query per request."""
    request.session[SESSION_TIMEZONE] = profile.timezone
    request.session[SESSION_LANGUAGE] = profile.language


class UserPreferencesMiddleware:
    """Show times in the user's time zone and Django's own texts in their language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.session.get(SESSION_TIMEZONE)
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        language = request.session.get(SESSION_LANGUAGE)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            translation.deactivate()
        return response
