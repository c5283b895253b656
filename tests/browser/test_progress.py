from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from interviews.models import Interview
from progress.models import Card, UserProgress
from tests.browser.steps import finish
from tests.progress.histories import Said, questions_in, sit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alice(django_user_model):
    call_command("loaddata", "tags", "questions", verbosity=0)
    return django_user_model.objects.create_user("alice", password="alice-pass-2023")


@pytest.fixture
def alice_page(live_server, page, alice):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill("alice-pass-2023")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("navigation", name="主导航 Main")).to_contain_text("alice")
    return page


def weeks_of_practice(user):
    """Eight weeks: activation stays weak, CNN improves, generative is middling."""
    now = timezone.now()
    act, cnn, gen = questions_in("activation"), questions_in("cnn"), questions_in("generative")
    point = act[0].key_points.first().point
    for week in range(8):
        sit(
            user,
            [
                Said(act[week % 3], 0.15, seconds=140, missed=[point]),
                Said(act[3], 0.3, seconds=120),
                Said(cnn[week % 2], 0.3 + week * 0.09, seconds=70),
                Said(gen[week % 4], 0.55, seconds=95),
            ],
            at=now - timedelta(weeks=7 - week, days=1),
        )
    return act[0]


def test_the_dashboard_and_a_weak_topic_practice(live_server, alice_page, alice, screenshot):
    page = alice_page
    weakest_question = weeks_of_practice(alice)
    page.get_by_role("navigation", name="主导航 Main").get_by_role("link", name="我的进度").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的进度")
    expect(page.locator("svg.topic-chart .topic-bar")).to_have_count(3)
    expect(page.locator("svg.score-chart .score-dot")).to_have_count(8)
    expect(page.locator(".weak-topic").first).to_contain_text("激活函数")
    expect(page.get_by_role("table", name="各主题数据 Topic statistics")).to_contain_text(
        "卷积神经网络"
    )
    expect(page.locator(".due-card")).to_contain_text("道题今天到期")
    screenshot("progress-dashboard")

    due = list(
        Card.objects.filter(user=alice, due__lte=timezone.now())
        .order_by("due", "question_id")
        .values_list("question_id", flat=True)
    )
    assert weakest_question.id in due
    page.get_by_role("button", name="练我的薄弱主题").click()
    expect(page.locator(".progress-label")).to_contain_text("第 1 / 10 题")
    interview = Interview.objects.get(state="in_progress")
    asked = list(interview.responses.order_by("position").values_list("question_id", flat=True))
    assert asked[: len(due)] == due[:10]  # questions due for review first, oldest due first
    screenshot("progress-weak-practice")

    page.get_by_label("你的回答 Your answer").fill("ReLU 引入非线性,缓解梯度消失,计算简单。")
    page.get_by_role("button", name="提交答案").click()
    expect(page.locator(".feedback")).to_contain_text("参考答案")
    finish(page)
    assert UserProgress.objects.get(user=alice).answers == 33


def test_the_dashboard_on_a_phone(live_server, alice_page, alice, screenshot):
    page = alice_page
    weeks_of_practice(alice)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/progress/")
    expect(page.locator("svg.topic-chart")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("progress-dashboard-phone")


def test_a_new_user_is_shown_how_to_start(live_server, alice_page, screenshot):
    page = alice_page
    page.goto(f"{live_server.url}/progress/")
    expect(page.get_by_role("heading", name="还没有统计数据")).to_be_visible()
    expect(page.get_by_role("link", name="开始模拟面试").first).to_be_visible()
    screenshot("progress-empty")


def test_flashcards_by_keyboard(live_server, alice_page, alice, screenshot):
    page = alice_page
    weeks_of_practice(alice)
    page.goto(f"{live_server.url}/progress/cards/")
    expect(page.locator("#flashcard h1")).to_be_visible()
    first_prompt = page.locator("#flashcard h1").inner_text()
    expect(page.get_by_role("button", name="良好")).to_have_count(0)
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="参考答案")).to_be_focused()
    expect(page.locator("[data-rating]")).to_have_count(4)
    screenshot("progress-flashcard-revealed")
    page.keyboard.press("3")
    expect(page.locator("#flashcard .message")).to_contain_text("已安排")
    expect(page.locator("#flashcard h1")).not_to_have_text(first_prompt)
    expect(page.locator("#flashcard h1")).to_be_focused()
    assert "/progress/cards/" in page.url
    screenshot("progress-flashcard-next")


def test_flashcards_work_without_javascript(live_server, browser, alice, screenshot):
    weeks_of_practice(alice)
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill("alice-pass-2023")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/progress/cards/")
    page.get_by_role("link", name="显示答案").click()
    page.get_by_role("button", name="重来").click()
    expect(page.locator(".messages")).to_contain_text("已安排")
    context.close()
