from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户 Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import remember_preferences
        from accounts.models import profile_for

        def on_login(sender, request, user, **kwargs):
            if request is not None and hasattr(request, "session"):
                remember_preferences(request, profile_for(user))

        user_logged_in.connect(on_login, dispatch_uid="accounts.remember_preferences")
