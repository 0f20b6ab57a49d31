"""An official publishes, closes and reopens a survey in a real browser, each step confirmed
on its own page, and axe checks those pages. The job worker is off: the computation queued
at closing waits, as it would for a busy worker, so reopening withdraws it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.dates import local_today
from core.db import db
from jobs.runner import run_urgent_jobs
from results.models import AnalysisRun, RunStatus
from surveys.models import Survey, SurveyStatus
from surveys.services import create_survey
from surveys.templates import load_template
from tests.e2e.conftest import latest_login_link, new_page
from tests.e2e.test_accessibility import assert_no_violations
from villages.queries import village_by_name

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    app = make_app(JOBS_WEB_WORKER=False)
    with app.app_context():
        yield app


def log_in(page, live_server: str, email: str) -> None:
    """tests.e2e.conftest.log_in, with the login mail's job run here: no worker runs it."""
    page.goto(live_server + "/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_role("button", name="Stuur mij een inloglink").click()
    page.get_by_role("heading", name="Controleer uw mail").wait_for()
    run_urgent_jobs()
    page.goto(latest_login_link(live_server))
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    page.get_by_text("U bent ingelogd.").wait_for()


def test_an_official_publishes_closes_and_reopens_a_survey(
    browser, live_server, seeded, make_account, make_member
):
    survey = create_survey(
        load_template("leefbaarheid"),
        by=None,
        villages=[village_by_name("Orvelte"), village_by_name("Beilen")],
    )
    db.session.commit()
    survey_id = survey.id  # running the login job ends this session
    for _ in range(8):
        make_member("Orvelte")
    for _ in range(20):
        make_member("Beilen")
    today = local_today()
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("official").email)
        page.goto(f"{live_server}/surveys/{survey_id}")
        page.get_by_label("Open voor antwoorden vanaf").fill(str(today))
        page.get_by_label("Tot en met").fill(str(today + timedelta(days=21)))
        page.get_by_role("button", name="Publiceren…").click()

        page.get_by_role("heading", name="“Leefbaarheid in uw dorp” publiceren?").wait_for()
        warning = page.locator("#expected-warning").inner_text()
        assert "Orvelte: 8 leden uitgenodigd, ongeveer 4 reacties verwacht" in warning
        assert "Beilen" not in warning
        assert_no_violations(page)
        page.get_by_role("button", name="Publiceren", exact=True).click()
        page.get_by_text("De enquête is gepubliceerd.").wait_for()

        page.get_by_role("link", name="Enquête nu sluiten").click()
        page.get_by_role("heading", name="“Leefbaarheid in uw dorp” nu sluiten?").wait_for()
        assert "Niemand is nog bezig met antwoorden." in page.inner_text("main")
        assert_no_violations(page)
        page.get_by_role("button", name="Enquête sluiten").click()
        page.get_by_text("De enquête is gesloten.").wait_for()
        assert page.get_by_role("main").get_by_role("link", name="Uitkomsten").count() == 1

        page.get_by_role("link", name="Enquête heropenen").click()
        page.get_by_role("heading", name="“Leefbaarheid in uw dorp” heropenen?").wait_for()
        page.get_by_label("Nieuwe sluitingsdatum (tot en met)").fill(str(today))
        page.get_by_role("button", name="Enquête heropenen").click()
        page.locator("#closes_on-error").wait_for()  # today is too soon
        assert_no_violations(page)
        new_date = today + timedelta(days=10)
        page.get_by_label("Nieuwe sluitingsdatum (tot en met)").fill(str(new_date))
        page.get_by_role("button", name="Enquête heropenen").click()
        page.get_by_text("De enquête is weer open tot en met").wait_for()
        assert page.get_by_role("link", name="Enquête nu sluiten").count() == 1
        page.goto(f"{live_server}/surveys/{survey_id}/results")
        assert page.get_by_text("heropend voordat de uitkomsten waren gepubliceerd").is_visible()
        assert page.get_by_text("mislukt").count() == 0
    finally:
        context.close()

    db.session.expire_all()
    reopened = db.session.get(Survey, survey_id)
    assert (reopened.status, reopened.closes_on) == (SurveyStatus.PUBLISHED, new_date)
    run = db.session.scalars(select(AnalysisRun).where(AnalysisRun.survey_id == survey_id)).one()
    assert run.status is RunStatus.FAILED and run.withdrawn  # never published
