"""A resident answers from the invitation link in a real browser, with the keyboard only:
a routed questionnaire, stopping halfway, going on from another device, and sending.
axe checks every page on the way."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.links import survey_token
from fieldwork.models import Invitation, Response, ResponseStatus
from mail.models import OutboxMail
from surveys.models import SurveyKind
from surveys.services import create_survey
from surveys.templates import load_template
from tests.e2e.conftest import new_page
from tests.e2e.test_accessibility import assert_no_violations
from tests.helpers import wait_for_jobs
from villages.queries import village_by_name

pytestmark = pytest.mark.browser

ROUTED = {
    "schema_version": 1,
    "title": {"nl": "Wonen in het dorp"},
    "introduction": {"nl": "Vier korte vragen."},
    "pages": [
        {
            "code": "P1",
            "title": {"nl": "Uw dorp"},
            "questions": [
                {
                    "code": "THUIS",
                    "type": "single",
                    "text": {"nl": "Voelt u zich thuis in uw dorp?"},
                    "required": True,
                    "options": [
                        {"code": "1", "label": {"nl": "Ja"}},
                        {"code": "2", "label": {"nl": "Nee"}},
                    ],
                }
            ],
        },
        {
            "code": "P2",
            "title": {"nl": "Waarom niet"},
            "condition": {"question": "THUIS", "equals": "2"},
            "questions": [
                {"code": "WAAROM", "type": "text", "text": {"nl": "Wat mist u?"}, "required": True}
            ],
        },
        {
            "code": "P3",
            "title": {"nl": "Cijfer"},
            "questions": [
                {
                    "code": "CIJFER",
                    "type": "mark",
                    "text": {"nl": "Welk cijfer geeft u uw dorp?"},
                    "required": True,
                }
            ],
        },
    ],
}


def invitation_link(make_member) -> str:
    member = make_member("Orvelte", email="inwoner@example.nl")
    survey = create_survey(ROUTED, by=None)
    survey.publish(local_today() - timedelta(days=1), local_today() + timedelta(days=20), utcnow())
    invitation = Invitation(survey=survey, member=member)
    db.session.add(invitation)
    db.session.commit()
    return f"/enquete/{survey_token(invitation)}"


def tab_to(page, locator, limit: int = 80) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def test_a_resident_answers_with_the_keyboard_stops_and_goes_on_elsewhere(
    browser, live_server, seeded, make_member
):
    link = live_server + invitation_link(make_member)
    context, page = new_page(browser, bypass_csp=True)  # axe is injected as a script
    page.goto(link)
    assert_no_violations(page)
    start = page.get_by_role("button", name="Begin met de enquête")
    tab_to(page, start)
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Uw dorp", exact=True).wait_for()
    assert_no_violations(page)
    tab_to(page, page.get_by_label("Ja", exact=True))
    page.keyboard.press("ArrowDown")  # radio group: arrows choose
    assert page.get_by_label("Nee", exact=True).is_checked()
    tab_to(page, page.get_by_role("button", name="Volgende"))
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Waarom niet").wait_for()  # routed in by "Nee"
    tab_to(page, page.get_by_role("button", name="Volgende"))
    page.keyboard.press("Enter")  # the required answer is missing
    page.get_by_role("alert").wait_for()
    assert_no_violations(page)
    tab_to(page, page.get_by_label("Wat mist u?"))
    page.keyboard.type("Een winkel")
    page.keyboard.press("Enter")  # Enter in a text box goes to the next page

    page.get_by_role("heading", name="Cijfer").wait_for()
    context.close()  # stop halfway; the answers so far are saved

    context, page = new_page(browser, bypass_csp=True)  # another device
    page.goto(link)
    go_on = page.get_by_role("button", name="Ga verder waar u was gebleven")
    tab_to(page, go_on)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Cijfer").wait_for()
    tab_to(page, page.get_by_label("1", exact=True))  # Tab enters the group at its start
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    assert page.get_by_label("7", exact=True).is_checked()
    tab_to(page, page.get_by_role("button", name="Volgende"))
    page.keyboard.press("Enter")

    page.get_by_text("Een winkel").wait_for()  # the check step shows every answer
    assert_no_violations(page)
    tab_to(page, page.get_by_role("button", name="Verstuur mijn antwoorden"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Bedankt voor het meedoen").wait_for()
    assert_no_violations(page)
    context.close()

    response = db.session.query(Response).one()
    assert response.completed
    assert response.answers == {"THUIS": "2", "WAAROM": "Een winkel", "CIJFER": 7}


def published_survey_id(make_member) -> int:
    invitation_link(make_member)
    return db.session.query(Invitation).one().survey_id


@pytest.mark.parametrize("language", ["nl", "en"])
def test_fieldwork_pages_have_no_wcag_violations(
    browser, live_server, seeded, make_member, make_account, language
):
    from fieldwork.links import unsubscribe_token
    from tests.e2e.conftest import log_in
    from tests.e2e.test_accessibility import check_pages

    survey_id = published_survey_id(make_member)
    member_id = db.session.query(Invitation).one().member_id
    pages = {
        "invitations": lambda: f"/surveys/{survey_id}/invitations",
        "response monitor": lambda: f"/surveys/{survey_id}/responses",
        "unsubscribe": lambda: f"/afmelden/{unsubscribe_token(member_id)}",
        "unknown unsubscribe link": lambda: "/afmelden/bestaat-niet",
        "unknown survey link": lambda: "/enquete/bestaat-niet",
    }
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("official").email)
        check_pages(page, live_server, pages, language)
    finally:
        context.close()


# --- both templates, every question type, on a phone, from the invitation mail -------------

PHONE = {"width": 360, "height": 780}
SCREENSHOTS = os.environ.get("ANSWERING_SCREENSHOTS")  # a folder, to look at the pages
SURVEY_LINK = re.compile(r"http://naoberpanel\.test(/enquete/[A-Za-z0-9_.\-]+)")


def shoot(page, name: str) -> None:
    """Check the page as a phone shows it; save a screenshot when asked to."""
    assert_no_violations(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page is {width} px wide on a 360 px phone"
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def invite_through_the_app(official_page, live_server, survey) -> str:
    """The official sends the invitations; the link comes from the mail the job queued."""
    official_page.goto(f"{live_server}/surveys/{survey.id}/invitations")
    official_page.get_by_role("button", name="1 uitnodiging versturen").click()
    wait_for_jobs()
    body = db.session.scalars(
        select(OutboxMail.body_text).where(OutboxMail.kind == "survey_invitation")
    ).one()
    return live_server + SURVEY_LINK.search(body).group(1)


def choose(page, group: str, label: str) -> None:
    page.get_by_role("group", name=group, exact=True).get_by_label(label, exact=True).check()


def next_page(page, heading: str) -> None:
    page.get_by_role("button", name="Volgende").click()
    page.get_by_role("heading", name=heading, exact=True).wait_for()


def answer_liveability(page) -> None:
    page.get_by_role("heading", name="Uw dorp", exact=True).wait_for()
    shoot(page, "leefbaarheid-1")
    choose(page, "Welk rapportcijfer geeft u uw dorp als plek om te wonen?", "8")  # mark
    choose(page, "Hoe veilig voelt u zich in uw dorp?", "Veilig")  # single
    next_page(page, "Samen in het dorp")
    shoot(page, "leefbaarheid-2")
    choose(page, "De mensen in mijn dorp kennen elkaar.", "Helemaal mee eens")  # grid
    choose(page, "Ik heb regelmatig contact met mijn buren.", "Weet ik niet")
    next_page(page, "Voorzieningen en omgeving")
    shoot(page, "leefbaarheid-3")
    choose(page, "het dorpshuis", "Mee eens")
    choose(page, "Het groen in mijn dorp wordt goed onderhouden.", "Mee oneens")
    next_page(page, "Meedoen")
    shoot(page, "leefbaarheid-4")
    choose(page, "Doet u vrijwilligerswerk in of voor uw dorp?", "Ja, af en toe")
    next_page(page, "De toekomst")
    shoot(page, "leefbaarheid-5")
    moving = "Bent u van plan om in de komende twee jaar te verhuizen?"
    choose(page, moving, "Ja, buiten de gemeente")
    page.get_by_role("button", name="Volgende").click()
    page.get_by_text("Door uw antwoorden staat er een vraag bij op deze pagina.").wait_for()
    shoot(page, "leefbaarheid-5-revealed")
    reasons = page.get_by_role("group", name="Waarom wilt u uit uw dorp verhuizen?")
    reasons.get_by_label("Voor mijn werk of opleiding").check()  # multiple, with "other"
    reasons.get_by_label("Anders, namelijk").check()
    page.get_by_label("Uw andere antwoord").fill("Dichter bij de kleinkinderen")
    page.get_by_role("button", name="Volgende").click()


def answer_village_vision(page) -> None:
    page.get_by_role("heading", name="Het dorp nu").wait_for()
    shoot(page, "dorpsvisie-1")
    page.get_by_label("Wat vindt u het mooiste of het belangrijkste aan uw dorp?").fill(
        "De rust.\n\nEn de brink."
    )  # long text
    next_page(page, "De komende tien jaar")
    shoot(page, "dorpsvisie-2")
    page.get_by_label("Keuze 1").select_option(label="Natuur en groen")  # ranking
    page.get_by_label("Keuze 2").select_option(label="Woningen voor jongeren")
    page.get_by_label("Keuze 3").select_option(label="Zorg en hulp dichtbij")
    page.get_by_label("Heeft u een idee voor uw dorp? Schrijf het hier op.").fill("Een moestuin")
    next_page(page, "Meehelpen")
    shoot(page, "dorpsvisie-3")
    choose(page, "Wilt u meehelpen aan de dorpsvisie?", "Ja")  # single; reveals an info text
    page.get_by_role("button", name="Volgende").click()
    page.get_by_text("De dorpsvereniging neemt alleen contact met u op").wait_for()
    shoot(page, "dorpsvisie-3-revealed")
    page.get_by_role("button", name="Volgende").click()


TEMPLATES = {
    "leefbaarheid": (
        answer_liveability,
        {
            "LEEF_CIJFER": 8,
            "VEILIG": "4",
            "SOC_KENNEN": "5",
            "SOC_BUREN": "9",
            "VOORZ_DORPSHUIS": "4",
            "OMG_GROEN": "2",
            "VRIJWILLIG": "2",
            "VERHUIZEN": "3",
            "VERHUIZEN_WAAROM": ["werk", "other"],
            "VERHUIZEN_WAAROM_other": "Dichter bij de kleinkinderen",
        },
    ),
    "dorpsvisie": (
        answer_village_vision,
        {
            "WAARDE": "De rust.\n\nEn de brink.",
            "PRIO_TOP3": ["natuur", "wonen_jong", "zorg"],
            "IDEE": "Een moestuin",
            "HELPEN": "1",
        },
    ),
}


#: Answers as the check-and-send step shows them.
CHECKED = {
    "leefbaarheid": ["8", "Veilig", "Voor mijn werk of opleiding, Dichter bij de kleinkinderen"],
    "dorpsvisie": [
        "1. Natuur en groen, 2. Woningen voor jongeren, 3. Zorg en hulp dichtbij",
        "De rust.\n\nEn de brink.",
    ],
}


def published_template(name: str):
    kind = SurveyKind.VILLAGE_VISION if name == "dorpsvisie" else SurveyKind.GENERAL
    survey = create_survey(load_template(name), by=None, kind=kind)
    if survey.is_proposal:
        survey.villages = [village_by_name("Orvelte")]
        survey.submit_for_review()
        survey.approve()
    survey.publish(local_today() - timedelta(days=1), local_today() + timedelta(days=20), utcnow())
    db.session.commit()
    return survey


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_resident_answers_each_template_on_a_phone_from_the_invitation_mail(
    browser, live_server, seeded, make_member, official_page, template
):
    answer, expected = TEMPLATES[template]
    member = make_member("Orvelte", email="inwoner@example.nl")
    survey = published_template(template)
    link = invite_through_the_app(official_page, live_server, survey)

    context, page = new_page(browser, bypass_csp=True, viewport=PHONE)  # axe is a script
    page.goto(link)
    shoot(page, f"{template}-0-welcome")
    page.get_by_role("button", name="Begin met de enquête").click()
    answer(page)
    page.get_by_role("heading", name="Controleer en verstuur uw antwoorden").wait_for()
    shoot(page, f"{template}-check")
    for given in CHECKED[template]:
        page.get_by_text(given, exact=True).wait_for()  # the answers in words, to check
    page.get_by_role("button", name="Verstuur mijn antwoorden").click()
    page.get_by_role("heading", name="Bedankt voor het meedoen").wait_for()
    shoot(page, f"{template}-thanks")
    context.close()

    db.session.expire_all()
    response = db.session.scalars(select(Response)).one()
    assert response.status is ResponseStatus.COMPLETED
    assert response.respondent_id == member.respondent_id
    assert response.answers == expected


def test_a_link_to_a_survey_closed_early_thanks_the_resident_on_a_phone(
    browser, live_server, seeded, make_member
):
    from surveys import services

    link = live_server + invitation_link(make_member)
    services.close(db.session.scalars(select(Invitation)).one().survey)
    db.session.commit()
    context, page = new_page(browser, bypass_csp=True, viewport=PHONE)
    page.goto(link)
    page.get_by_role("heading", name="Deze enquête is gesloten").wait_for()
    page.get_by_text("“Wonen in het dorp” kan niet meer worden ingevuld").wait_for()
    shoot(page, "closed")
    context.close()


ERROR_RED = "rgb(176, 0, 32)"  # --midden-drenthe-color-error


def border_colour(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).borderTopColor")


def test_required_radio_buttons_are_not_red_before_anything_was_entered(
    browser, live_server, seeded, make_member, privacy_statement
):
    """The join form's radio buttons carry `required`, so they match :invalid until one is
    chosen; red is for an answer checked and found wrong, not for one still to come."""
    privacy_statement()
    context, page = new_page(browser, bypass_csp=True, viewport=PHONE)
    page.goto(live_server + "/join")
    sex = page.get_by_role("group", name="Geslacht").get_by_role("radio").first
    assert sex.get_attribute("required") is not None
    shoot(page, "join-untouched")
    assert border_colour(sex) != ERROR_RED

    page.goto(live_server + invitation_link(make_member))
    page.get_by_role("button", name="Begin met de enquête").click()
    required = page.get_by_role("group", name="Voelt u zich thuis in uw dorp?")
    for radio in required.get_by_role("radio").all():
        assert border_colour(radio) != ERROR_RED
    context.close()
