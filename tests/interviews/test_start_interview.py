import re
import uuid

import pytest
from django.urls import reverse

from interviews.models import Interview, Response
from questions.models import Question, Tag

pytestmark = pytest.mark.django_db


def post_start(client, **overrides):
    data = {
        "mode": "interview",
        "question_count": 5,
        "time_limit_minutes": 20,
        "start_token": str(uuid.uuid4()),
        **overrides,
    }
    return client.post(reverse("interviews:new"), data)


def test_it_starts_a_timed_interview_with_a_server_deadline(candidate_client, candidate, bank):
    response = post_start(candidate_client)
    interview = Interview.objects.get(user=candidate)
    assert response.status_code == 302
    assert response["Location"] == interview.get_absolute_url()
    assert interview.question_count == 5
    assert (interview.deadline - interview.started_at).total_seconds() == 20 * 60
    assert interview.responses.count() == 5


def test_questions_never_repeat_and_stay_within_the_topics(candidate_client, candidate, bank):
    rnn = Tag.objects.get(slug="rnn")
    post_start(candidate_client, tags=[rnn.pk], question_count=30)
    interview = Interview.objects.get(user=candidate)
    questions = list(interview.responses.values_list("question_id", flat=True))
    assert len(questions) == len(set(questions))
    assert len(questions) == Question.objects.published().filter(tags=rnn).count()
    assert all(Question.objects.get(pk=q).tags.filter(slug="rnn").exists() for q in questions)


def test_it_avoids_recent_questions_where_the_pool_allows(start_interview, candidate):
    from interviews import services

    first = start_interview(candidate, count=10)
    services.interview_finish(interview=first)
    second = start_interview(candidate, count=10)
    asked_first = set(first.responses.values_list("question_id", flat=True))
    asked_second = set(second.responses.values_list("question_id", flat=True))
    assert not asked_first & asked_second


def test_a_double_submitted_start_creates_one_interview(candidate_client, candidate, bank):
    token = str(uuid.uuid4())
    first = post_start(candidate_client, start_token=token)
    second = post_start(candidate_client, start_token=token)
    assert Interview.objects.filter(user=candidate).count() == 1
    assert first["Location"] == second["Location"]


def test_a_second_interview_while_one_is_open_is_refused(candidate_client, candidate, bank):
    post_start(candidate_client)
    response = post_start(candidate_client)
    assert response.status_code == 302
    assert Interview.objects.filter(user=candidate).count() == 1
    page = candidate_client.get(reverse("interviews:new")).content.decode()
    assert "未完成的面试" in page and "Resume" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"question_count": 0}, "question_count"),
        ({"question_count": 31}, "question_count"),
        ({"question_count": "many"}, "question_count"),
        ({"mode": "speedrun"}, "mode"),
        ({"time_limit_minutes": ""}, "time_limit_minutes"),
        ({"time_limit_minutes": 100000}, "time_limit_minutes"),
        ({"tags": ["999999"]}, "tags"),
        ({"start_token": "not-a-uuid"}, "start_token"),
    ],
)
def test_bad_start_input_is_refused_and_changes_nothing(
    candidate_client, candidate, bank, overrides, message
):
    response = post_start(candidate_client, **overrides)
    assert response.status_code == 400
    assert message in response.context["form"].errors
    assert not Interview.objects.exists()
    # The page says what was wrong, whichever field it was.
    assert 'class="error" role="alert"' in response.content.decode()


def test_a_topic_that_no_longer_exists_is_named_on_the_page(candidate_client, bank):
    """A topic removed while the form was open (or a tampered value): the page says so."""
    page = post_start(candidate_client, tags=["999999"]).content.decode()
    (message,) = re.findall(r'class="error" role="alert">([^<]+)<', page)
    assert "999999" in message


def test_the_form_offers_every_topic_and_keeps_the_chosen_ones_after_an_error(
    candidate_client, bank
):
    page = candidate_client.get(reverse("interviews:new")).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="tags" value="(\d+)"[^>]*>', page)
    assert sorted(map(int, boxes)) == sorted(Tag.objects.values_list("pk", flat=True))
    assert " checked" not in "".join(re.findall(r'<input type="checkbox"[^>]*>', page))
    first, second = Tag.objects.order_by("position")[:2]
    assert f"> {first}</label>" in page
    response = post_start(candidate_client, tags=[first.pk, second.pk], question_count=0)
    assert response.status_code == 400
    page = response.content.decode()
    checked = re.findall(r'<input type="checkbox" name="tags" value="(\d+)"[^>]* checked>', page)
    assert sorted(map(int, checked)) == sorted([first.pk, second.pk])


def test_practice_mode_is_untimed(candidate_client, candidate, bank):
    post_start(candidate_client, mode="practice", time_limit_minutes="")
    interview = Interview.objects.get(user=candidate)
    assert interview.deadline is None
    assert interview.mode == "practice"


def test_each_response_points_at_the_question_version_asked(start_interview, candidate):
    interview = start_interview(candidate, count=3)
    for response in Response.objects.filter(interview=interview).select_related("version"):
        assert response.version.question_id == response.question_id
        assert response.version.data["prompt"] == response.question.prompt


def test_new_responses_start_blank_in_order_with_the_first_one_seen(start_interview, candidate):
    interview = start_interview(candidate, count=4)
    responses = list(Response.objects.filter(interview=interview).order_by("position"))
    assert [r.position for r in responses] == [0, 1, 2, 3]
    assert len({r.question_id for r in responses}) == 4
    blank = Response()  # the model's defaults
    for r in responses:
        for field in (
            "form",
            "draft_text",
            "answer_text",
            "answer_value",
            "submitted_at",
            "time_spent",
            "flagged",
            "revision",
            "last_tab",
            "auto_score",
            "hit",
            "missed",
            "reasons",
            "from_draft",
            "self_assessment",
        ):
            assert getattr(r, field) == getattr(blank, field), field
    assert responses[0].first_seen_at == interview.started_at
    assert all(r.first_seen_at is None for r in responses[1:])


def test_start_costs_a_bounded_number_of_queries(
    candidate_client, bank, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        post_start(candidate_client, question_count=30)


def test_the_start_page_requires_login(client, bank):
    response = client.get(reverse("interviews:new"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
