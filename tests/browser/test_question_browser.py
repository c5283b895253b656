import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def loaded_bank(transactional_db):
    call_command("loaddata", "tags", "questions", verbosity=0)


def test_browse_to_item_25_and_see_the_formula_rendered(live_server, page, loaded_bank, screenshot):
    page.goto(f"{live_server.url}/questions/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("题库")
    expect(page.locator(".question-list > li")).to_have_count(59)
    screenshot("question-browser")

    page.get_by_role("link", name="优化与训练").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("优化与训练")
    page.get_by_role("link", name="Explain gradient descent?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Explain gradient descent?")

    formula = page.locator('math[display="block"]')
    expect(formula).to_have_count(1)
    box = formula.bounding_box()
    fraction = formula.locator("mfrac").bounding_box()
    # Rendered as math, a fraction stacks numerator over denominator: taller than a text line.
    assert fraction is not None and fraction["height"] > 30
    assert box["width"] > 150
    screenshot("question-25")


def test_question_page_reads_well_on_a_phone(live_server, page, loaded_bank, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/questions/dlqa2023-057/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Transformer")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到正文 · Skip to content")).to_be_focused()
    screenshot("question-57-phone")
