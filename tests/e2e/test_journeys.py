"""Each role's main journey, walked in Chromium the way a person walks it, with axe on every
page visited. `make screenshots` runs this file with SCREENSHOTS_DIR=docs/screenshots, so
the screenshots README.md shows come from here.

To extend a journey: call `step(page, "role-what")` on every page the journey reaches; it
runs axe and saves the screenshot under that name (only when SCREENSHOTS_DIR is set).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.invitations import start_sending
from fieldwork.models import Response, ResponseStatus
from mail.models import OutboxMail
from panel.models import ContactDetails, Member
from results.models import RunStatus
from tests.dashboard.test_start_page import failed_mail, run, submitted_proposal
from tests.e2e.conftest import log_in, new_page, screenshot
from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_answering import SURVEY_LINK, TEMPLATES, published_template
from tests.e2e.test_panel import latest_confirm_link
from tests.fieldwork.test_monitor import invite, new_survey
from tests.helpers import wait_for_jobs

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def step(page, name: str, *, full_page: bool = True) -> None:
    """A page of a journey: axe finds no WCAG 2.1 AA violation, and its screenshot is saved."""
    assert_no_violations(page)
    screenshot(page, name, full_page=full_page)


@pytest.fixture
def journey(browser):
    """Open a browser of the given size (axe needs our CSP bypassed); closed afterwards."""
    contexts = []

    def open_page(viewport: dict):
        context, page = new_page(browser, bypass_csp=True, viewport=viewport)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def municipality_at_work(seeded, make_account, make_member, make_village):
    """Fieldwork under way in Orvelte and Hooghalen, a proposal of Orvelte waiting for review,
    a mail that could not be delivered and a computation of an earlier wave's results."""
    survey = new_survey(make_village, local_today() - timedelta(days=3))
    survey.title = "Leefbaarheid 2026"
    for i in range(12):
        member = make_member("Orvelte" if i % 2 else "Hooghalen")
        invite(survey, member, started=i < 9, completed_at=utcnow() if i < 7 else None)
    earlier = new_survey(make_village, local_today() - timedelta(days=400))
    earlier.title = "Leefbaarheid 2025"
    earlier.close()
    db.session.commit()
    run(earlier, RunStatus.SUCCEEDED)
    submitted_proposal(make_account, "Orvelte")
    failed_mail(1)
    return survey


def test_an_official_starts_from_the_start_page(
    journey, live_server, make_account, municipality_at_work
):
    official = make_account("official", email="ambtenaar@middendrenthe.example")
    page = journey(DESKTOP)

    page.goto(live_server + "/")
    step(page, "home", full_page=False)

    log_in(page, live_server, official.email)
    assert page.url == live_server + "/overzicht"
    step(page, "official-start")

    page.get_by_role("link", name="Leefbaarheid 2026").click()
    page.get_by_role("heading", name="Respons op Leefbaarheid 2026").wait_for()
    step(page, "official-responses")

    page.get_by_text("Beheer", exact=True).filter(visible=True).click()
    page.get_by_role("link", name="Uitgaande mail").click()
    page.get_by_role("heading", name="Uitgaande mail").wait_for()
    step(page, "official-outbox")


def test_a_resident_looks_after_their_details_on_a_phone(
    journey, live_server, seeded, make_member, privacy_statement
):
    privacy_statement()
    member = make_member("Orvelte", email="inwoner.orvelte@example.nl")
    member.contact = ContactDetails(name="Anne", address="Brink 1", postcode="9441 PA")
    db.session.commit()
    page = journey(PHONE)

    page.goto(live_server + "/")
    step(page, "resident-home-phone", full_page=False)

    log_in(page, live_server, "inwoner.orvelte@example.nl")
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Mijn gegevens").click()
    page.get_by_role("heading", level=1, name="Mijn gegevens").wait_for()
    step(page, "resident-me-phone")

    page.get_by_role("link", name="Uw gegevens wijzigen").click()
    step(page, "resident-profile-phone")
    page.get_by_label("Uw naam").fill("Anne de Vries")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Uw gegevens zijn opgeslagen.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    step(page, "resident-saved-phone")


# --- a resident joins on a phone and answers both templates from the invitation mail -------


def invitation_link_to(survey, live_server: str) -> str:
    """The municipality sends the survey's invitations; the link from the resident's mail."""
    start_sending(survey, None, local_today())
    db.session.commit()
    wait_for_jobs()
    body = db.session.scalars(
        select(OutboxMail.body_text)
        .where(OutboxMail.kind == "survey_invitation")
        .order_by(OutboxMail.id.desc())
    ).first()
    return live_server + SURVEY_LINK.search(body).group(1)


def test_a_resident_joins_on_a_phone_and_answers_both_templates(
    journey, live_server, seeded, privacy_statement
):
    privacy_statement()
    surveys = {name: published_template(name) for name in TEMPLATES}  # both for Orvelte
    page = journey(PHONE)

    page.goto(live_server + "/")
    page.get_by_role("link", name="Lid worden van het inwonerspanel").click()
    page.get_by_role("heading", level=1, name="Lid worden van het inwonerspanel").wait_for()
    step(page, "resident-join-phone")
    page.get_by_label("Postcode", exact=True).fill("9441 PA")
    page.get_by_role("button", name="Zoek mijn dorp").click()
    page.get_by_text("we hebben Orvelte voor u gekozen").wait_for()
    page.get_by_label("E-mailadres").fill("nieuw.orvelte@example.nl")
    page.get_by_label("Geboortejaar").fill("1984")
    page.get_by_role("group", name="Geslacht").get_by_label("Vrouw").check()
    page.get_by_label("Met mijn partner en kinderen").check()
    page.locator("#agree").check()
    page.get_by_role("button", name="Lid worden van het panel").click()
    page.get_by_role("heading", name="Controleer uw mail").wait_for()
    step(page, "resident-join-check-mail-phone")

    wait_for_jobs()
    page.goto(latest_confirm_link(live_server))
    step(page, "resident-join-confirm-phone")
    page.get_by_role("main").get_by_role("button", name="Bevestigen en lid worden").click()
    page.get_by_text("Welkom bij het panel! Uw adres is bevestigd.").wait_for()
    step(page, "resident-welcome-phone")
    member = db.session.scalars(select(Member)).one()
    assert member.village.name == "Orvelte"

    for name, (answer, expected) in TEMPLATES.items():
        page.goto(invitation_link_to(surveys[name], live_server))
        step(page, f"resident-{name}-start-phone")
        page.get_by_role("button", name="Begin met de enquête").click()
        answer(page)  # every page checked by axe, and for its width
        page.get_by_role("heading", name="Controleer en verstuur uw antwoorden").wait_for()
        step(page, f"resident-{name}-check-phone")
        page.get_by_role("button", name="Verstuur mijn antwoorden").click()
        page.get_by_role("heading", name="Bedankt voor het meedoen").wait_for()
        step(page, f"resident-{name}-thanks-phone")
        db.session.expire_all()
        response = db.session.scalars(
            select(Response).where(Response.survey_id == surveys[name].id)
        ).one()
        assert (response.status, response.answers) == (ResponseStatus.COMPLETED, expected)
        assert response.respondent_id == member.respondent_id
