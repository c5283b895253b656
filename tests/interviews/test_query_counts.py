import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def count_queries(client, method, path, data=None):
    with CaptureQueriesContext(connection) as captured:
        getattr(client, method)(path, data or {})
    return len(captured)


@pytest.mark.parametrize(
    ("method", "name", "data"),
    [
        ("get", "question", None),
        ("post", "draft", {"answer": "草稿", "revision": 0}),
        ("post", "submit", {"answer": "答案", "revision": 0}),
        ("post", "flag", {"flagged": "1"}),
    ],
)
def test_queries_per_request_do_not_grow_with_the_interview(
    client, start_interview, candidate, django_user_model, method, name, data
):
    small = start_interview(candidate, count=2)
    other = django_user_model.objects.create_user("bob", password="bob-pass-2023")
    large = start_interview(other, count=30)
    client.force_login(candidate)
    small_count = count_queries(
        client, method, reverse(f"interviews:{name}", args=[small.pk, 1]), data
    )
    client.force_login(other)
    large_count = count_queries(
        client, method, reverse(f"interviews:{name}", args=[large.pk, 1]), data
    )
    assert small_count == large_count
    assert large_count <= 12


def test_review_and_history_queries_are_bounded(
    client, start_interview, candidate, django_assert_max_num_queries
):
    from interviews import services

    interview = start_interview(candidate, count=30)
    services.interview_finish(interview=interview)
    client.force_login(candidate)
    with django_assert_max_num_queries(6):
        client.get(reverse("interviews:review", args=[interview.pk]))
    with django_assert_max_num_queries(6):
        client.get(reverse("interviews:history"))


def test_finishing_costs_the_same_queries_for_2_or_30_drafted_questions(
    client, start_interview, candidate, django_user_model
):
    small = start_interview(candidate, count=2)
    other = django_user_model.objects.create_user("bob", password="bob-pass-2023")
    large = start_interview(other, count=30)
    for interview in (small, large):
        interview.responses.update(draft_text="时间到之前写下的草稿")
    client.force_login(candidate)
    small_count = count_queries(client, "post", reverse("interviews:finish", args=[small.pk]))
    client.force_login(other)
    large_count = count_queries(client, "post", reverse("interviews:finish", args=[large.pk]))
    assert small_count == large_count
    assert large.responses.filter(from_draft=True).count() == 30


def test_a_question_version_is_read_once_then_kept(client, start_interview, candidate):
    """Snapshots never change, so the process keeps them: the first page of an interview reads
    its questions' versions, the next pages only the responses."""
    interview = start_interview(candidate, count=5)
    client.force_login(candidate)
    first = count_queries(client, "get", reverse("interviews:question", args=[interview.pk, 2]))
    second = count_queries(client, "get", reverse("interviews:question", args=[interview.pk, 3]))
    assert second == first - 1
    # The session, the user, the interview with its responses (one statement), the move.
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("interviews:question", args=[interview.pk, 5]))
    statements = [query["sql"] for query in captured]
    assert len(statements) == 4, statements
    assert "JOIN interviews_response" in statements[2]
    page = client.get(reverse("interviews:question", args=[interview.pk, 4])).content.decode()
    assert interview.responses.get(position=3).version.data["prompt"] in page
