"""The questionnaire designer in a real browser: an official designs a small routed
questionnaire without JavaScript tricks, previews it as a resident, and axe checks every
designer page in Dutch and English."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from accounts.models import Account
from core.db import db
from surveys import services
from surveys.models import Survey, SurveyKind
from surveys.templates import load_template
from tests.e2e.conftest import log_in, new_page
from tests.e2e.test_accessibility import check_pages
from villages.queries import village_by_name

pytestmark = pytest.mark.browser
PYTHON_REPR = re.compile(r"object at 0x|<built-in|<bound method")


def add_question(page, page_code: str, kind_label: str, fields: dict[str, str]) -> None:
    page.get_by_role("link", name=f"Vraag toevoegen aan pagina {page_code}").click()
    page.get_by_label(kind_label, exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Opgeslagen.").wait_for()


def test_an_official_designs_and_previews_a_routed_questionnaire(
    page, live_server, seeded, make_account
):
    log_in(page, live_server, make_account("official").email)
    page.goto(live_server + "/surveys/")
    page.get_by_role("link", name="Nieuwe enquête").click()
    page.get_by_label("Titel (Nederlands)").fill("Dorpshuis")
    page.get_by_role("button", name="Concept maken").click()
    page.get_by_role("heading", name="Dorpshuis", level=1).wait_for()

    add_question(
        page,
        "P1",
        "Eén keuze (één antwoord)",
        {
            "Code": "HUIS",
            "Vraag (Nederlands)": "Komt u in het dorpshuis?",
            "Antwoordmogelijkheden": "1 | Ja\n2 | Nee",
        },
    )
    page.get_by_role("link", name="Vraag toevoegen aan pagina P1").click()
    page.get_by_label("Kort open antwoord", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_label("Code", exact=True).fill("WAAROM")
    page.get_by_label("Vraag (Nederlands)").fill("Waarom niet?")
    page.get_by_label("Alleen tonen als het antwoord op").select_option("HUIS")
    page.get_by_label("Antwoordcode of getal").fill("3")  # there is no answer 3
    page.get_by_role("button", name="Opslaan").click()
    alert = page.get_by_role("alert")
    assert "nooit worden voldaan" in alert.inner_text()  # said, at the field, nothing saved
    assert page.get_by_label("Vraag (Nederlands)").input_value() == "Waarom niet?"
    page.get_by_label("Antwoordcode of getal").fill("2")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Alleen getoond als: HUIS is 2").wait_for()
    # Each question's buttons say what they do and to which question. (Chromium puts a space
    # before the hidden ", vraag …": it is out of the text's flow.)
    for code in ("HUIS", "WAAROM"):
        copy = page.get_by_role("button", name=re.compile(rf"^Kopiëren ?, vraag {code}$"))
        assert copy.count() == 1, code
    assert not PYTHON_REPR.search(page.content())

    # Moving the routed question above the one it depends on is refused with the reason.
    page.get_by_role("button", name=re.compile(r"Omhoog.*vraag WAAROM")).click()
    assert "HUIS" in page.get_by_role("alert").inner_text()

    page.get_by_role("link", name="Voorbeeld", exact=True).click()
    page.get_by_text("Zo zien inwoners de vragenlijst.").wait_for()
    assert page.get_by_label("Waarom niet?").count() == 0
    page.get_by_label("Nee").check()
    page.get_by_role("button", name="Versturen").click()
    page.get_by_label("Waarom niet?").fill("Te ver weg")  # routing showed it
    page.get_by_role("button", name="Versturen").click()
    page.get_by_text("Einde van het voorbeeld.").wait_for()

    page.goto(page.url.split("/preview")[0] + "/preview/phone")
    frame = page.frame_locator("iframe.app-phone-frame")
    frame.get_by_text("Komt u in het dorpshuis?").wait_for()
    assert page.locator("iframe.app-phone-frame").evaluate("frame => frame.clientWidth") == 360


def proposal_id() -> int:
    definition = load_template("dorpsvisie")
    board = db.session.scalar(select(Account).where(Account.email == "bestuur@orvelte.example"))
    survey = services.create_survey(
        definition, board, kind=SurveyKind.VILLAGE_VISION, villages=[village_by_name("Orvelte")]
    )
    services.submit_proposal(survey, board, comment="Graag voor maart.")
    db.session.commit()
    return survey.id


def general_id() -> int:
    return db.session.scalar(select(Survey.id).where(Survey.kind == SurveyKind.GENERAL))


DESIGNER_PAGES = {
    "surveys": lambda: "/surveys/",
    "new survey": lambda: "/surveys/new",
    "import": lambda: "/surveys/import",
    "designer": lambda: f"/surveys/{general_id()}",
    "texts": lambda: f"/surveys/{general_id()}/texts",
    "scope": lambda: f"/surveys/{general_id()}/scope",
    "anonymity and reminders": lambda: f"/surveys/{general_id()}/fieldwork",
    "new page": lambda: f"/surveys/{general_id()}/pages/new",
    "page": lambda: f"/surveys/{general_id()}/pages/DORP/edit",
    "question type": lambda: f"/surveys/{general_id()}/pages/DORP/questions/new",
    "new question": lambda: f"/surveys/{general_id()}/pages/DORP/questions/new?type=ranking",
    "question": lambda: f"/surveys/{general_id()}/questions/VEILIG",
    "remove question": lambda: f"/surveys/{general_id()}/questions/VEILIG/delete",
    "preview": lambda: f"/surveys/{general_id()}/preview",
    "phone preview": lambda: f"/surveys/{general_id()}/preview/phone",
    "proposal": lambda: f"/surveys/{proposal_id()}",
    "proposal history": lambda: f"/surveys/{proposal_id()}/history",
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_designer_pages_have_no_wcag_violations(
    browser, live_server, seeded, make_account, language
):
    make_account("association", email="bestuur@orvelte.example", village="Orvelte")
    services.create_survey(load_template("leefbaarheid"), by=None)
    db.session.commit()
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, make_account("official").email)
        check_pages(page, live_server, DESIGNER_PAGES, language)
    finally:
        context.close()


ASSOCIATION_PAGES = {
    "surveys": lambda: "/surveys/",
    "new proposal": lambda: "/surveys/proposals/new",
    "own proposal": lambda: f"/surveys/{proposal_id()}",
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_association_pages_have_no_wcag_violations(
    browser, live_server, seeded, make_account, language
):
    board = make_account("association", email="bestuur@orvelte.example", village="Orvelte")
    context, page = new_page(browser, bypass_csp=True)
    try:
        log_in(page, live_server, board.email)
        check_pages(page, live_server, ASSOCIATION_PAGES, language)
    finally:
        context.close()


def test_the_phone_preview_shows_what_a_resident_sees(official_page, live_server, seeded):
    """At 360 px, the resident's layout: no staff menu, nothing wider than the phone."""
    survey = services.create_survey(load_template("dorpsvisie"), by=None)
    db.session.commit()
    page = official_page
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{live_server}/surveys/{survey.id}/preview/phone")
    frame = page.frame_locator("iframe.app-phone-frame")
    frame.get_by_role("heading", level=1).wait_for()
    assert page.locator("iframe.app-phone-frame").evaluate("frame => frame.clientWidth") == 360
    assert frame.locator("html").evaluate("html => html.scrollWidth") <= 360
    header_links = frame.get_by_role("navigation", name="Menu").get_by_role("link")
    assert header_links.all_inner_texts() == ["Inloggen"]  # as a resident following their link
    for staff_link in ("Enquêtes", "Panel", "Leden", "Auditlog", "Mijn account"):
        assert frame.get_by_role("link", name=staff_link, exact=True).count() == 0, staff_link
    assert page.get_by_role("link", name="Enquêtes", exact=True).count() == 1  # outside
    page.screenshot(path=os.environ.get("SCREENSHOT_DIR", "/tmp") + "/phone-preview.png")

    # Answering a page in the frame keeps the resident's layout.
    frame.get_by_role("button", name="Volgende").click()
    frame.get_by_text("Pagina 2 van 3").first.wait_for()
    inner = page.locator("iframe.app-phone-frame").element_handle().content_frame()
    inner.wait_for_load_state("load")  # measured once the style sheet applies
    assert frame.get_by_role("link", name="Enquêtes", exact=True).count() == 0
    assert frame.locator("html").evaluate("html => html.scrollWidth") <= 360
