"""Each role's main journey, walked in Chromium the way a person walks it, with axe on every
page visited. `make screenshots` runs this file with SCREENSHOTS_DIR=docs/screenshots, so
the screenshots README.md shows come from here.

To extend a journey: call `step(page, "role-what")` on every page the journey reaches; it
runs axe and saves the screenshot under that name (only when SCREENSHOTS_DIR is set).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from core.dates import local_today
from core.db import db, utcnow
from demo.results import synthetic_answers
from fieldwork.answering import questionnaire_of
from fieldwork.invitations import start_sending
from fieldwork.models import Invitation, Response, ResponseStatus
from mail.models import OutboxMail
from panel.models import Channel, ContactDetails, Member, Sex
from results.models import RunStatus
from surveys.models import Survey
from tests.dashboard.test_start_page import failed_mail, run, submitted_proposal
from tests.e2e.conftest import log_in, new_page, screenshot
from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_answering import SURVEY_LINK, TEMPLATES, published_template
from tests.e2e.test_panel import latest_confirm_link
from tests.e2e.test_results import analysed  # noqa: F401  (a fixture)
from tests.fieldwork.test_monitor import invite, new_survey
from tests.helpers import wait_for_jobs
from tests.waves import BANDS, make_margins, make_wave  # noqa: F401  (fixtures)
from villages.queries import village_by_name

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def step(page, name: str, *, full_page: bool = True) -> None:
    """A page of a journey: axe finds no WCAG 2.1 AA violation, and its screenshot is saved."""
    assert_no_violations(page)
    screenshot(page, name, full_page=full_page)


def menu(page, item: str) -> None:
    """Follow an item of the header menu (the bar on a desktop, the Menu disclosure on a
    phone)."""
    nav = page.get_by_role("navigation", name="Menu")
    link = nav.get_by_role("link", name=item, exact=True).filter(visible=True)
    if not link.count():
        nav.get_by_text("Menu", exact=True).click()
    link.click()


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
    page.wait_for_load_state("load")  # measured once the style sheet applies
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


# --- an official designs, publishes, invites, closes and sees the results ------------------


def residents_answer(survey, per_village: dict[str, int]) -> None:
    """Invited members of each village complete `survey`, stored as answering stores it."""
    questionnaire = questionnaire_of(survey.live_version)
    rng = np.random.default_rng(7)
    for name, count in per_village.items():
        invitations = db.session.scalars(
            select(Invitation)
            .join(Member)
            .where(Invitation.survey_id == survey.id, Member.village == village_by_name(name))
            .order_by(Invitation.id)
            .limit(count)
        )
        for i, invitation in enumerate(invitations):
            member = invitation.member
            response = Response(
                survey_id=survey.id,
                version_id=survey.live_version.id,
                respondent_id=member.respondent_id,
                channel=Channel.WEB,
                village_id=member.village_id,
                age_band=BANDS[i % len(BANDS)],
                sex=("female", "male")[i % 2],
                answers=synthetic_answers(questionnaire, rng),
            )
            response.complete(utcnow())
            db.session.add(response)
            db.session.flush()
            invitation.response_id = response.id
            invitation.completed_at = response.completed_at
    db.session.commit()


def test_an_official_designs_publishes_invites_closes_and_sees_the_results(
    journey,
    live_server,
    seeded,
    make_account,
    make_member,
    make_margins,  # noqa: F811
):
    make_margins()
    villages = ["Beilen"] * 25 + ["Hooghalen"] * 15 + ["Orvelte"] * 10  # the last two: too few
    for i, village in enumerate(villages):
        make_member(village, birth_year=1945 + i, sex=(Sex.FEMALE, Sex.MALE)[i % 2])
    official = make_account("official", email="ambtenaar@middendrenthe.example")
    today = local_today()
    page = journey(DESKTOP)
    log_in(page, live_server, official.email)

    menu(page, "Enquêtes")
    page.get_by_role("link", name="Nieuwe enquête").click()
    page.get_by_label("Titel (Nederlands)").fill("Leefbaarheid 2027")
    page.get_by_label("Het sjabloon leefbaarheid").check()
    step(page, "official-new-survey")
    page.get_by_role("button", name="Concept maken").click()
    page.get_by_role("heading", level=1, name="Leefbaarheid 2027").wait_for()
    step(page, "official-designer", full_page=False)
    page.get_by_role("link", name="Dorpen wijzigen").click()
    page.get_by_label("Beilen", exact=True).check()
    page.get_by_label("Hooghalen", exact=True).check()
    page.get_by_label("Orvelte", exact=True).check()
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Beilen, Hooghalen, Orvelte").wait_for()
    page.get_by_role("link", name="Vraag toevoegen aan pagina DORP").click()
    page.get_by_label("Kort open antwoord", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_label("Code", exact=True).fill("STRAAT")
    page.get_by_label("Vraag (Nederlands)").fill("In welke straat woont u het liefst?")
    step(page, "official-designer-question")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Opgeslagen.").wait_for()

    page.get_by_label("Open voor antwoorden vanaf").fill(str(today))
    page.get_by_label("Tot en met").fill(str(today + timedelta(days=21)))
    page.get_by_role("button", name="Publiceren…").click()
    page.get_by_role("heading", name="“Leefbaarheid 2027” publiceren?").wait_for()
    assert "Orvelte: 10 leden uitgenodigd" in page.locator("#expected-warning").inner_text()
    step(page, "official-publish-confirm")
    page.get_by_role("button", name="Publiceren", exact=True).click()
    page.get_by_text("De enquête is gepubliceerd.").wait_for()

    page.get_by_role("link", name="Uitnodigingen en herinneringen").click()
    page.get_by_role("heading", level=1, name="Uitnodigingen: Leefbaarheid 2027").wait_for()
    step(page, "official-invitations")
    page.get_by_role("button", name="50 uitnodigingen versturen").click()
    page.get_by_role("heading", name="Voortgang van de taak").wait_for()
    wait_for_jobs()
    page.reload()
    step(page, "official-invitations-sent")
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 50

    survey = db.session.scalars(select(Survey).where(Survey.title == "Leefbaarheid 2027")).one()
    residents_answer(survey, {"Beilen": 18, "Hooghalen": 11, "Orvelte": 2})
    page.goto(f"{live_server}/surveys/{survey.id}")
    page.get_by_role("link", name="Respons volgen").click()
    page.get_by_role("heading", name="Respons op Leefbaarheid 2027").wait_for()
    step(page, "official-monitor")

    page.get_by_role("link", name="Terug naar het ontwerp van de vragenlijst").click()
    page.get_by_role("link", name="Enquête nu sluiten").click()
    page.get_by_role("heading", name="“Leefbaarheid 2027” nu sluiten?").wait_for()
    step(page, "official-close-confirm")
    page.get_by_role("button", name="Enquête sluiten").click()
    page.get_by_text("De enquête is gesloten.").wait_for()
    wait_for_jobs()  # the results are computed in the background

    page.get_by_role("main").get_by_role("link", name="Uitkomsten").click()
    page.get_by_role("heading", level=1, name="Leefbaarheid 2027").wait_for()
    step(page, "official-results", full_page=False)
    assert "mislukt" not in page.inner_text("main")


# --- a village association proposes a village vision and sees its village's results --------


def test_an_association_proposes_a_village_vision_and_sees_its_results(
    journey,
    live_server,
    analysed,  # noqa: F811
    make_account,
):
    board = make_account("association", email="bestuur@orvelte.example", village="Orvelte")
    page = journey(DESKTOP)
    log_in(page, live_server, board.email)

    menu(page, "Dorpsvisie-enquêtes")
    step(page, "association-surveys")
    page.get_by_role("link", name="Nieuwe dorpsvisie-enquête").click()
    page.get_by_label("Titel", exact=True).fill("Orvelte in 2035")
    step(page, "association-new-proposal")
    page.get_by_role("button", name="Voorstel beginnen").click()
    page.get_by_role("heading", level=1, name="Orvelte in 2035").wait_for()
    step(page, "association-proposal", full_page=False)
    page.get_by_label("Een toelichting voor de gemeente (niet verplicht)").fill(
        "Graag in het voorjaar, voor de ledenvergadering."
    )
    page.get_by_role("button", name="Indienen bij de gemeente").click()
    page.get_by_text("Uw voorstel is ingediend bij de gemeente.").wait_for()
    step(page, "association-proposal-submitted", full_page=False)
    proposal = db.session.scalars(select(Survey).where(Survey.title == "Orvelte in 2035")).one()
    assert [village.name for village in proposal.villages] == ["Orvelte"]
    assert proposal.review_status.value == "submitted"

    menu(page, "Uitkomsten")
    page.get_by_role("link", name=analysed.title).click()
    page.get_by_role("heading", level=1, name=analysed.title).wait_for()
    step(page, "association-results", full_page=False)
    assert "Orvelte" in page.inner_text("main")


# --- a volunteer registers a paper member and finds them again -----------------------------


def find_member(page, query: str) -> None:
    page.get_by_label("Naam, postcode, e-mailadres of respondentnummer").fill(query)
    page.get_by_label("Waarom zoekt u dit op?").select_option(
        label="Een papieren vragenlijst versturen of invoeren"
    )
    page.get_by_role("button", name="Zoeken", exact=True).click()
    page.get_by_role("heading", name="1 panellid gevonden").wait_for()


def test_a_volunteer_registers_a_paper_member_and_finds_them_again(
    journey, live_server, seeded, make_account, privacy_statement
):
    privacy_statement()
    volunteer = make_account("volunteer", email="vrijwilliger@orvelte.example")
    page = journey(DESKTOP)
    log_in(page, live_server, volunteer.email)

    menu(page, "Leden op papier")
    page.get_by_role(
        "heading", level=1, name="Een inwoner registreren die op papier antwoordt"
    ).wait_for()
    page.get_by_label("Naam van de inwoner").fill("Geesje Hoving")
    page.get_by_label("Straat en huisnummer").fill("Brink 3")
    page.get_by_label("Postcode").fill("9441 PC")
    page.get_by_label("Woonplaats").fill("Orvelte")
    page.get_by_label("Dorp", exact=True).select_option(label="Orvelte")
    page.get_by_label("Geboortejaar van de inwoner").fill("1946")
    page.get_by_role("group", name="Geslacht van de inwoner").get_by_label("Vrouw").check()
    page.get_by_role("group", name="Met wie woont de inwoner?").get_by_label("Woont alleen").check()
    page.get_by_label("De inwoner heeft het papieren toestemmingsformulier").check()
    step(page, "volunteer-paper-member")
    page.get_by_role("button", name="Registreren").click()
    page.get_by_text("Geregistreerd.").wait_for()
    step(page, "volunteer-paper-member-registered")
    number = db.session.scalars(select(Member)).one().respondent.pseudonym
    assert number in page.get_by_text("Geregistreerd.").inner_text()

    menu(page, "Leden zoeken")
    page.get_by_role("heading", level=1, name="Een panellid zoeken").wait_for()
    step(page, "volunteer-search")
    for query in ("Hoving", "9441 PC"):
        find_member(page, query)
        found = page.get_by_role("table")
        assert "Geesje Hoving" in found.inner_text() and number in found.inner_text()
    step(page, "volunteer-found")
