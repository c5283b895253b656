import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command

from interviews import services
from questions.models import Question, forget_versions


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the committed fixtures once; each test's transaction rolls back to them."""
    with django_db_blocker.unblock():
        call_command("loaddata", "tags", "questions", verbosity=0)


@pytest.fixture(autouse=True)
def cold_version_snapshots():
    """Each test starts with this process's copy of the question snapshots empty, so what it
    counts (queries per request) does not depend on the tests that ran before it."""
    forget_versions()


@pytest.fixture
def bank(db):
    """The committed fixtures: 59 questions from the document, with tags and rubrics."""
    if not Question.objects.exists():  # a transactional test flushed them
        call_command("loaddata", "tags", "questions", verbosity=0)
    return Question.objects.all()


@pytest.fixture
def candidate(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-pass-2023")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "stella", password="stella-pass-2023", is_staff=True, is_superuser=True
    )


@pytest.fixture
def teammate(django_user_model):
    """bob: in a team with the candidate when a test makes one; owns nothing of hers."""
    return django_user_model.objects.create_user("bob", password="bob-pass-2023")


@pytest.fixture
def candidate_client(client, candidate):
    client.force_login(candidate)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def start_interview(bank):
    """Start an interview for a user through the real service."""

    def start(user, *, mode="interview", count=3, minutes=20, tags=()):
        return services.interview_start(
            user=user,
            mode=mode,
            tags=list(tags),
            question_count=count,
            time_limit=timedelta(minutes=minutes) if mode == "interview" else None,
            start_token=uuid.uuid4(),
        )

    return start


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user("charlie", password="charlie-pass-2023")
