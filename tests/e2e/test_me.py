"""axe-core on a member's own pages under /me, in Dutch and English, also with errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.db import db
from panel.models import ContactDetails
from panel.services import set_association_contact
from tests.e2e.conftest import log_in, new_page
from tests.e2e.test_accessibility import assert_no_violations, check

pytestmark = pytest.mark.browser

EMAIL = "lid@orvelte.example"

PAGES = ["/me/", "/me/profile", "/me/pause", "/me/leave", "/me/export", "/me/delete"]
WITH_ERRORS = ["/me/profile", "/me/pause", "/me/delete"]


def submit(page) -> None:
    """Press the form's main button, whatever language it is in."""
    page.locator("main form .utrecht-button--primary-action").first.click()
    page.get_by_role("alert").wait_for()


def fill_wrongly(page, path: str) -> None:
    if path == "/me/profile":
        page.locator("#birth_year").fill("1850")
    elif path == "/me/pause":
        page.locator("#until").fill((date.today() - timedelta(days=1)).isoformat())
    submit(page)  # on /me/delete: without ticking the box


@pytest.fixture
def member_page(browser, live_server, make_member, privacy_statement):
    """A browser logged in as a member with contact details, consents and a pause."""
    privacy_statement()
    member = make_member("Orvelte", email=EMAIL, paused_until=date.today() + timedelta(days=5))
    member.contact = ContactDetails(name="Lid van Orvelte", address="Brink 1", postcode="9441 PA")
    set_association_contact(member, True)
    db.session.commit()
    context, page = new_page(browser, bypass_csp=True)
    log_in(page, live_server, EMAIL)
    yield page
    context.close()


def violations_on(page, live_server: str, path: str, wrong: bool, language: str) -> str:
    """axe's report for one page, or "" when it finds nothing."""
    try:
        check(page, live_server + path, language)
        if wrong:
            fill_wrongly(page, path)
            assert_no_violations(page)
    except AssertionError as error:
        return f"{path}{' with errors' if wrong else ''}: {error}"
    return ""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_member_pages_have_no_wcag_violations(member_page, live_server, language):
    # One login for all pages: a browser login per page would make this take minutes.
    visits = [(path, False) for path in PAGES] + [(path, True) for path in WITH_ERRORS]
    reports = [violations_on(member_page, live_server, *visit, language) for visit in visits]
    assert not any(reports), "\n".join(report for report in reports if report)


def test_page_for_accounts_without_membership_has_no_wcag_violations(
    browser, live_server, make_account
):
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("official").email)
        check(page, live_server + "/me/", "nl")
        assert page.locator('a[href="/join"]').count() == 1
    finally:
        context.close()


def test_member_deletes_their_account_in_the_browser(member_page, live_server):
    page = member_page
    page.goto(live_server + "/me/delete")
    page.locator("#understood").check()
    page.locator("main form .utrecht-button--primary-action").click()
    page.wait_for_url(live_server + "/")
    assert_no_violations(page)
    page.goto(live_server + "/me/")
    assert "/login" in page.url
