from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from accounts.models import Profile


class SignupForm(UserCreationForm):
    display_name = forms.CharField(
        label="显示名称 Display name",
        max_length=40,
        required=False,
        help_text="排行榜上显示的名字;留空则用用户名。"
        "Shown on leaderboards; blank uses your username.",
    )
    email = forms.EmailField(
        label="邮箱 E-mail",
        required=False,
        help_text="仅用于找回密码,不会公开。Only for password resets; never shown.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def validate_unique(self):
        """Nothing to add: clean_username has checked the username, the one unique field, case
        insensitively, and the database's unique constraint refuses a concurrent twin (the
        signup view shows that as the same error)."""

    def username_taken(self) -> None:
        """The error clean_username gives a username already taken."""
        self.add_error("username", User().unique_error_message(User, ["username"]))


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "language", "timezone"]

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if any(ord(char) < 32 for char in name):
            raise forms.ValidationError("名称不能含控制字符。No control characters, please.")
        return name
