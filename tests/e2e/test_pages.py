"""What residents and officials see and do in a real browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in, new_page

pytestmark = pytest.mark.browser


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, live_server, seeded):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Direct naar de inhoud")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_home_fits_a_small_phone_without_sideways_scrolling(browser, live_server, seeded):
    context, page = new_page(browser, viewport={"width": 320, "height": 640})
    try:
        page.goto(live_server + "/")
        assert page.get_by_role("heading", level=1).inner_text() == "Uw dorp, uw stem"
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()


def test_demo_job_progress_updates_itself_with_javascript(official_page, live_server, seeded, app):
    page = official_page
    app.config["DEMO_JOB_DELAY"] = 0.05
    page.goto(live_server + "/jobs/demo")
    page.get_by_role("button", name="Start de demotaak").click()
    page.get_by_role("status").filter(has_text="Stap").wait_for()
    # No clicks: the page's script follows the job and shows the result when it is done.
    page.get_by_text("35 dorpen en wijken geteld").wait_for()
    assert page.locator("progress").get_attribute("value") == "100"


def test_job_page_works_without_javascript(browser, live_server, seeded, app, make_account):
    app.config["DEMO_JOB_DELAY"] = 0.02
    context, page = new_page(browser, java_script_enabled=False)
    try:
        log_in(page, live_server, make_account("official").email)
        page.goto(live_server + "/jobs/demo")
        page.get_by_role("button", name="Start de demotaak").click()
        for _ in range(100):
            if page.get_by_text("35 dorpen en wijken geteld").count():
                break
            page.get_by_role("link", name="Ververs deze pagina").click()
        assert page.get_by_text("35 dorpen en wijken geteld").is_visible()
    finally:
        context.close()


def test_language_switch_works_without_javascript(browser, live_server, seeded):
    context, page = new_page(browser, java_script_enabled=False)
    try:
        page.goto(live_server + "/login")
        page.get_by_role("button", name="English").click()
        assert page.url == live_server + "/login"
        assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    finally:
        context.close()


def test_magic_link_login_in_the_browser_without_javascript(browser, live_server, make_account):
    account = make_account("association", email="bestuur@orvelte.example", village="Orvelte")
    context, page = new_page(browser, java_script_enabled=False)
    try:
        log_in(page, live_server, account.email)
        assert page.url == live_server + "/account"
        assert page.get_by_text("Bestuurslid dorpsbelangen: Orvelte").is_visible()
        page.get_by_role("button", name="Uitloggen").click()
        page.get_by_text("U bent uitgelogd.").wait_for()
    finally:
        context.close()


def test_login_errors_are_announced_and_linked_to_the_field(page, live_server):
    page.goto(live_server + "/login")
    page.get_by_label("E-mailadres").fill("anne bij beilen")
    page.get_by_role("button", name="Stuur mij een inloglink").click()
    alert = page.get_by_role("alert")
    assert "Vul een e-mailadres in zoals naam@voorbeeld.nl." in alert.inner_text()
    alert.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "email"
    assert page.get_by_label("E-mailadres").input_value() == "anne bij beilen"
