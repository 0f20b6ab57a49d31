"""What residents and officials see and do in a real browser."""

from __future__ import annotations

import pytest

from accounts.models import Role
from accounts.services import grant_role
from core.db import db
from tests.e2e.conftest import log_in, new_page, screenshot

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


def test_a_python_repr_on_a_page_fails_the_test(page, live_server, app):
    """The check every browser test runs (tests/e2e/conftest.py) catches what a template
    prints when it shows a method instead of calling it."""
    from flask import render_template_string

    from tests.e2e.conftest import check_python_reprs

    app.add_url_rule(
        "/repr", "repr", lambda: render_template_string("<p>{{ copy.copy }}</p>", copy={})
    )
    page.goto(live_server + "/repr")
    with pytest.raises(AssertionError, match="/repr: <built-in method copy of dict object at 0x"):
        check_python_reprs()
    page.goto(live_server + "/")
    check_python_reprs()


#: How many rows the header's parts take: a part starts a new row when it begins below the
#: bottom of everything before it.
HEADER_ROWS = """() => {
  const parts = [...document.querySelectorAll(
    '.app-header__site-name, .app-nav__item, .app-nav__menu > summary, .language-switch li')]
    .filter(part => part.checkVisibility())
    .map(part => part.getBoundingClientRect())
    .sort((a, b) => a.top - b.top);
  let rows = 0, bottom = -Infinity;
  for (const part of parts) {
    if (part.top >= bottom - 1) rows += 1;
    bottom = Math.max(bottom, part.bottom);
  }
  return rows;
}"""


@pytest.mark.parametrize(("width", "rows"), [(1280, 1), (360, 2)])
def test_the_officials_menu_keeps_the_header_small(
    browser, live_server, seeded, make_account, width, rows
):
    account = make_account("official", email="ambtenaar@middendrenthe.example")
    grant_role(account, Role.VOLUNTEER)  # the most items any account has
    db.session.commit()
    context, page = new_page(browser, viewport={"width": width, "height": 800})
    try:
        log_in(page, live_server, account.email)
        screenshot(page, f"official-start-{width}")
        assert page.evaluate(HEADER_ROWS) == rows
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width < 1024:
            page.get_by_text("Menu", exact=True).click()
        page.get_by_text("Beheer", exact=True).filter(visible=True).click()
        screenshot(page, f"official-menu-{width}")
        page.get_by_role("link", name="Uitgaande mail").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Uitgaande mail"
        page.get_by_role("button", name="English").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
        page.wait_for_load_state("load")  # measured once the style sheet applies
        assert page.evaluate(HEADER_ROWS) == rows, "in English"
    finally:
        context.close()


def test_the_menu_opens_by_keyboard(official_page, live_server):
    page = official_page
    page.get_by_text("Panel", exact=True).filter(visible=True).focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Werving").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/recruitment/")
    bar = page.locator(".app-nav__bar")
    werving = bar.get_by_role("link", name="Werving", include_hidden=True)
    assert werving.get_attribute("aria-current") == "page"
    assert "app-nav__summary--current" in bar.get_by_text("Panel", exact=True).get_attribute(
        "class"
    )


#: Words of headings that a line break cuts in two, and headings wider than their box.
# A word is a run without spaces or hyphens: "e-mailadres" may break after "e-", as in print.
SPLIT_HEADING_WORDS = """() => {
  const split = [];
  for (const heading of document.querySelectorAll('h1, h2, h3')) {
    const texts = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      for (const word of text.data.matchAll(/[^\\s\\-]+-?/g)) {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
        if (lines.size > 1) split.push(word[0]);
      }
    }
    if (heading.scrollWidth > heading.clientWidth) split.push(heading.textContent.trim());
  }
  return split;
}"""


def test_headings_keep_their_words_whole_on_a_small_phone(
    browser, live_server, seeded, make_account, privacy_statement
):
    privacy_statement()  # so /join shows its form: "Lid worden van het inwonerspanel"
    context, page = new_page(browser, viewport={"width": 360, "height": 740})
    try:
        for path in ("/", "/join", "/join/code", "/login", "/privacy"):
            page.goto(live_server + path)
            assert page.evaluate(SPLIT_HEADING_WORDS) == [], path
        log_in(page, live_server, make_account("official").email)
        for path in ("/overzicht", "/panel/", "/surveys/", "/results", "/panel/members"):
            page.goto(live_server + path)
            assert page.evaluate(SPLIT_HEADING_WORDS) == [], path
    finally:
        context.close()
