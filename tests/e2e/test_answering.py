"""A resident answers from the invitation link in a real browser, with the keyboard only:
a routed questionnaire, stopping halfway, going on from another device, and sending.
axe checks every page on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.links import survey_token
from fieldwork.models import Invitation, Response
from surveys.services import create_survey
from tests.e2e.conftest import new_page
from tests.e2e.test_accessibility import assert_no_violations

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

    page.get_by_role("heading", name="Uw dorp").wait_for()
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
