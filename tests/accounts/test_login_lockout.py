"""Login lockout, the queries of a login and a sign-up, and the preferences a login keeps."""

import re
import threading
from contextlib import contextmanager

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts.forms import SignupForm
from accounts.middleware import SESSION_LANGUAGE, SESSION_TIMEZONE
from accounts.models import DEFAULT_TIMEZONE, Profile
from tests.together import post_together

WRONG = "not-the-password"
# As in tests/site/test_query_budget.py: the savepoints are how the test's transaction shows
# the BEGIN and COMMIT of `atomic`; transaction control, not queries.
TRANSACTION_CONTROL = re.compile(r"(RELEASE )?SAVEPOINT|ROLLBACK TO SAVEPOINT")


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def fail(client, username, times):
    """Wrong passwords, each answered by the login form again: none of them locks."""
    for attempt in range(1, times + 1):
        response = log_in(client, username, WRONG)
        assert response.status_code == 200, f"failure {attempt} of {username} locked the login"


def assert_locked_out(client, response):
    assert response.status_code == 429
    assert "Login temporarily locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def signup_data(username, **overrides):
    return {
        "username": username,
        "display_name": "",
        "email": "",
        "password1": "a-long-pass-2023",
        "password2": "a-long-pass-2023",
        **overrides,
    }


@contextmanager
def at_most_queries(budget):
    """django_assert_max_num_queries, not counting transaction control."""
    with CaptureQueriesContext(connection) as captured:
        yield
    queries = [q["sql"] for q in captured if not TRANSACTION_CONTROL.match(q["sql"])]
    assert len(queries) <= budget, f"{len(queries)} queries:\n" + "\n".join(
        sql[:150] for sql in queries
    )


# Lockout


@pytest.mark.django_db
def test_the_fifth_wrong_password_locks_the_login_even_for_the_right_password(client, candidate):
    fail(client, "alice", 4)
    assert_locked_out(client, log_in(client, "alice", WRONG))
    assert_locked_out(client, log_in(client, "alice", "alice-pass-2023"))
    # Still not signed in: a page that needs a login sends her to it.
    response = client.get(reverse("interviews:new"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_a_successful_login_starts_the_count_of_failures_again(client, candidate):
    fail(client, "alice", 4)
    assert log_in(client, "alice", "alice-pass-2023").status_code == 302
    client.logout()
    fail(client, "alice", 4)  # the 5th to 8th failures in all, the 1st to 4th since the login
    assert log_in(client, "alice", "alice-pass-2023").status_code == 302
    client.logout()
    # The count started again; it did not stop: five failures in a row still lock.
    fail(client, "alice", 4)
    assert_locked_out(client, log_in(client, "alice", WRONG))


@pytest.mark.django_db
def test_the_failures_of_one_username_do_not_lock_another(client, candidate, teammate):
    fail(client, "alice", 4)
    assert_locked_out(client, log_in(client, "alice", WRONG))
    # bob, from the same address, has his own five tries…
    fail(client, "bob", 2)
    assert log_in(client, "bob", "bob-pass-2023").status_code == 302
    client.logout()
    fail(client, "bob", 4)
    # …and his login, forgiving his failures, forgave none of alice's: she is still locked out.
    assert_locked_out(client, log_in(client, "alice", "alice-pass-2023"))


# Queries


@pytest.mark.django_db
@pytest.mark.parametrize("failures", [0, 4])
def test_a_login_costs_at_most_8_queries(client, candidate, failures):
    Profile.objects.create(user=candidate)  # as every signed-up user has
    fail(client, "alice", failures)
    with at_most_queries(8):
        response = log_in(client, "alice", "alice-pass-2023")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(candidate.pk)
    # The login forgave the failures before it, within that budget.
    assert not AccessAttempt.objects.filter(username="alice").exists()


@pytest.mark.django_db
def test_a_sign_up_costs_at_most_8_queries_and_logs_the_new_user_in(client):
    with at_most_queries(8):
        response = client.post(reverse("signup"), signup_data("newbie", display_name="小新"))
    assert response.status_code == 302
    assert response.url == reverse("interviews:new")
    user = User.objects.get(username="newbie")
    assert user.profile.display_name == "小新"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SESSION_TIMEZONE] == DEFAULT_TIMEZONE
    assert client.get(reverse("interviews:new")).status_code == 200


# Simultaneous sign-ups


def username_taken_message() -> str:
    """The error a sign-up with a username already taken shows, in the site's language."""
    error = User().unique_error_message(User, ["username"])
    with translation.override(settings.LANGUAGE_CODE):
        return str(error.message % error.params)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sign_ups_of_one_username_create_one_user(monkeypatch):
    # Both check the username before either creates it: the race, every time.
    both_checked = threading.Barrier(2, timeout=30)
    clean_username = SignupForm.clean_username

    def clean_username_then_wait(form):
        username = clean_username(form)
        both_checked.wait()
        return username

    monkeypatch.setattr(SignupForm, "clean_username", clean_username_then_wait)
    clients = [Client(raise_request_exception=False) for _ in range(2)]
    path = reverse("signup")
    responses = post_together([(client, path, signup_data("twin")) for client in clients])

    statuses = [response.status_code for response in responses]
    assert sorted(statuses) == [302, 400]  # no 500
    assert User.objects.filter(username__iexact="twin").count() == 1
    user = User.objects.get(username="twin")
    assert Profile.objects.filter(user__username="twin").count() == 1
    winner, loser = (clients[0], clients[1]) if statuses[0] == 302 else (clients[1], clients[0])
    assert winner.session["_auth_user_id"] == str(user.pk)
    assert "_auth_user_id" not in loser.session
    page = responses[statuses.index(400)].content.decode()
    assert 'id="id_username_error"' in page
    assert escape(username_taken_message()) in page


# Preferences kept in the session


@pytest.mark.django_db
def test_a_login_keeps_the_profile_language_and_time_zone_in_the_session(client, candidate):
    Profile.objects.create(user=candidate, language="en", timezone="Europe/Berlin")
    assert log_in(client, "alice", "alice-pass-2023").status_code == 302
    assert client.session[SESSION_LANGUAGE] == "en"
    assert client.session[SESSION_TIMEZONE] == "Europe/Berlin"


@pytest.mark.django_db
def test_a_login_without_a_profile_gets_the_default_preferences(client, candidate):
    assert not Profile.objects.filter(user=candidate).exists()
    fail(client, "alice", 2)
    assert log_in(client, "alice", "alice-pass-2023").status_code == 302
    assert client.session[SESSION_LANGUAGE] == Profile.Language.ZH
    assert client.session[SESSION_TIMEZONE] == DEFAULT_TIMEZONE
    profile = Profile.objects.get(user=candidate)  # created with the defaults
    assert (profile.language, profile.timezone) == (Profile.Language.ZH, DEFAULT_TIMEZONE)
    assert client.get(reverse("profile")).status_code == 200
