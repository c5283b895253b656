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


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "language", "timezone"]

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if any(ord(char) < 32 for char in name):
            raise forms.ValidationError("名称不能含控制字符。No control characters, please.")
        return name
