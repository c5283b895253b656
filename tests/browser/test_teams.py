import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Profile
from teams import services
from teams.models import SCORE_SCALE, DailyStat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBERS = [
    # username, display name, this week's scores, earlier this month / before
    ("olivia", "奥莉维亚 Olivia", [92, 88], [70]),
    ("mike", "麦克 Mike", [85], [95, 90]),
    ("lin", "林一", [85], []),
    ("wang", "王二", [70, 75, 80], [60]),
    ("zoe", "Zoe", [], [88]),
]
# What the browser does when the tab is hidden or shown again.
SET_VISIBILITY = """(state) => {
    Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
    document.dispatchEvent(new Event("visibilitychange"));
}"""


def add_stats(user, day, scores, topics):
    points = [score * SCORE_SCALE // 100 for score in scores]
    DailyStat.objects.create(
        user=user,
        day=day,
        interviews=len(scores),
        score_sum=sum(points),
        best_score=max(points),
        topics=topics,
    )


@pytest.fixture
def team(django_user_model):
    cache.clear()  # the public ranking is cached
    today = timezone.localdate(timezone=dt.timezone(dt.timedelta(hours=8)))
    monday = today - dt.timedelta(days=today.weekday())
    users = {}
    for username, name, this_week, earlier in MEMBERS:
        password = f"{username}-pass-2023" if username in ("olivia", "mike") else None
        users[username] = django_user_model.objects.create_user(username, password=password)
        Profile.objects.update_or_create(user=users[username], defaults={"display_name": name})
        if this_week:
            add_stats(users[username], today, this_week, ["cnn", "optimization"])
        if earlier:
            add_stats(users[username], monday - dt.timedelta(days=40), earlier, ["rnn"])
    stranger = django_user_model.objects.create_user("sam", password="sam-pass-2023")
    Profile.objects.update_or_create(user=stranger, defaults={"display_name": "山姆 Sam"})
    team = services.team_create(
        owner=users["olivia"], name="Transformer 学习小组", description="每周至少三场限时面试。"
    )
    for username in ("mike", "lin", "wang", "zoe"):
        services.team_join(user=users[username], code=team.invite_code)
    return team


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"{username}-pass-2023")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("navigation", name="主导航 Main")).to_contain_text(username)


def test_the_board_switches_periods_in_place_and_refreshes_while_visible(
    live_server, page, team, screenshot
):
    log_in(page, live_server, "mike")
    page.get_by_role("navigation", name="主导航 Main").get_by_role("link", name="团队").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的团队")
    screenshot("team-list")
    page.get_by_role("link", name=team.name).click()
    board = page.locator("#board")
    expect(board.locator("tbody tr")).to_have_count(5)
    viewer = board.locator('tr[aria-current="true"]')
    expect(viewer).to_have_count(1)
    expect(viewer).to_contain_text("麦克 Mike")
    # This week: Olivia 90.0 first; Mike and Lin tie on 85.0 and one interview each.
    expect(board.locator("tbody tr").first).to_contain_text("奥莉维亚 Olivia")
    expect(viewer.locator(".rank")).to_have_text("2")
    expect(board.locator("tbody tr", has_text="林一").locator(".rank")).to_have_text("2")
    expect(board).to_contain_text("每周从周一 00:00 开始")
    screenshot("team-board-week")

    page.evaluate("window.notReloaded = true")
    page.locator("#period-all").click()
    expect(page).to_have_url(re.compile(r"\?period=all$"))
    expect(page.locator("#period-all")).to_have_attribute("aria-current", "page")
    expect(board.locator("tbody tr").first).to_contain_text("麦克 Mike")  # 90.0 over 3
    assert page.evaluate("window.notReloaded") is True
    # Keyboard: focus the next tab and press Enter, once htmx has settled the swap (it makes
    # the new board's links its own then; a key pressed sooner would follow the plain link).
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
    page.locator("#period-month").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?period=month$"))
    expect(page.locator("#period-month")).to_have_attribute("aria-current", "page")
    assert page.evaluate("window.notReloaded") is True
    # Focus stays on the period switch for the next key press.
    assert page.evaluate("document.activeElement.id") == "period-month"
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?period=all$"))
    expect(page.locator("#period-all")).to_have_attribute("aria-current", "page")

    # The board refreshes itself when the tab becomes visible again, never while hidden.
    page.goto(f"{live_server.url}{team.get_absolute_url()}?period=week")
    zoe_row = page.locator("#board tbody tr", has_text="Zoe")
    expect(zoe_row.locator(".rank")).to_have_text("—")
    add_stats(team.memberships.get(user__username="zoe").user, timezone.localdate(), [99], [])
    polls = []
    page.on("request", lambda request: "/teams/" in request.url and polls.append(request.url))
    page.evaluate(SET_VISIBILITY, "hidden")
    page.wait_for_timeout(500)
    assert polls == []
    page.evaluate(SET_VISIBILITY, "visible")
    expect(page.locator("#board tbody tr").first).to_contain_text("Zoe")
    assert polls and all("period=week" in url for url in polls)
    expect(page).to_have_url(re.compile(r"\?period=week$"))
    screenshot("team-board-refreshed")


def test_a_stranger_joins_with_the_invite_link(live_server, page, team, screenshot):
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}{team.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("无法完成")
    expect(page.locator(".error-message")).to_contain_text("你不是它的成员")

    page.goto(f"{live_server.url}{team.get_invite_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(team.name)
    screenshot("team-join")
    page.get_by_role("button", name="加入团队").click()
    expect(page.locator(".messages")).to_contain_text("欢迎加入")
    viewer = page.locator('#board tr[aria-current="true"]')
    expect(viewer).to_contain_text("山姆 Sam")
    expect(viewer.locator(".rank")).to_have_text("—")


def test_a_member_copies_the_invite_link_with_one_click(live_server, page, team):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server, "mike")
    page.goto(f"{live_server.url}{team.get_absolute_url()}")
    page.get_by_role("button", name="复制 Copy").click()
    expect(page.get_by_role("status").filter(has_text="已复制")).to_have_text(
        "已复制链接。Link copied."
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}{team.get_invite_url()}"


def test_without_javascript_the_invite_link_has_no_dead_copy_button(live_server, browser, team):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "mike")
    page.goto(f"{live_server.url}{team.get_absolute_url()}")
    expect(page.locator("#invite-url")).to_be_visible()
    expect(page.locator("[data-copy]")).to_be_hidden()
    context.close()


def test_the_board_and_the_public_board_on_a_phone(live_server, page, team, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "mike")
    page.goto(f"{live_server.url}{team.get_absolute_url()}")
    expect(page.locator('#board tr[aria-current="true"]')).to_contain_text("麦克 Mike")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("team-board-phone")

    page.goto(f"{live_server.url}/teams/board/?period=all")
    row = page.locator('#board tr[aria-current="true"]')
    expect(row).to_contain_text(team.name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("team-public-board-phone")


def test_the_owner_manages_the_team_and_risky_actions_ask_first(
    live_server, page, team, screenshot
):
    log_in(page, live_server, "olivia")
    page.goto(f"{live_server.url}{team.get_absolute_url()}")
    remove_wang = page.get_by_role("button", name="移除 Remove 王二")

    page.once("dialog", lambda dialog: dialog.dismiss())
    remove_wang.click()
    page.wait_for_timeout(300)
    expect(page.locator(".member-list li")).to_have_count(5)

    page.once("dialog", lambda dialog: dialog.accept())
    remove_wang.click()
    expect(page.locator(".messages")).to_contain_text("已移除该成员")
    expect(page.locator(".member-list li")).to_have_count(4)
    expect(page.locator("#board")).not_to_contain_text("王二")

    page.get_by_role("link", name="管理团队").click()
    old_link = page.locator("#invite-url").input_value()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="重新生成邀请码").click()
    expect(page.locator(".messages")).to_contain_text("旧链接已失效")
    assert page.locator("#invite-url").input_value() != old_link
    page.get_by_label("团队名称").fill("Transformer 冲刺班")
    page.get_by_label("不参加公开团队榜").check()
    screenshot("team-settings")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transformer 冲刺班")

    page.goto(old_link)
    expect(page.locator(".error-message")).to_contain_text("邀请链接无效或已失效")
    screenshot("team-old-invite-link")
