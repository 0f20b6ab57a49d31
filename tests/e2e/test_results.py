"""axe-core on the results pages, village clusters and quotes, in Dutch and English, and the
results page on a small phone."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from core.db import db, utcnow
from fieldwork.models import Response
from panel.models import Channel
from results import services
from results.models import VillageCluster
from results.release import release_run
from surveys.models import Survey, SurveyKind
from surveys.services import create_survey
from surveys.templates import load_template
from tests.e2e.conftest import log_in, new_page
from tests.e2e.test_accessibility import assert_no_violations, check_pages
from tests.waves import make_margins, make_wave  # noqa: F401  (fixtures)
from villages.queries import village_by_name

pytestmark = pytest.mark.browser


@pytest.fixture
def analysed(make_margins, make_wave):  # noqa: F811
    make_margins()
    db.session.add(
        VillageCluster(
            name="Kleine kernen",
            villages=[village_by_name("Orvelte"), village_by_name("Eursinge")],
        )
    )
    survey = make_wave(per_village={"Beilen": 60, "Bovensmilde": 40, "Orvelte": 5, "Eursinge": 6})
    response = db.session.scalars(select(Response).where(Response.survey_id == survey.id)).first()
    response.answers = {**response.answers, "TOEKOMST_TOELICHTING": "Meer bankjes bij de brink."}
    release_run(services.run_now(survey), by=None)
    db.session.commit()
    return survey


def official_pages(survey_id: int, cluster_id: int) -> dict:
    return {
        "results": lambda: "/results",
        "results of a wave": lambda: f"/surveys/{survey_id}/results",
        "village clusters": lambda: "/analysis/clusters",
        "new cluster": lambda: "/analysis/clusters/new",
        "cluster used by a wave": lambda: f"/analysis/clusters/{cluster_id}/edit",
        "quotes": lambda: f"/surveys/{survey_id}/quotes",
    }


@pytest.mark.parametrize("language", ["nl", "en"])
def test_results_pages_have_no_wcag_violations(
    browser, live_server, analysed, make_account, language
):
    cluster_id = db.session.scalar(select(VillageCluster.id))
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("official").email)
        check_pages(page, live_server, official_pages(analysed.id, cluster_id), language)
    finally:
        context.close()


def test_an_associations_results_page_has_no_wcag_violations(
    browser, live_server, analysed, make_account
):
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("association", village="Beilen").email)
        pages = {"results of a wave": lambda: f"/surveys/{analysed.id}/results"}
        check_pages(page, live_server, pages, "nl")
        assert page.get_by_role("heading", name="Rapportcijfer voor het dorp").is_visible()
    finally:
        context.close()


def test_the_results_page_fits_a_small_phone(browser, live_server, analysed, make_account):
    context, page = new_page(browser, viewport={"width": 320, "height": 640})
    try:
        log_in(page, live_server, make_account("association", village="Beilen").email)
        page.goto(f"{live_server}/surveys/{analysed.id}/results")
        # Wide tables scroll inside their own region, reachable by keyboard; the page not.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320
        region = page.locator(".utrecht-table-container").first
        assert region.get_attribute("tabindex") == "0"
    finally:
        context.close()


def test_pages_say_what_a_wave_keeps_and_what_will_come(
    browser, live_server, analysed, make_account
):
    """A cluster made after publication waits for the next wave; a village vision has no
    figures. Both pages say so in Dutch, without WCAG violations."""
    db.session.add(
        VillageCluster(
            name="Noord", villages=[village_by_name("Hooghalen"), village_by_name("Bovensmilde")]
        )
    )
    vision = make_village_vision()
    vision.close()
    db.session.commit()
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("official").email)
        pages = {
            "results keeping their clusters": lambda: f"/surveys/{analysed.id}/results",
            "village clusters": lambda: "/analysis/clusters",
            "village vision": lambda: f"/surveys/{vision.id}/results",
            "results": lambda: "/results",
        }
        check_pages(page, live_server, pages, "nl")
        page.goto(f"{live_server}/surveys/{analysed.id}/results")
        page.get_by_role("button", name="Opnieuw berekenen").click()
        # is_visible() does not wait: the POST and its redirect must land first.
        page.get_by_text("waarmee ze voor het eerst zijn gepubliceerd (zie hieronder)").wait_for()
        assert page.get_by_text("Clusters die daarna zijn gemaakt, gelden niet").is_visible()
        page.goto(f"{live_server}/analysis/clusters")
        # Made after the wave closed: no closed wave keeps it yet.
        noord = page.get_by_role("row").filter(has_text="Noord")
        assert noord.get_by_text("nog geen").count() == 1
    finally:
        context.close()
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("association", village="Orvelte").email)
        pages = {"village vision": lambda: f"/surveys/{vision.id}/results"}
        check_pages(page, live_server, pages, "nl")
        assert page.get_by_text("De cijfers zijn nog niet klaar").is_visible()
        assert page.get_by_text("mislukt").count() == 0
    finally:
        context.close()


def make_village_vision() -> Survey:
    """The approved Orvelte village-vision survey, published, with two completed answers."""
    orvelte = village_by_name("Orvelte")
    survey = create_survey(
        load_template("dorpsvisie"), by=None, kind=SurveyKind.VILLAGE_VISION, villages=[orvelte]
    )
    survey.submit_for_review()
    survey.approve()
    survey.publish(date(2026, 11, 1), date(2026, 11, 30), utcnow())
    for _ in range(2):
        response = Response(
            survey_id=survey.id,
            version_id=survey.live_version.id,
            channel=Channel.WEB,
            village_id=orvelte.id,
            age_band="45-64",
            sex="female",
            answers={},
        )
        response.complete(utcnow())
        db.session.add(response)
    db.session.commit()
    return survey


def test_an_official_checks_the_figures_then_publishes_them(
    browser,
    live_server,
    make_margins,  # noqa: F811
    make_wave,  # noqa: F811
    make_account,
):
    """Computed figures are for officials first; one confirmed step publishes them."""
    make_margins()
    survey = make_wave()
    services.run_now(survey)
    db.session.commit()
    survey_id = survey.id
    make_account("association", village="Beilen")
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("official").email)
        page.goto(f"{live_server}/surveys/{survey_id}/results")
        banner = page.locator("#release-state")
        assert "Nog niet gepubliceerd: alleen medewerkers van de gemeente zien deze cijfers" in (
            banner.inner_text()
        )
        assert_no_violations(page)
        banner.get_by_role("link", name="Uitkomsten publiceren").click()
        page.get_by_role("heading", name=re.compile("publiceren\\?$")).wait_for()
        assert "De enquête kan daarna niet meer worden heropend." in page.inner_text("main")
        assert_no_violations(page)
        page.get_by_role("button", name="Uitkomsten publiceren").click()
        page.get_by_text("De uitkomsten zijn gepubliceerd").wait_for()
        assert "Gepubliceerd op" in page.locator("#release-state").inner_text()
    finally:
        context.close()
    context, page = new_page(browser)
    try:
        log_in(page, live_server, make_account("association", village="Beilen").email)
        page.goto(f"{live_server}/surveys/{survey_id}/results")
        assert page.get_by_role("heading", name="Rapportcijfer voor het dorp").is_visible()
    finally:
        context.close()
