"""A volunteer enters a paper questionnaire by keyboard only in a real browser: the sheet id,
then the printed numbers with Enter moving on; a field the paper's routing skips is
disabled as they type; the entry form passes axe (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from core.db import db, utcnow
from paper import access
from paper.models import SheetEntry, SheetStatus
from paper.sheet_ids import display
from tests.e2e.conftest import log_in, new_page, screenshot
from tests.e2e.test_accessibility import WCAG_21_AA
from tests.helpers import count
from tests.paper.entry_helpers import print_sheets, publish

pytestmark = pytest.mark.browser


def focused(page, element_id: str) -> None:
    """The page puts the keyboard focus on this field once it has loaded (a busy machine
    may take a moment)."""
    page.wait_for_function(f"document.activeElement?.id === {element_id!r}")


def test_a_volunteer_enters_a_sheet_by_keyboard(browser, live_server, make_account, make_village):
    survey = publish()
    [sheet] = print_sheets(survey, make_village("Orvelte"))
    volunteer = make_account("volunteer", email="vrijwilliger@example.nl")
    access.grant(survey, volunteer, False, make_account("official"), utcnow())
    db.session.commit()
    context, page = new_page(browser, bypass_csp=True)  # axe is injected as a script
    try:
        log_in(page, live_server, volunteer.email)
        page.goto(live_server + "/")
        page.get_by_role("button", name="English").click()
        page.get_by_role("link", name="Enter paper questionnaires").first.click()
        page.get_by_role("link", name=survey.title).click()
        page.get_by_label("Sheet id").wait_for()
        focused(page, "sheet_id")
        page.keyboard.type(display(sheet.id).lower())
        page.keyboard.press("Enter")

        page.locator("#WOONT").wait_for()
        focused(page, "WOONT")
        results = Axe().run(page, options=WCAG_21_AA)
        assert not results.violations_count, results.generate_report()

        waarom = page.locator("#WAAROM")
        page.keyboard.type("2")  # does not live here: page 2 (WAAROM) is asked
        assert waarom.is_enabled()
        page.keyboard.press("Backspace")
        page.keyboard.type("1")  # lives here: page 2 is skipped
        assert waarom.is_disabled()
        for value in ("Enter", "8", "Enter", "Mooi dorp", "Enter"):
            page.keyboard.press(value) if value == "Enter" else page.keyboard.type(value)
        assert page.evaluate("document.activeElement.type") == "submit"  # WAAROM skipped
        screenshot(page, "paper-entry")
        page.keyboard.press("Enter")
        page.get_by_text("A second volunteer enters it too").wait_for()
    finally:
        context.close()
    db.session.expire_all()
    assert count(SheetEntry) == 1
    assert db.session.get(type(sheet), sheet.id).status is SheetStatus.RETURNED


def test_the_official_pages_of_paper_entry_pass_axe(
    browser, live_server, make_account, make_village, app
):
    from paper.entry import save_entry

    survey = publish()
    [sheet] = print_sheets(survey, make_village("Orvelte"))
    official = make_account("official", email="ambtenaar@example.nl")
    anna, bert = make_account("volunteer"), make_account("volunteer")
    for volunteer in (anna, bert):
        access.grant(survey, volunteer, False, official, utcnow())
    with app.test_request_context("/"):
        save_entry(sheet, anna, {"WOONT": "1", "CIJFER": "8"}, utcnow())
        save_entry(sheet, bert, {"WOONT": "1", "CIJFER": "9"}, utcnow())
    db.session.commit()
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, official.email)
        for path in (
            f"/surveys/{survey.id}/paper/entry",
            f"/entry/{survey.id}",
            f"/entry/{survey.id}/differences",
            f"/entry/{survey.id}/differences/{sheet.id}",
        ):
            page.goto(live_server + path)
            results = Axe().run(page, options=WCAG_21_AA)
            assert not results.violations_count, (path, results.generate_report())
        screenshot(page, "paper-entry-differences")
    finally:
        context.close()
