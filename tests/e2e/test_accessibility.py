"""axe-core on every page that exists, in Dutch and English. Later issues add their pages."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from core.db import db
from jobs.models import Job, JobStatus
from tests.e2e.conftest import new_page

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def job_path(status: JobStatus, **state) -> str:
    # Stored directly rather than queued, so no worker changes it while axe looks.
    job = Job(name="demo.count_villages", status=status, **state)
    db.session.add(job)
    db.session.commit()
    return f"/jobs/{job.id}"


PAGES = {
    "home": lambda: "/",
    "demo job": lambda: "/jobs/demo",
    "job running": lambda: job_path(JobStatus.RUNNING, steps_done=3, steps_total=35),
    "job finished": lambda: job_path(
        JobStatus.SUCCEEDED, steps_done=35, steps_total=35, result={"villages": 35, "population": 1}
    ),
    "job failed": lambda: job_path(JobStatus.FAILED, error="ValueError: boom"),
    "not found": lambda: "/bestaat-niet",
}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_violations(browser, live_server, seeded, name, language):
    path = PAGES[name]()
    # axe is injected as a script, which our own CSP rightly forbids.
    context, page = new_page(browser, bypass_csp=True)
    try:
        if language == "en":
            page.goto(live_server + "/")
            page.get_by_role("button", name="English").click()
        page.goto(live_server + path)
        assert page.locator("html").get_attribute("lang") == language
        results = Axe().run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
