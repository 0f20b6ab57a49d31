"""The village mirror in Chromium: the overview and a village page on a desktop and on a
360 px phone, axe with no violations, no sideways scrolling, charts drawn without
JavaScript. `SCREENSHOTS_DIR=docs/screenshots` saves the screenshots (mirror-*.png)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in, new_page, screenshot
from tests.e2e.test_accessibility import assert_no_violations
from tests.mirror.conftest import mirrored  # noqa: F401  (a fixture)
from tests.waves import make_margins, make_wave  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_(viewport: dict, javascript: bool = True):
        context, page = new_page(
            browser, bypass_csp=True, viewport=viewport, java_script_enabled=javascript
        )
        contexts.append(context)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_mirror_reads_well_on_a_desktop_and_a_phone(
    open_page,
    live_server,
    mirrored,  # noqa: F811
    device,
    viewport,
):
    page = open_page(viewport)
    page.goto(live_server + "/")
    page.get_by_role("link", name="Naar de dorpsspiegel").or_(
        page.get_by_role("link", name="To the village mirror")
    ).click()
    page.get_by_role("heading", level=1).wait_for()
    assert page.locator("svg[role=img]").count() >= 3
    assert_no_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"mirror-overview-{device}")

    page.get_by_role("link", name="Beilen").first.click()
    page.get_by_role("heading", name="Beilen", level=1).wait_for()
    assert page.locator("svg[role=img]").count() >= 3
    assert_no_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"mirror-village-{device}")

    page.goto(live_server + "/dorpsspiegel/orvelte")
    assert_no_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"mirror-cluster-village-{device}")


def test_the_charts_need_no_javascript_and_sort_by_links(open_page, live_server, mirrored):  # noqa: F811
    page = open_page(DESKTOP, javascript=False)
    page.goto(live_server + "/dorpsspiegel")
    chart = page.locator("svg[role=img]").first
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 50
    with page.expect_navigation():  # to the load event: the stylesheet is applied
        page.locator("thead").get_by_role("link").nth(1).click()
    assert "sorteer=" in page.url
    assert page.locator('th[aria-sort="descending"]').count() == 1
    page.emulate_media(media="print")  # on paper: no menu, every chart whole
    assert not page.locator(".language-switch").is_visible()
    assert all(svg.is_visible() for svg in page.locator("svg[role=img]").all())


def test_an_official_previews_figures_not_yet_published(
    open_page,
    live_server,
    mirrored,  # noqa: F811
    make_account,
):
    page = open_page(DESKTOP)
    log_in(page, live_server, make_account("official").email)
    page.goto(live_server + "/dorpsspiegel?voorbeeld=1")
    page.get_by_role("heading", level=1).wait_for()
    assert_no_violations(page)
