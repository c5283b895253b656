"""django-axes' database handler, without the reads a successful login does not need."""

from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_session_hash, get_client_username, get_credentials
from axes.models import AccessLog

# Set on the request by the lockout check of a password login: (username, failures counted).
COUNTED = "_axes_failures_counted"


class LoginAttemptHandler(AxesDatabaseHandler):
    """Failed logins are recorded, counted and locked out exactly as by django-axes' database
    handler (AXES_HANDLER). A successful login still writes its access log row; it skips:

    - the clean-up of expired attempts. Every read of attempts ignores those older than the
      cool-off, and every failed login cleans up before it records, so an expired attempt is
      never counted nor added to: the clean-up after a failure is the one that matters.
    - the reset of the user's attempts (AXES_RESET_ON_SUCCESS) when the lockout check of the
      same request counted none for this username and address: there is nothing to reset.
      A failure recorded by a concurrent request after the check is kept (and counts until it
      expires), which errs on the strict side. A login that had no lockout check (a new
      account's first login, at signup) forgave no failed password and resets nothing.

    Attempts to reset go in one DELETE: nothing hangs off them here (no expiry rows without
    AXES_USE_ATTEMPT_EXPIRATION, and this handler does nothing when one is deleted).
    """

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        setattr(request, COUNTED, (get_client_username(request, credentials), failures))
        return failures

    def user_logged_in(self, sender, request, user, **kwargs):
        username = user.get_username()
        credentials = get_credentials(username)
        if not settings.AXES_DISABLE_ACCESS_LOG:
            AccessLog.objects.create(
                username=username,
                ip_address=request.axes_ip_address,
                user_agent=request.axes_user_agent,
                http_accept=request.axes_http_accept,
                path_info=request.axes_path_info,
                attempt_time=request.axes_attempt_time,
                # The session's key as it is stored: login() has just cycled it.
                session_hash=get_client_session_hash(request),
            )
        counted = getattr(request, COUNTED, None)
        if settings.AXES_RESET_ON_SUCCESS and counted is not None:
            counted_username, failures = counted
            if failures or counted_username != get_client_username(request, credentials):
                self.reset_user_attempts(request, credentials)

    def reset_user_attempts(self, request, credentials=None) -> int:
        if settings.AXES_USE_ATTEMPT_EXPIRATION:
            return super().reset_user_attempts(request, credentials)
        return sum(
            attempts._raw_delete(attempts.db)
            for attempts in self.filter_user_attempts(request, credentials)
        )
