from django.contrib.auth import check_password_with_timing_attack_mitigation, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.views.decorators.debug import sensitive_variables


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
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("profile").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
