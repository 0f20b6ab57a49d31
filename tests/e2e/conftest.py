"""Real Chromium (Debian's) driven by Playwright against the app on a loopback port.

Set REQUIRE_BROWSER=1 (CI does) to fail instead of skip when Chromium is missing.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

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


#: Python's repr of an object leaking into a page, e.g. a template printing a method instead
#: of calling it: `<built-in method copy of dict object at 0x7f…>`.
PYTHON_REPR = re.compile(r"<built-in [^>]*>|<bound method [^>]*>|\S* object at 0x[0-9a-fA-F]+")

TEXT_TYPES = ("text/html", "application/json")

#: Reprs the browser received during the current test: (url, text).
_reprs_seen: list[tuple[str, str]] = []
#: Browser contexts not closed yet, whose last responses may still be on their way.
_open_contexts: set = set()


def _look_for_python_reprs(response) -> None:
    """Every page and JSON answer the browser receives is searched, as text (entities
    decoded), for a Python repr."""
    content_type = response.headers.get("content-type", "")
    if 300 <= response.status < 400 or not content_type.startswith(TEXT_TYPES):
        return
    for found in PYTHON_REPR.finditer(html.unescape(response.text())):
        _reprs_seen.append((response.url, found.group(0).strip()))


def check_python_reprs() -> None:
    """Fail when a page of this test showed a Python repr; forget what was seen."""
    for context in list(_open_contexts):
        # Playwright hands events over at the next call: one round trip brings them all in.
        context.cookies()
        # The page now shown is read too: a response body the browser no longer holds
        # (no-store, under load) cannot be read by the listener.
        for shown in context.pages:
            try:
                content = shown.content()
            except Exception:  # closed or navigating: its responses were seen by the listener
                continue
            for found in PYTHON_REPR.finditer(html.unescape(content)):
                _reprs_seen.append((shown.url, found.group(0).strip()))
    seen, _reprs_seen[:] = list(dict.fromkeys(_reprs_seen)), []
    assert not seen, "Python repr on a page:\n" + "\n".join(f"{u}: {t}" for u, t in seen)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Every browser test fails when any page it visited showed a Python repr."""
    _reprs_seen.clear()
    result = yield
    check_python_reprs()
    return result


def new_page(browser, **context_options):
    """A fresh browser context (its own cookies) in Dutch, and its first page."""
    context = browser.new_context(locale="nl-NL", **context_options)
    context.set_default_timeout(10_000)
    context.on("response", _look_for_python_reprs)
    _open_contexts.add(context)
    context.on("close", lambda closed: _open_contexts.discard(closed))
    return context, context.new_page()


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Save the page as `<name>.png` in the folder SCREENSHOTS_DIR names (`make screenshots`
    sets docs/screenshots); without it, do nothing, so the tests stay fast. `full_page`
    False: only what fits in the window."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = Path(folder) / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        _to_palette(path)


def _to_palette(path: Path) -> None:
    """Keep the committed screenshots small: 128 colours are plenty for a page of text, and
    a third of the size."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(128, Image.Quantize.MEDIANCUT, dither=0)
    small.save(path, optimize=True)


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
    # The text can be there before the stylesheet: a test measuring the layout right after
    # logging in saw the page unstyled once, under load.
    page.wait_for_load_state("load")


@pytest.fixture
def official_page(page, live_server, make_account):
    """A browser page logged in as an official."""
    account = make_account("official", email="ambtenaar@middendrenthe.example")
    log_in(page, live_server, account.email)
    return page
