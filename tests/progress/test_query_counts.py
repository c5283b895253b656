from datetime import timedelta

import fsrs
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from progress import services
from progress.models import Card
from questions.models import Question
from tests.progress.histories import Said, sit

pytestmark = pytest.mark.django_db

DASHBOARD_QUERIES = 7  # session, user, then the dashboard's own five (see progress.selectors)


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def small_history(user):
    question = Question.objects.published().first()
    sit(user, [Said(question, 0.4, missed=[question.key_points.first().point])])


def large_history(user):
    questions = list(Question.objects.published().prefetch_related("key_points"))
    start = timezone.now() - timedelta(weeks=20)
    for n in range(30):
        picked = questions[n % 5 :: 5][:10]
        sit(
            user,
            [
                Said(q, (n * 7 + i) % 10 / 10, missed=[kp.point for kp in q.key_points.all()][:2])
                for i, q in enumerate(picked)
            ],
            at=start + timedelta(days=4 * n),
        )
    for card in Card.objects.filter(user=user)[:10]:
        services.flashcard_rate(user=user, card_id=card.pk, rating=fsrs.Rating.Hard)


def test_the_dashboard_costs_the_same_queries_for_a_small_and_a_large_history(
    client, candidate, bob, bank
):
    small_history(candidate)
    large_history(bob)
    client.force_login(candidate)
    small = queries(client, reverse("progress:dashboard"))
    client.force_login(bob)
    large = queries(client, reverse("progress:dashboard"))
    assert small == large <= DASHBOARD_QUERIES


def test_the_dashboard_is_bounded_for_a_new_user_too(
    client, candidate, bank, django_assert_max_num_queries
):
    client.force_login(candidate)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        client.get(reverse("progress:dashboard"))


def test_flashcard_pages_are_bounded(client, bob, bank, django_assert_max_num_queries):
    large_history(bob)
    client.force_login(bob)
    card = Card.objects.filter(user=bob).first()
    for path in (
        reverse("progress:card", args=[card.pk]),
        reverse("progress:card", args=[card.pk]) + "?reveal=1",
    ):
        with django_assert_max_num_queries(7):
            client.get(path)
    with django_assert_max_num_queries(10):
        client.post(reverse("progress:rate", args=[card.pk]), {"rating": "3"})


def test_recording_an_interview_costs_a_bounded_number_of_queries(bank, bob, candidate):
    large_history(bob)
    questions = list(Question.objects.published()[:10])
    with CaptureQueriesContext(connection) as few:
        sit(candidate, [Said(q, 0.5) for q in questions[:2]])
    with CaptureQueriesContext(connection) as many:
        sit(bob, [Said(q, 0.5) for q in questions])
    progress_queries = [
        [q for q in captured.captured_queries if "progress_" in q["sql"]]
        for captured in (few, many)
    ]
    assert len(progress_queries[0]) == len(progress_queries[1]) <= 16
