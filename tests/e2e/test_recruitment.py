"""Recruitment letters in a real browser: axe in Dutch and English, and a whole batch made."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.db import db
from jobs.models import Job, JobStatus
from recruitment.codes import code_hash, generate
from recruitment.models import RecruitmentBatch, RecruitmentCode
from tests.e2e.conftest import log_in, new_page
from tests.e2e.test_accessibility import assert_no_violations, check
from villages.queries import village_by_name

pytestmark = pytest.mark.browser


def stored_batch(village: str, pdf: bytes | None, job_status: JobStatus | None = None) -> int:
    """A batch stored directly, so no worker changes it while axe looks."""
    batch = RecruitmentBatch(
        village=village_by_name(village),
        size=2,
        expires_on=date.today() + timedelta(days=30),
        note="steekproef",
        codes=[RecruitmentCode(code_hash=code_hash(generate())) for _ in range(2)],
        letters_pdf=pdf,
        letters_ready_at=db.func.now() if pdf else None,
    )
    if job_status is not None:
        job = Job(name="recruitment.render_letters", status=job_status)
        db.session.add(job)
        db.session.flush()
        batch.letters_job_id = job.id
    db.session.add(batch)
    db.session.commit()
    return batch.id


@pytest.fixture
def official_page(browser, live_server, seeded, make_account):
    """An official's browser page that lets axe in (our CSP rightly forbids its script)."""
    context, page = new_page(browser, bypass_csp=True)
    log_in(page, live_server, make_account("official").email)
    yield page
    context.close()


def submit_wrongly(page) -> None:
    page.locator("#size").fill("0")
    page.locator("#expires_on").fill((date.today() - timedelta(days=1)).isoformat())
    page.locator("main form .utrecht-button--primary-action").click()
    page.get_by_role("alert").wait_for()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_recruitment_pages_have_no_wcag_violations(official_page, live_server, language):
    ready = stored_batch("Orvelte", b"%PDF-1.7")
    running = stored_batch("Spier", None, JobStatus.RUNNING)
    failed = stored_batch("Wijster", None, JobStatus.FAILED)
    reports = []
    for path in ["/recruitment/", "/recruitment/new"] + [
        f"/recruitment/{batch}" for batch in (ready, running, failed)
    ]:
        try:
            check(official_page, live_server + path, language)
        except AssertionError as error:
            reports.append(f"{path}: {error}")
    official_page.goto(live_server + "/recruitment/new")
    submit_wrongly(official_page)
    try:
        assert_no_violations(official_page)
    except AssertionError as error:
        reports.append(f"/recruitment/new with errors: {error}")
    assert not reports, "\n\n".join(reports)


def test_an_official_makes_letters_and_downloads_the_pdf(official_page, live_server):
    page = official_page
    page.goto(live_server + "/recruitment/new")
    page.locator("#village").select_option(label="Bruntinge")
    page.locator("#size").fill("2")
    page.locator("#expires_on").fill((date.today() + timedelta(days=42)).isoformat())
    page.locator("main form .utrecht-button--primary-action").click()
    page.wait_for_url(f"{live_server}/recruitment/*")
    download_link = page.locator("a[href$='/letters.pdf'].utrecht-button")
    for _ in range(50):  # refresh as an official would, until the letters are made
        if download_link.count():
            break
        page.wait_for_timeout(200)
        page.reload()
    with page.expect_download() as download:
        download_link.click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename.startswith("naoberpanel-letters-bruntinge-")
