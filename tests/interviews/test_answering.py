import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interviews.models import Interview, Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(start_interview, candidate, candidate_client):
    return start_interview(candidate, count=3)


def url(name, interview, number=None):
    args = [interview.pk] if number is None else [interview.pk, number]
    return reverse(f"interviews:{name}", args=args)


def first_response(interview) -> Response:
    return interview.responses.get(position=0)


def test_the_question_page_shows_one_question_and_progress(candidate_client, interview):
    page = candidate_client.get(url("question", interview, 1))
    content = page.content.decode()
    assert page.status_code == 200
    assert first_response(interview).version.data["prompt"] in content
    assert "第 1 / 3 题" in content
    assert 'role="progressbar"' in content


def test_the_navigator_links_every_question_with_its_state(candidate_client, interview):
    candidate_client.post(url("submit", interview, 1), {"answer": "一个回答", "revision": 0})
    candidate_client.post(url("flag", interview, 2), {"flagged": "1"})
    page = candidate_client.get(url("question", interview, 2)).content.decode()
    nav = page[page.index('<nav class="navigator"') :].split("</nav>")[0]
    links = re.findall(r"<a [^>]*>\d+</a>", nav)
    assert len(links) == 3
    first, second, third = links
    assert f'href="{url("question", interview, 1)}"' in first
    assert 'class="nav-dot answered"' in first
    assert 'aria-label="第 1 题,已答 · Question 1, answered"' in first
    assert 'class="nav-dot flagged" aria-current="step"' in second
    assert 'aria-label="第 2 题,已标记 · Question 2, flagged"' in second
    assert 'class="nav-dot"' in third and "aria-current" not in third


def test_numbers_the_page_script_reads_are_never_localised(candidate, start_interview, client):
    long_one = start_interview(candidate, count=3, minutes=60)
    client.force_login(candidate)
    page = client.get(url("question", long_one, 1)).content.decode()
    seconds = re.search(r'data-seconds-left="([^"]*)"', page).group(1)
    assert seconds.isdigit() and int(seconds) > 3000  # "3599", never "3,599"
    assert 'data-max-chars="5000"' in page


def test_the_detail_url_resumes_at_the_current_question(candidate_client, interview):
    candidate_client.get(url("question", interview, 2))
    response = candidate_client.get(interview.get_absolute_url())
    assert response["Location"] == url("question", interview, 2)


def test_a_question_is_first_seen_once_and_its_time_counts_from_then(candidate_client, interview):
    second = interview.responses.get(position=1)
    assert second.first_seen_at is None
    candidate_client.get(url("question", interview, 2))
    second.refresh_from_db()
    seen = second.first_seen_at
    assert seen is not None
    candidate_client.get(url("question", interview, 1))
    candidate_client.get(url("question", interview, 2))
    second.refresh_from_db()
    assert second.first_seen_at == seen  # a second visit does not restart its clock
    interview.refresh_from_db()
    assert interview.current_position == 1
    candidate_client.post(url("submit", interview, 2), {"answer": "一个回答", "revision": 0})
    second.refresh_from_db()
    assert second.time_spent == second.submitted_at - seen


def test_the_draft_saved_time_is_in_the_candidates_time_zone(candidate_client, interview):
    candidate_client.post(
        reverse("profile"),
        {"display_name": "爱丽丝", "language": "zh-hans", "timezone": "America/New_York"},
    )
    saved = candidate_client.post(
        url("draft", interview, 1),
        {"answer": "反向传播用链式法则", "revision": 0},
        headers={"HX-Request": "true"},
    ).content.decode()
    at = first_response(interview).draft_saved_at
    new_york = at.astimezone(zoneinfo.ZoneInfo("America/New_York")).strftime("%H:%M:%S")
    shanghai = at.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).strftime("%H:%M:%S")
    assert f"</span> {new_york}</span>" in saved
    assert shanghai not in saved
    page = candidate_client.get(url("question", interview, 1)).content.decode()
    assert f"</span> {new_york}</span>" in page


def test_a_draft_is_saved_and_shown_after_a_reload(candidate_client, interview):
    response = candidate_client.post(
        url("draft", interview, 1),
        {"answer": "反向传播用链式法则", "revision": 0},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    saved = response.content.decode()
    assert "草稿已保存" in saved
    # The page's revision moves on with the save (an out-of-band swap of its input).
    assert re.search(r'<input [^>]*id="revision" value="1" hx-swap-oob="true">', saved)
    assert first_response(interview).draft_text == "反向传播用链式法则"
    page = candidate_client.get(url("question", interview, 1)).content.decode()
    assert "反向传播用链式法则" in page
    assert "草稿已保存" in page
    assert page.count('name="revision"') == 1  # the form's own, at the saved revision
    assert re.search(r'<input [^>]*name="revision" id="revision" value="1">', page)


def test_submitting_scores_the_answer_and_moves_on(candidate_client, interview):
    response = candidate_client.post(
        url("submit", interview, 1), {"answer": "一个回答", "revision": 0}
    )
    assert response["Location"] == url("question", interview, 2)
    saved = first_response(interview)
    assert saved.submitted_at is not None
    assert saved.answer_text == "一个回答"
    assert saved.auto_score is not None
    assert saved.time_spent is not None


def test_htmx_submit_swaps_in_the_next_question(candidate_client, interview):
    response = candidate_client.post(
        url("submit", interview, 1),
        {"answer": "一个回答", "revision": 0},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == url("question", interview, 2)
    assert "<html" not in response.content.decode()
    assert "第 2 / 3 题" in response.content.decode()
    # The candidate is now at question 2, seen from now on; the answer is recorded.
    interview.refresh_from_db()
    assert interview.current_position == 1
    second = interview.responses.get(position=1)
    assert second.first_seen_at is not None
    assert first_response(interview).answer_text == "一个回答"


def test_an_htmx_answer_and_the_move_are_one_write(candidate_client, interview):
    """The answer's UPDATE and the move to the next question go in one statement."""
    candidate_client.get(url("question", interview, 1))
    with CaptureQueriesContext(connection) as captured:
        candidate_client.post(
            url("submit", interview, 1),
            {"answer": "一个回答", "revision": 0},
            headers={"HX-Request": "true"},
        )
    writes = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(("UPDATE", "WITH"))
    ]
    assert len(writes) == 1
    assert "interviews_interview" in writes[0] and "answer_text" in writes[0]


def test_answering_the_last_open_question_in_practice_stays_on_it(
    candidate_client, start_interview, candidate
):
    practice = start_interview(candidate, mode="practice", count=2)
    response = candidate_client.post(
        url("submit", practice, 2),
        {"answer": "一个回答", "revision": 0},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Push-Url"] == url("question", practice, 2)
    practice.refresh_from_db()
    assert practice.current_position == 1
    assert practice.responses.get(position=1).submitted_at is not None


def test_the_same_answer_twice_is_recorded_once(candidate_client, interview):
    data = {"answer": "相同的回答", "revision": 0}
    candidate_client.post(url("submit", interview, 1), data)
    saved = first_response(interview)
    second = candidate_client.post(url("submit", interview, 1), data)
    assert second.status_code == 302
    again = first_response(interview)
    assert again.revision == saved.revision
    assert again.submitted_at == saved.submitted_at


def test_a_page_that_is_out_of_date_is_refused(candidate_client, interview):
    candidate_client.post(url("draft", interview, 1), {"answer": "tab A", "revision": 0})
    response = candidate_client.post(url("draft", interview, 1), {"answer": "tab B", "revision": 0})
    assert response.status_code == 409
    assert "another tab" in response.content.decode()
    assert first_response(interview).draft_text == "tab A"
    stale_submit = candidate_client.post(
        url("submit", interview, 1), {"answer": "tab B", "revision": 0}
    )
    assert stale_submit.status_code == 409
    assert first_response(interview).submitted_at is None


def test_an_overlong_answer_is_refused_and_kept(candidate_client, interview):
    text = "长" * 5001
    response = candidate_client.post(
        url("submit", interview, 1),
        {"answer": text, "revision": 0},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "5000" in response.content.decode()
    assert response["HX-Retarget"] == "#answer-errors"  # the box and its text stay
    saved = first_response(interview)
    assert saved.submitted_at is None and saved.draft_text == ""
    draft = candidate_client.post(url("draft", interview, 1), {"answer": text, "revision": 0})
    assert draft.status_code == 400


def test_an_answer_of_exactly_the_limit_is_accepted(candidate_client, interview):
    response = candidate_client.post(
        url("submit", interview, 1), {"answer": "a" * 5000, "revision": 0}
    )
    assert response.status_code == 302


def test_flag_and_skip(candidate_client, interview):
    candidate_client.post(url("flag", interview, 2), {"flagged": "1"})
    assert interview.responses.get(position=1).flagged
    page = candidate_client.get(url("question", interview, 2)).content.decode()
    assert "取消标记" in page
    candidate_client.post(url("flag", interview, 2), {"flagged": "0"})
    assert not interview.responses.get(position=1).flagged


def test_unknown_question_number_is_404(candidate_client, interview):
    assert candidate_client.get(url("question", interview, 4)).status_code == 404
    assert candidate_client.post(url("submit", interview, 9), {"answer": "x"}).status_code == 400


def test_finishing_scores_drafts_and_shows_the_review(candidate_client, interview):
    candidate_client.post(url("submit", interview, 1), {"answer": "提交的答案", "revision": 0})
    candidate_client.post(url("draft", interview, 2), {"answer": "只存了草稿", "revision": 0})
    response = candidate_client.post(url("finish", interview))
    assert response["Location"] == url("review", interview)
    interview.refresh_from_db()
    assert interview.state == Interview.State.FINISHED
    assert interview.score is not None
    assert interview.topic_scores
    drafted = interview.responses.get(position=1)
    assert drafted.from_draft and drafted.answer_text == "只存了草稿"
    review = candidate_client.get(url("review", interview)).content.decode()
    assert "提交的答案" in review and "只存了草稿" in review
    assert "参考答案" in review


def test_nothing_can_change_after_finishing(candidate_client, interview):
    candidate_client.post(url("finish", interview))
    response = candidate_client.post(url("submit", interview, 1), {"answer": "晚了", "revision": 0})
    assert response.status_code == 302
    assert response["Location"] == url("review", interview)
    assert first_response(interview).answer_text == ""
    draft = candidate_client.post(
        url("draft", interview, 1),
        {"answer": "晚了", "revision": 0},
        headers={"HX-Request": "true"},
    )
    assert draft.status_code == 409


def test_self_assessment_sits_beside_the_automatic_score(candidate_client, interview):
    candidate_client.post(url("submit", interview, 1), {"answer": "一个回答", "revision": 0})
    early = candidate_client.post(url("assess", interview, 1), {"value": "knew"})
    assert early.status_code == 400  # not before the interview is over
    candidate_client.post(url("finish", interview))
    score = first_response(interview).auto_score
    candidate_client.post(url("assess", interview, 1), {"value": "knew"})
    saved = first_response(interview)
    assert saved.self_assessment == "knew"
    assert saved.auto_score == score
    bad = candidate_client.post(url("assess", interview, 1), {"value": "genius"})
    assert bad.status_code == 400
    assert first_response(interview).self_assessment == "knew"


def test_practice_mode_gives_feedback_after_each_answer(
    start_interview, candidate, candidate_client
):
    practice = start_interview(candidate, mode="practice", count=2)
    response = candidate_client.post(
        url("submit", practice, 1), {"answer": "练习的回答", "revision": 0}
    )
    assert response["Location"] == url("question", practice, 1)
    page = candidate_client.get(url("question", practice, 1)).content.decode()
    assert "参考答案" in page and "得分" in page
    assess = candidate_client.post(url("assess", practice, 1), {"value": "partly"})
    assert assess.status_code == 302
    assert first_response(practice).self_assessment == "partly"


def test_objective_form_is_scored_exactly(candidate_client, candidate, bank):
    from interviews import services

    question = bank.get(source_number=43)
    interview = services.interview_start(
        user=candidate,
        mode="practice",
        tags=[],
        question_count=59,
        time_limit=None,
        start_token="6f1c3bd2-3f4e-4a55-9a10-1f0e5c0b6a7d",
    )
    number = interview.responses.get(question=question).number
    data = {"form": "variant-0", "number": "50", "revision": 0}
    candidate_client.post(url("submit", interview, number), data)
    assert interview.responses.get(question=question).auto_score == 1
    wrong = {"form": "variant-0", "number": "49", "revision": 1}
    candidate_client.post(url("submit", interview, number), wrong)
    assert interview.responses.get(question=question).auto_score == 0
    bad_form = candidate_client.post(
        url("submit", interview, number), {"form": "variant-7", "revision": 2}
    )
    assert bad_form.status_code == 400


def test_history_lists_interviews_and_offers_resume(candidate_client, interview):
    page = candidate_client.get(reverse("interviews:history")).content.decode()
    assert "继续" in page and interview.get_absolute_url() in page
    candidate_client.post(url("finish", interview))
    page = candidate_client.get(reverse("interviews:history")).content.decode()
    assert url("review", interview) in page


def test_a_tabs_own_draft_then_submit_never_conflict(candidate_client, interview):
    tab = "a" * 32
    candidate_client.post(url("draft", interview, 1), {"answer": "草稿", "revision": 0, "tab": tab})
    # The submit left before the draft's answer came back: its revision is one behind.
    response = candidate_client.post(
        url("submit", interview, 1), {"answer": "最终答案", "revision": 0, "tab": tab}
    )
    assert response.status_code == 302
    assert first_response(interview).answer_text == "最终答案"
    other = candidate_client.post(
        url("submit", interview, 1), {"answer": "另一个标签页", "revision": 0, "tab": "b" * 32}
    )
    assert other.status_code == 409
    assert first_response(interview).answer_text == "最终答案"


@pytest.mark.parametrize("revision", ["99999999999", "-5", "2147483648"])
@pytest.mark.parametrize("step", ["draft", "submit"])
def test_a_tampered_revision_is_refused_as_a_stale_page(
    start_interview, candidate, candidate_client, revision, step
):
    interview = start_interview(candidate, count=2)
    candidate_client.post(
        reverse("interviews:draft", args=[interview.pk, 1]), {"answer": "先保存一次"}
    )
    before = Response.objects.get(interview=interview, position=0)
    response = candidate_client.post(
        reverse(f"interviews:{step}", args=[interview.pk, 1]),
        {"answer": "篡改的版本号", "revision": revision},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    after = Response.objects.get(interview=interview, position=0)
    assert (after.revision, after.draft_text, after.answer_text) == (
        before.revision,
        "先保存一次",
        "",
    )
