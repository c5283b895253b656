from functools import cache

from django.contrib.auth import check_password_with_timing_attack_mitigation, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from accounts.models import Profile
from quizsite import rows


class ProfileModelBackend(ModelBackend):
    """Django's model backend, loading each request's user together with their profile.

    The profile holds the time zone that dashboards, boards and due dates need: one query for
    both instead of one each. A login loads it too: the login's own receivers read it.
    """

    @sensitive_variables("password")
    def authenticate(self, request, username=None, password=None, **kwargs):
        """ModelBackend.authenticate, with the user's profile read in the same query."""
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        users = user_model._default_manager.select_related("profile")
        try:
            # What get_by_natural_key looks up: the username, exactly.
            user = users.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            user = None
        if check_password_with_timing_attack_mitigation(
            user, password
        ) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user with their profile: every request's read, so one prepared
        statement (quizsite.rows) instead of a queryset compiled each time."""
        user_model = get_user_model()
        try:
            user_id = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = rows.fetch_pairs(user_model, Profile, _user_sql(user_model), [user_id])
        if not found:
            return None
        user, profile = found[0]
        # What select_related("profile") leaves: both ends of the one-to-one cached (None: no
        # profile, and reading it raises Profile.DoesNotExist as it would).
        user_model.profile.related.set_cached_value(user, profile)
        if profile is not None:
            Profile.user.field.set_cached_value(profile, user)
        return user if self.user_can_authenticate(user) else None


@cache
def _user_sql(user_model) -> str:
    return (
        f"SELECT {rows.columns(user_model, 'u')}, {rows.columns(Profile, 'p')}"
        f" FROM {user_model._meta.db_table} u"
        f" LEFT JOIN {Profile._meta.db_table} p ON p.user_id = u.{user_model._meta.pk.column}"
        f" WHERE u.{user_model._meta.pk.column} = %s"
    )
