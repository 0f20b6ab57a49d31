"""axe-core on every page that exists, in Dutch and English. Later issues add their pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from accounts.models import Account, Role
from accounts.services import get_or_create_account, grant_role, issue_login_token
from core.db import db
from jobs.models import Job, JobStatus
from tests.e2e.conftest import log_in, new_page

pytestmark = pytest.mark.browser

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Only violations come back: passes and inapplicable rules are most of the result and
    # of the time it takes to hand it over from the browser.
    "resultTypes": ["violations"],
}


def job_path(status: JobStatus, **state) -> str:
    # Stored directly rather than queued, so no worker changes it while axe looks.
    job = Job(name="demo.count_villages", status=status, **state)
    db.session.add(job)
    db.session.commit()
    return f"/jobs/{job.id}"


def login_link_path() -> str:
    account = get_or_create_account("axe@example.nl")
    grant_role(account, Role.RESIDENT)
    token, _ = issue_login_token(account, timedelta(minutes=5))
    db.session.commit()
    return f"/login/{token}"


def used_link_path() -> str:
    return "/login/this-link-was-never-issued"


PUBLIC_PAGES = {
    "home": lambda: "/",
    "login": lambda: "/login",
    "login link": login_link_path,
    "used login link": used_link_path,
    "not found": lambda: "/bestaat-niet",
}

OFFICIAL_PAGES = {
    "account": lambda: "/account",
    "people": lambda: "/people/",
    "invite": lambda: "/people/invite",
    "hand over": lambda: "/people/hand-over",
    "person": lambda: f"/people/{db.session.scalars(select(Account.id)).first()}",
    "audit log": lambda: "/audit/",
    "outbox": lambda: "/mail/outbox",
    "demo job": lambda: "/jobs/demo",
    "job running": lambda: job_path(JobStatus.RUNNING, steps_done=3, steps_total=35),
    "job finished": lambda: job_path(
        JobStatus.SUCCEEDED, steps_done=35, steps_total=35, result={"villages": 35, "population": 1}
    ),
    "job failed": lambda: job_path(JobStatus.FAILED, error="ValueError: boom"),
}


def assert_no_violations(page) -> None:
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()


def check(page, url: str, language: str) -> None:
    if language == "en":
        page.get_by_role("button", name="English").click()
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == language
    assert_no_violations(page)


def check_pages(page, base_url: str, pages: dict, language: str, *args) -> None:
    """Run axe on every page in one browser session (one login, not one per page) and
    report each page with violations by name."""
    if language == "en":
        page.goto(base_url + "/")
        page.get_by_role("button", name="English").click()
    failures = []
    for name, path in pages.items():
        page.goto(base_url + path(*args))
        assert page.locator("html").get_attribute("lang") == language, name
        results = Axe().run(page, options=WCAG_21_AA)
        if results.violations_count:
            failures.append(f"--- {name} ---\n{results.generate_report()}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_public_pages_have_no_wcag_violations(browser, live_server, seeded, language):
    # axe is injected as a script, which our own CSP rightly forbids.
    context, page = new_page(browser, bypass_csp=True)
    try:
        check_pages(page, live_server, PUBLIC_PAGES, language)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_official_pages_have_no_wcag_violations(
    browser, live_server, seeded, make_account, language
):
    make_account("association", email="bestuur@orvelte.example", village="Orvelte")
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("official").email)
        check_pages(page, live_server, OFFICIAL_PAGES, language)
    finally:
        context.close()


def test_hand_over_review_has_no_wcag_violations(browser, live_server, seeded, make_account):
    make_account("association", email="bestuur@orvelte.example", village="Orvelte")
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("official").email)
        page.goto(live_server + "/people/hand-over")
        page.get_by_label("Dorp").select_option(label="Orvelte")
        page.get_by_label("E-mailadres").fill("nieuw@orvelte.example")
        page.get_by_role("button", name="Overdragen").click()
        page.get_by_role("heading", name="Controleer de overdracht").wait_for()
        assert_no_violations(page)
    finally:
        context.close()


def test_login_page_with_errors_has_no_wcag_violations(browser, live_server):
    context, page = new_page(browser, bypass_csp=True)
    try:
        page.goto(live_server + "/login")
        page.get_by_role("button", name="Stuur mij een inloglink").click()
        page.get_by_role("alert").wait_for()
        assert_no_violations(page)
        page.get_by_label("E-mailadres").fill("someone@example.nl")
        page.get_by_role("button", name="Stuur mij een inloglink").click()
        page.get_by_role("heading", name="Controleer uw mail").wait_for()
        assert_no_violations(page)
    finally:
        context.close()
