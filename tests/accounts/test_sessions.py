"""Each request's session and user reads (accounts/sessions.py, ProfileModelBackend.get_user):
one prepared statement each, with what Django's own reads give."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import sessions
from accounts.backends import ProfileModelBackend, _user_sql
from accounts.models import Profile
from tests.interviews.test_rows import as_prepared

pytestmark = pytest.mark.django_db


def request_with(client):
    request = RequestFactory().get("/")
    request.session = sessions.SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return request


def test_a_signed_in_request_reads_its_session_and_user_with_profile(candidate_client, candidate):
    Profile.objects.filter(user=candidate).update(display_name="爱丽丝", timezone="Europe/Paris")
    request = request_with(candidate_client)
    with CaptureQueriesContext(connection) as captured:
        user = get_user(request)
        assert (user.pk, user.username) == (candidate.pk, "alice")
        # The profile came with the user: reading it is no query.
        assert (user.profile.display_name, user.profile.timezone) == ("爱丽丝", "Europe/Paris")
        assert user.profile.user is user
    assert len(captured) == 2  # the session, the user with the profile
    assert user.get_session_auth_hash() == candidate.get_session_auth_hash()
    assert user.last_login == type(candidate).objects.get(pk=candidate.pk).last_login


def test_the_reads_are_prepared(candidate_client):
    for _ in range(6):
        assert candidate_client.get("/interviews/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [" ".join(statement.split()) for (statement,) in cursor.fetchall()]
    user_model = type(get_user(request_with(candidate_client)))
    for statement in (sessions.LOAD, _user_sql(user_model)):
        assert any(as_prepared(statement).fullmatch(p) for p in prepared), statement


def test_a_user_without_a_profile_still_signs_in(candidate_client, candidate):
    Profile.objects.filter(user=candidate).delete()
    user = get_user(request_with(candidate_client))
    assert user.pk == candidate.pk
    with pytest.raises(Profile.DoesNotExist):
        user.profile  # noqa: B018 - known to be missing, as select_related leaves it
    assert candidate_client.get("/interviews/").status_code == 200


def test_an_expired_session_signs_out(candidate_client):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = candidate_client.get("/interviews/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("cookie", ["x" * 300, "not-a-key", "'; DROP TABLE django_session; --"])
def test_a_forged_session_cookie_is_anonymous(client, cookie):
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = client.get("/interviews/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Session.objects.count() == 0


def test_a_session_naming_no_valid_user_is_anonymous(candidate_client, candidate):
    backend = ProfileModelBackend()
    assert backend.get_user("not-a-number") is None
    assert backend.get_user(candidate.pk + 1000) is None
    candidate.is_active = False
    candidate.save()
    assert backend.get_user(candidate.pk) is None
    assert candidate_client.get("/interviews/").status_code == 302


def test_a_session_stored_user_id_as_text_still_loads(candidate_client, candidate):
    request = request_with(candidate_client)
    assert request.session[SESSION_KEY] == str(candidate.pk)
    assert get_user(request).pk == candidate.pk
