"""Real Chromium (Debian's) driven by Playwright against the app on a loopback port.

Set REQUIRE_BROWSER=1 (CI does) to fail instead of skip when Chromium is missing.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.conftest import skip_or_fail

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


E2E_DIR = os.path.dirname(__file__)


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests run on SQLite only: they test pages, and every database behaviour
    they touch is tested on both databases by the tests outside e2e. This halves their time."""
    keep, drop = [], []
    for item in items:
        on_postgres = "[postgresql" in item.nodeid
        (drop if on_postgres and str(item.path).startswith(E2E_DIR) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        skip_or_fail("browser", f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test's app served on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def new_page(browser, **context_options):
    context = browser.new_context(locale="nl-NL", **context_options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    context, page = new_page(browser)
    yield page
    context.close()


def latest_login_link(live_server: str) -> str:
    """The link in the newest mail in the outbox, pointed at the live server."""
    import re

    from sqlalchemy import select

    from core.db import db
    from mail.models import OutboxMail
    from tests.helpers import wait_for_jobs

    wait_for_jobs()
    body = db.session.scalars(select(OutboxMail.body_text).order_by(OutboxMail.id.desc())).first()
    path = re.search(r"http://naoberpanel\.test(/login/\S+)", body).group(1)
    return live_server + path


def log_in(page, live_server: str, email: str) -> None:
    """Log in the way a person does: ask for a link, open it from the mail, press the button."""
    page.goto(live_server + "/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_role("button", name="Stuur mij een inloglink").click()
    page.get_by_role("heading", name="Controleer uw mail").wait_for()
    page.goto(latest_login_link(live_server))
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    page.get_by_text("U bent ingelogd.").wait_for()


@pytest.fixture
def official_page(page, live_server, make_account):
    """A browser page logged in as an official."""
    account = make_account("official", email="ambtenaar@middendrenthe.example")
    log_in(page, live_server, account.email)
    return page
