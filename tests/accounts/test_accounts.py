import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from accounts.models import Profile

pytestmark = pytest.mark.django_db


def test_sign_up_creates_a_user_with_a_display_name_and_logs_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "newbie",
            "display_name": "小新",
            "email": "newbie@example.com",
            "password1": "a-long-pass-2023",
            "password2": "a-long-pass-2023",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.profile.display_name == "小新"
    assert client.get(reverse("interviews:new")).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"password2": "different-pass-2023"},
        {"username": ""},
        {"password1": "123", "password2": "123"},
        {"email": "not-an-email"},
        {"display_name": "名" * 41},
    ],
)
def test_bad_sign_up_is_refused_and_creates_nothing(client, overrides):
    data = {
        "username": "newbie",
        "display_name": "",
        "email": "",
        "password1": "a-long-pass-2023",
        "password2": "a-long-pass-2023",
        **overrides,
    }
    response = client.post(reverse("signup"), data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_profile_changes_display_name_and_time_zone(candidate_client, candidate):
    response = candidate_client.post(
        reverse("profile"),
        {"display_name": "爱丽丝", "language": "en", "timezone": "Europe/Berlin"},
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=candidate)
    assert (profile.display_name, profile.language, profile.timezone) == (
        "爱丽丝",
        "en",
        "Europe/Berlin",
    )
    assert candidate_client.session["profile_timezone"] == "Europe/Berlin"


def test_profile_refuses_an_unknown_time_zone(candidate_client, candidate):
    response = candidate_client.post(
        reverse("profile"), {"display_name": "x", "language": "zh-hans", "timezone": "Mars/Base"}
    )
    assert response.status_code == 400
    assert not Profile.objects.filter(user=candidate, timezone="Mars/Base").exists()


def test_password_change(candidate_client, candidate):
    response = candidate_client.post(
        reverse("password_change"),
        {
            "old_password": "alice-pass-2023",
            "new_password1": "alice-new-pass-2024",
            "new_password2": "alice-new-pass-2024",
        },
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.check_password("alice-new-pass-2024")


def test_password_reset_by_email(client, candidate):
    candidate.email = "alice@example.com"
    candidate.save()
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/reset/\S+/", mail.outbox[0].body).group(0)
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "reset-pass-2024", "new_password2": "reset-pass-2024"}
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.check_password("reset-pass-2024")


def test_repeated_failed_logins_lock_out_with_a_clear_message(client, candidate):
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": "alice-pass-2023"})
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_before_the_limit_is_fine(client, candidate):
    for _ in range(3):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": "alice-pass-2023"})
    assert response.status_code == 302
