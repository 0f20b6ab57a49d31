"""axe-core on the population figures and panel overview pages, in Dutch and English."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest

from core.db import db, utcnow
from panel.models import Sex
from population.demo import seed_demo_margins
from recruitment.models import RecruitmentBatch, RecruitmentCode
from tests.e2e.conftest import log_in, new_page
from tests.e2e.test_accessibility import assert_no_violations, check, check_pages
from villages.queries import village_by_name

pytestmark = pytest.mark.browser

BAD_CSV = b"dorp;leeftijd;geslacht;aantal\nOrvelte;18-34;vrouw;1.234\nAssen;75+;man;3\n"


@pytest.fixture
def panel_data(seeded, make_member):
    """Demo margins, a few members and one batch of letters in Orvelte."""
    margins = seed_demo_margins()
    orvelte = village_by_name("Orvelte")
    batch = RecruitmentBatch(village_id=orvelte.id, size=40, expires_on=date.today())
    batch.codes = [
        RecruitmentCode(code_hash=secrets.token_hex(32), redeemed_at=utcnow()) for _ in range(3)
    ]
    db.session.add(batch)
    db.session.commit()
    make_member("Orvelte", birth_year=1958, recruitment_batch_id=batch.id)
    make_member("Orvelte", birth_year=1990, sex=Sex.MALE, synthetic=True)
    make_member("Orvelte", birth_year=1970, sex=Sex.OTHER, paused_until=date.today())
    return {"margins": margins.id, "village": orvelte.id}


PAGES = {
    "population": lambda ids: "/population/",
    "import": lambda ids: "/population/import",
    "margins": lambda ids: f"/population/{ids['margins']}",
    "overview": lambda ids: "/panel/",
    "village": lambda ids: f"/panel/villages/{ids['village']}",
}


@pytest.fixture
def official_context(browser, live_server, make_account):
    context, page = new_page(browser, bypass_csp=True)  # axe is injected as a script
    log_in(page, live_server, make_account("official").email)
    yield page
    context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_population_and_overview_pages_have_no_wcag_violations(
    official_context, live_server, panel_data, language
):
    check_pages(official_context, live_server, PAGES, language, panel_data)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_import_with_errors_has_no_wcag_violations(official_context, live_server, language):
    page = official_context
    check(page, live_server + "/population/import", language)
    page.locator("#file").set_input_files(
        files=[{"name": "cijfers.csv", "mimeType": "text/csv", "buffer": BAD_CSV}]
    )
    page.locator("#reference_date").fill((date.today() - timedelta(days=3)).isoformat())
    page.locator("#source").fill("CBS")
    page.locator("main form button[type=submit]").click()
    page.locator("#problems").wait_for()
    assert page.locator("#problems li").count() == 3
    assert_no_violations(page)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_village_settings_with_errors_have_no_wcag_violations(
    official_context, live_server, panel_data, language
):
    page = official_context
    check(page, live_server + PAGES["village"](panel_data), language)
    page.locator("#recruitment_target").fill("nul")
    page.locator("#settings-heading ~ form button[type=submit]").click()
    page.get_by_role("alert").wait_for()
    assert_no_violations(page)
