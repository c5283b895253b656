import pytest
from django.urls import reverse

from interviews import services
from interviews.services import Answer

pytestmark = pytest.mark.django_db


def test_editing_a_question_later_never_changes_a_past_result(
    start_interview, candidate, candidate_client
):
    interview = start_interview(candidate, count=1)
    response = interview.responses.get()
    question = response.question
    prompt = question.prompt
    phrase = question.key_points.first().phrase_list[0]
    services.response_submit(
        interview=interview, position=0, answer=Answer(text=f"{phrase},这是关键。"), revision=0
    )
    services.interview_finish(interview=interview)
    interview.refresh_from_db()
    response.refresh_from_db()
    before = (interview.score, response.auto_score, response.hit, interview.topic_scores)

    question.prompt = "编辑后的题目"
    question.save()
    question.key_points.all().delete()
    question.key_points.create(position=0, point="全新的要点", weight=1, phrases="完全不同的说法")
    question.record_version(note="edited")

    interview.refresh_from_db()
    response.refresh_from_db()
    assert (interview.score, response.auto_score, response.hit, interview.topic_scores) == before
    page = candidate_client.get(reverse("interviews:review", args=[interview.pk])).content.decode()
    assert prompt in page
    assert "编辑后的题目" not in page
    assert "全新的要点" not in page
