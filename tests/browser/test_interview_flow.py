from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from interviews.models import Interview
from tests.browser.steps import finish, start_quick_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def candidate_page(live_server, page, django_user_model):
    call_command("loaddata", "tags", "questions", verbosity=0)
    django_user_model.objects.create_user("alice", password="alice-pass-2023")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill("alice-pass-2023")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("navigation", name="主导航 Main")).to_contain_text("alice")
    return page


def test_sit_an_interview_autosave_reload_resume_and_review(
    live_server, candidate_page, screenshot
):
    page = candidate_page
    start_quick_round(page, live_server)
    expect(page.locator(".progress-label")).to_contain_text("第 1 / 5 题")
    timer = page.locator("#timer .timer-value")
    expect(timer).to_contain_text(":")

    answer = page.get_by_label("你的回答 Your answer")
    answer.fill("我认为这个问题的关键在于理解梯度和损失函数之间的关系。")
    expect(page.locator("#save-status")).to_contain_text("草稿已保存", timeout=5000)
    screenshot("interview-question")

    page.reload()
    expect(page.get_by_label("你的回答 Your answer")).to_have_value(
        "我认为这个问题的关键在于理解梯度和损失函数之间的关系。"
    )
    page.get_by_label("你的回答 Your answer").press("Control+Enter")
    expect(page.locator(".progress-label")).to_contain_text("第 2 / 5 题")
    expect(page).to_have_url(f"{live_server.url}/interviews/{Interview.objects.get().pk}/q/2/")

    page.get_by_label("你的回答 Your answer").fill("第二题的草稿")
    expect(page.locator("#save-status")).to_contain_text("草稿已保存", timeout=5000)

    # Leave and come back: the interview resumes at the same question with its draft.
    page.goto(f"{live_server.url}/interviews/")
    page.get_by_role("link", name="继续 Resume").click()
    expect(page.locator(".progress-label")).to_contain_text("第 2 / 5 题")
    expect(page.get_by_label("你的回答 Your answer")).to_have_value("第二题的草稿")

    page.get_by_role("button", name="标记稍后看").click()
    expect(page.get_by_role("button", name="取消标记")).to_be_visible()

    finish(page)
    expect(page.locator(".review-item")).to_have_count(5)
    expect(page.locator("#q1 .answer-text")).to_contain_text("梯度和损失函数")
    expect(page.locator("#q2 .answer-text")).to_contain_text("第二题的草稿")
    page.locator("#q1").get_by_role("button", name="部分会").click()
    expect(page.locator("#q1").get_by_role("button", name="部分会")).to_have_attribute(
        "aria-pressed", "true"
    )
    screenshot("interview-review")


def test_time_running_out_ends_the_interview_in_the_browser(
    live_server, candidate_page, screenshot
):
    page = candidate_page
    start_quick_round(page, live_server)
    expect(page.locator(".progress-label")).to_contain_text("第 1 / 5 题")
    interview = Interview.objects.get()
    interview.deadline = timezone.now() + timedelta(seconds=4)
    interview.save()
    page.reload()
    page.get_by_label("你的回答 Your answer").fill("最后几秒写下的答案")
    expect(page.get_by_role("heading", level=1)).to_contain_text("面试复盘", timeout=20000)
    expect(page.locator(".review-summary")).to_contain_text("已超时")
    expect(page.locator("#q1 .answer-text")).to_contain_text("最后几秒写下的答案")
    screenshot("interview-timed-out")


def test_the_question_page_works_on_a_phone(live_server, candidate_page, screenshot):
    page = candidate_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/interviews/new/")
    page.get_by_role("button", name="练习 5 题").click()
    expect(page.locator(".progress-label")).to_contain_text("第 1 / 5 题")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("你的回答 Your answer").fill("练习模式的回答")
    page.get_by_role("button", name="提交答案").click()
    expect(page.locator(".feedback")).to_contain_text("参考答案")
    screenshot("practice-feedback-phone")


def test_an_autosaved_answer_is_not_written_again_on_leaving_the_box(live_server, candidate_page):
    """Clicking Submit (or a link) after the autosave leaves the answer box: the text the
    server already has is not sent again, neither by htmx (the answer's own request would cut
    it off, an error in the console) nor by the beacon when the page is left."""
    page = candidate_page
    errors, drafts = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("request", lambda request: "/draft/" in request.url and drafts.append(request.url))
    start_quick_round(page, live_server)
    expect(page.locator(".progress-label")).to_contain_text("第 1 / 5 题")
    interview = Interview.objects.get()

    page.get_by_label("你的回答 Your answer").fill("反向传播用链式法则逐层计算梯度。")
    expect(page.locator("#save-status")).to_contain_text("草稿已保存", timeout=5000)
    page.get_by_role("button", name="提交答案").click()
    expect(page.locator(".progress-label")).to_contain_text("第 2 / 5 题")
    first = interview.responses.get(position=0)
    # Two writes: the autosave and the answer.
    assert (first.answer_text, first.revision) == ("反向传播用链式法则逐层计算梯度。", 2)

    page.get_by_label("你的回答 Your answer").fill("第二题的草稿")
    expect(page.locator("#save-status")).to_contain_text("草稿已保存", timeout=5000)
    page.get_by_role("link", name="跳过").click()  # leaves the box for question 3
    expect(page.locator(".progress-label")).to_contain_text("第 3 / 5 题")
    page.get_by_label("你的回答 Your answer").focus()
    page.get_by_role("link", name="我的面试").click()  # leaves the page, nothing typed
    expect(page.get_by_role("link", name="继续 Resume")).to_be_visible()
    page.wait_for_timeout(1000)  # what the left page handed the browser would have landed
    second = interview.responses.get(position=1)
    assert (second.draft_text, second.revision) == ("第二题的草稿", 1)
    third = interview.responses.get(position=2)
    assert (third.draft_saved_at, third.revision) == (None, 0)
    assert len(drafts) == 2  # one autosave per text typed, none on leaving the box
    assert errors == []


def test_a_refused_autosave_is_sent_again_on_leaving_the_box(live_server, candidate_page):
    """A draft the server refused (here: too long) is not taken as saved."""
    page = candidate_page
    drafts = []
    page.on("request", lambda request: "/draft/" in request.url and drafts.append(request.url))
    start_quick_round(page, live_server)
    answer = page.get_by_label("你的回答 Your answer")
    answer.fill("长" * 5001)
    expect(page.locator("#answer-errors")).to_contain_text("答案过长", timeout=5000)
    assert len(drafts) == 1
    # Leaving the box sends the text the server did not take once more.
    with page.expect_request(lambda request: "/draft/" in request.url, timeout=3000):
        answer.press("Tab")
    assert len(drafts) == 2
    assert Interview.objects.get().responses.get(position=0).draft_text == ""


def test_back_and_forward_show_the_saved_answer_not_an_old_copy(live_server, candidate_page):
    """htmx would restore a question from its own copy of the page, taken before the answer was
    typed: an empty box over a saved draft, which leaving the box would then save over."""
    page = candidate_page
    start_quick_round(page, live_server)
    page.get_by_label("你的回答 Your answer").fill("第一题的草稿")
    expect(page.locator("#save-status")).to_contain_text("草稿已保存", timeout=5000)
    page.get_by_role("link", name="跳过").click()
    expect(page.locator(".progress-label")).to_contain_text("第 2 / 5 题")

    page.go_back()
    expect(page.locator(".progress-label")).to_contain_text("第 1 / 5 题")
    expect(page.get_by_label("你的回答 Your answer")).to_have_value("第一题的草稿")
    page.go_forward()
    expect(page.locator(".progress-label")).to_contain_text("第 2 / 5 题")
    # Nothing of the interview is kept in the browser's storage either.
    assert "第一题的草稿" not in (page.evaluate("JSON.stringify(localStorage)") or "")
    assert Interview.objects.get().responses.get(position=0).draft_text == "第一题的草稿"


def test_the_review_fits_a_phone(live_server, candidate_page, screenshot):
    page = candidate_page
    page.set_viewport_size({"width": 390, "height": 844})
    start_quick_round(page, live_server)
    page.get_by_label("你的回答 Your answer").fill("用 dropout 和 L2 正则化防止过拟合。")
    page.get_by_role("button", name="提交答案").click()
    expect(page.locator(".progress-label")).to_contain_text("第 2 / 5 题")
    finish(page)
    card = page.locator(".review-summary").bounding_box()
    table = page.locator(".topic-table").bounding_box()
    # The score per topic sits inside its card, not across the card's edge.
    assert table["x"] + table["width"] <= card["x"] + card["width"] - 8
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("interview-review-phone")

    # The list of past interviews, on a small phone: each one's link to its review is in
    # sight, not in a column scrolled off the screen.
    page.set_viewport_size({"width": 360, "height": 800})
    page.get_by_role("navigation", name="主导航 Main").get_by_role("link", name="我的面试").click()
    review = page.get_by_role("link", name="复盘 Review")
    expect(review).to_be_visible()
    box = review.bounding_box()
    assert box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("interview-history-phone")
