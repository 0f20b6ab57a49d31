"""axe-core on every page that exists, in Dutch and English. Later issues add their pages."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from core.db import db
from jobs.models import Job
from tests.e2e.conftest import new_page

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def queued_job_path() -> str:
    # Stored directly rather than enqueued, so it stays queued while axe looks at it.
    job = Job(name="demo.count_villages", params={})
    db.session.add(job)
    db.session.commit()
    return f"/jobs/{job.id}"


PAGES = {
    "home": lambda: "/",
    "demo job": lambda: "/jobs/demo",
    "job in progress": queued_job_path,
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
