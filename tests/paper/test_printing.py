"""The printed questionnaire: routing in words and "go to"s, and a PDF read back page by page
(text extracted, the QR code decoded to the right sheet id and page on every page).

The PDF is printed in Dutch; until the catalogue has these texts the English ones appear, so
text checks accept either.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pypdfium2 as pdfium
import pytest
import zxingcpp
from flask_babel import force_locale
from sqlalchemy import select

from audit.models import AuditEvent
from core.dates import local_today
from core.db import db, utcnow
from paper.layout import END, printed_questions
from paper.models import BatchKind, PrintBatch, Sheet
from paper.printing import parse_qr
from paper.sheet_ids import display
from surveys.definition import Option, Page, Question, Questionnaire, QuestionType
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from, form_key_from
from tests.helpers import wait_for_jobs
from villages.queries import village_by_name


def open_survey():
    today = local_today()
    survey = create_survey(load_template("leefbaarheid"), by=None, villages=[])
    survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
    db.session.commit()
    return survey


def qr_per_page(pdf: bytes) -> list[dict | None]:
    """The QR payload of each page, read as a scanner would (None: no code on the page)."""
    found = []
    for page in pdfium.PdfDocument(pdf):
        codes = zxingcpp.read_barcodes(page.render(scale=2).to_pil())
        assert len(codes) <= 1
        found.append(parse_qr(codes[0].text) if codes else None)
    return found


def page_texts(pdf: bytes) -> list[str]:
    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)]


def single(code, labels, **fields):
    options = tuple(Option(str(i), {"nl": label}) for i, label in enumerate(labels, 1))
    return Question(code, QuestionType.SINGLE, {"nl": code}, options=options, **fields)


def test_routing_is_printed_as_go_to_and_complex_conditions_in_words(app):
    questionnaire = Questionnaire(
        {"nl": "Test"},
        (
            Page(
                "P1",
                questions=(
                    single("A", ["Ja", "Nee"]),
                    single("B", ["x", "y"], condition={"question": "A", "equals": "1"}),
                    single("C", ["x", "y"], condition={"question": "A", "equals": "1"}),
                    single("D", ["x", "y"]),
                    single("E", ["x", "y"], condition={"question": "A", "equals": "2"}),
                    Question(
                        "F",
                        QuestionType.MULTIPLE,
                        {"nl": "F"},
                        options=(Option("a", {"nl": "Fiets"}), Option("b", {"nl": "Bus"})),
                    ),
                    single("G", ["x"], condition={"question": "F", "equals": "b"}),
                    single("H", ["Ja", "Nee"]),
                    single(
                        "I",
                        ["x"],
                        condition={
                            "all": [
                                {"question": "H", "equals": "1"},
                                {"question": "D", "equals": "2"},
                            ]
                        },
                    ),
                    single("J", ["x"], condition={"question": "H", "equals": "2"}),
                ),
            ),
        ),
    )
    with force_locale("en"):
        printed = {p.question.code: p for p in printed_questions(questionnaire, "en")}
    assert [printed[c].number for c in "ABCDEFGHIJ"] == list(range(1, 11))
    # "No" at A skips B and C: go to D (4). E is not next to A: said in words.
    assert printed["A"].go_to == {2: 4}
    assert printed["B"].only_if == printed["C"].only_if == ""
    assert printed["E"].only_if == "Only fill in if you ticked “Nee” at question 1."
    # A multiple-choice answer cannot carry a "go to".
    assert printed["G"].only_if == "Only fill in if you ticked “Bus” at question 6."
    assert printed["I"].only_if == (
        "Only fill in if you ticked “Ja” at question 8 and you ticked “y” at question 4."
    )
    # J depends on H, but I (asked or not by H and D) stands between them: said in words.
    assert printed["H"].go_to == {}
    assert printed["J"].only_if == "Only fill in if you ticked “Nee” at question 8."


def test_an_answer_that_skips_the_last_questions_goes_to_the_end(app):
    questionnaire = Questionnaire(
        {"nl": "Test"},
        (
            Page("P1", questions=(single("A", ["Ja", "Nee"]),)),
            Page("P2", condition={"question": "A", "equals": "1"}, questions=(single("B", ["x"]),)),
        ),
    )
    with force_locale("en"):
        first, second = printed_questions(questionnaire, "en")
    assert first.go_to == {2: END} and second.only_if == ""


@pytest.fixture
def official(client, login_as):
    account = login_as("official")
    with client.session_transaction() as session:
        session["language"] = "en"
    return account


def test_an_official_prints_copies_for_a_village_and_every_page_carries_its_sheet(
    client, official, seeded
):
    survey = open_survey()
    page = client.get(f"/surveys/{survey.id}/paper")
    assert page.status_code == 200 and "Print questionnaires for a village" in page.text
    village = village_by_name("Orvelte")
    data = {"village": village.id, "copies": 2, **form_key_from(page.text)}
    data["csrf_token"] = csrf_token_from(page.text)
    response = client.post(f"/surveys/{survey.id}/paper/batches", data=data)
    assert response.status_code == 303
    client.post(f"/surveys/{survey.id}/paper/batches", data=data)  # a double click: one batch
    batch = db.session.scalars(select(PrintBatch)).one()
    assert (batch.kind, batch.village_id, batch.copies) == (BatchKind.VILLAGE, village.id, 2)
    sheets = db.session.scalars(select(Sheet).order_by(Sheet.position)).all()
    assert [s.position for s in sheets] == [1, 2] and {s.village_id for s in sheets} == {village.id}

    wait_for_jobs(timeout=60)
    assert "pages are ready to print" in client.get(f"/jobs/{batch.pdf_job_id}").text
    response = client.get(f"/surveys/{survey.id}/paper/batches/{batch.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    pdf = response.data
    codes, texts = qr_per_page(pdf), page_texts(pdf)
    db.session.refresh(batch)
    pages = batch.pdf_pages // 2
    assert pages % 2 == 0 and len(codes) == 2 * pages
    for index, code in enumerate(codes):
        sheet = sheets[index // pages]
        assert code == {
            "sheet": sheet.id,
            "survey": str(survey.id),
            "version": str(survey.live_version.number),
            "page": str(index % pages + 1),
            "of": str(pages),
        }
        assert display(sheet.id) in texts[index]
        assert re.search(rf"(Page|Pagina) {index % pages + 1} (of|van) {pages}", texts[index])
    whole = "\n".join(texts[:pages])
    assert re.search(r"(Go to question|Ga naar vraag) 11", whole)  # "moving?" No -> skip 10
    assert "Leefbaarheid in uw dorp" in whole
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor_id) == ("paper.pdf_downloaded", official.id)

    # Printed: the PDF is deleted, the copies stay valid.
    token = csrf_token_from(client.get(f"/surveys/{survey.id}/paper").text)
    url = f"/surveys/{survey.id}/paper/batches/{batch.id}"
    assert client.post(f"{url}/pdf/delete", data={"csrf_token": token}).status_code == 303
    assert client.get(f"{url}.pdf").status_code == 404
    assert "PDF deleted after printing" in client.get(f"/surveys/{survey.id}/paper").text
    db.session.expire_all()
    assert db.session.get(Sheet, sheets[0].id).status.value == "printed"
    # Needed again: the same copies are prepared anew.
    assert client.post(f"{url}/pdf/again", data={"csrf_token": token}).status_code == 303
    wait_for_jobs(timeout=60)
    assert qr_per_page(client.get(f"{url}.pdf").data) == codes


def test_bad_copies_are_refused_with_a_message_and_nothing_printed(client, official, seeded):
    survey = open_survey()
    page = client.get(f"/surveys/{survey.id}/paper")
    data = {"village": village_by_name("Orvelte").id, "copies": 0, **form_key_from(page.text)}
    data["csrf_token"] = csrf_token_from(page.text)
    response = client.post(f"/surveys/{survey.id}/paper/batches", data=data)
    assert response.status_code == 400
    assert "Enter a number of questionnaires from 1 to 2000." in response.text
    assert db.session.scalars(select(PrintBatch)).first() is None


@pytest.mark.parametrize("role", ["volunteer", "association", "resident"])
def test_only_officials_reach_the_print_pages(client, login_as, seeded, role):
    survey = open_survey()
    login_as(role, **({"village": "Orvelte"} if role == "association" else {}))
    for url in ("paper", "paper/returned", "paper/batches/1.pdf", "paper/batches/1/addresses.csv"):
        assert client.get(f"/surveys/{survey.id}/{url}").status_code == 403, url


def test_texts_in_the_margins_cannot_break_out_of_their_css_string():
    from paper.printing import _css_string

    assert _css_string('Say "hi" \\ </style>\nnext') == '"Say \\"hi\\" \\\\ \\3C /style>\\A next"'


def test_only_our_qr_codes_are_read_as_sheets():
    assert parse_qr("NP1|K7M3Q9PXD|4|2|3/6") == {
        "sheet": "K7M3Q9PXD",
        "survey": "4",
        "version": "2",
        "page": "3",
        "of": "6",
    }
    assert parse_qr("https://example.nl") is None and parse_qr("NP1|a|b|c|d") is None
