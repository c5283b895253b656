"""Steps the browser tests take the same way each time."""

from playwright.sync_api import expect


def start_quick_round(page, live_server) -> None:
    """Start the 5-question, 10-minute preset from the start page."""
    page.goto(f"{live_server.url}/interviews/new/")
    page.get_by_role("button", name="5 题 · 10 分钟").click()


def finish(page) -> None:
    """Hand in (accepting the confirmation) and land on the review."""
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交卷").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("面试复盘")
