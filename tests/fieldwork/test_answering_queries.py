"""Answering through the personal link takes a fixed, small number of SQL round trips per
page: a regression to loading the invitation's survey, member, response and questionnaire
one lazy load at a time fails here. (Issue 20: at 6 statements a page shown and 8 a page
saved, answering ran at a twentieth of the database's insert rate.) One test per request of
a resident's journey: link, welcome page, start, pages, check and send."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from core.db import db
from fieldwork.links import survey_token
from fieldwork.models import Response
from surveys.format import stored_questionnaire
from surveys.models import Survey
from surveys.services import correct_text
from tests.fieldwork.test_answering import ANSWERS, Resident, invite, publish
from tests.helpers import counted_queries


@pytest.fixture
def invited(app, make_member):
    return Resident(app, survey_token(invite(publish(), make_member(email="inwoner@example.nl"))))


@pytest.fixture
def resident(invited):
    invited.csrf()
    assert invited.start().status_code == 303
    return invited


def round_trips(statements: list[str]) -> int:
    """Statements run, less SQLite's BEGIN IMMEDIATE: the transaction's BEGIN, COMMIT and
    ROLLBACK are not counted on either database."""
    return sum(statement != "BEGIN IMMEDIATE" for statement in statements)


def test_the_link_and_the_welcome_page_take_one_query_each(app, make_member):
    token = survey_token(invite(publish(), make_member(email="inwoner@example.nl")))
    with counted_queries() as followed:
        resident = Resident(app, token)
    with counted_queries() as welcomed:
        assert resident.client.get(resident.url()).status_code == 200
    # The invitation; then the invitation with its survey, member and live questionnaire.
    assert round_trips(followed) == 1
    assert round_trips(welcomed) == 1


def test_starting_reads_nothing_twice(invited):
    invited.csrf()
    with counted_queries() as started:
        posted = invited.start()
        assert posted.status_code == 303 and posted.location.endswith("/pagina/1")
    # The invitation locked, an earlier response of the respondent, the live version; the
    # response INSERTed and the invitation UPDATEd. Nothing is read again for the redirect.
    assert round_trips(started) == 5
    with counted_queries() as again:
        assert invited.start().status_code == 303
    # Started already: the invitation locked, then its response.
    assert round_trips(again) == 2


def test_an_answer_page_is_shown_in_one_query_and_saved_in_two(resident):
    response_id = resident_response(resident)
    read = stored_questionnaire.cache_info().misses
    with counted_queries() as shown:
        assert resident.page(1).status_code == 200
    with counted_queries() as saved:
        posted = resident.post(1, ANSWERS[0], response_id=response_id)
        assert posted.status_code == 303 and posted.location.endswith("/pagina/2")
    with counted_queries() as later:
        assert resident.page(2).status_code == 200
    with counted_queries() as refused:
        assert resident.post(2, {"SOC_KENNEN": "x"}, response_id=response_id).status_code == 422
    # The questionnaire was read when the resident started, and kept.
    assert stored_questionnaire.cache_info().misses == read
    # The invitation with its survey, member, paper copies, response and questionnaire.
    assert round_trips(shown) == 1
    assert round_trips(later) == 1
    # The same, the invitation's and the response's rows locked; the UPDATE.
    assert round_trips(saved) == 2
    assert round_trips(refused) == 1


def test_the_check_and_send_step_takes_a_few_queries(resident):
    response_id = resident_response(resident)
    for number, answers in enumerate(ANSWERS, start=1):
        assert resident.post(number, answers, response_id=response_id).status_code == 303
    with counted_queries() as shown:
        assert resident.client.get(resident.url("/versturen")).status_code == 200
    form = {"csrf_token": resident.csrf(), "_response": response_id}
    with counted_queries() as sent:
        assert resident.client.post(resident.url("/versturen"), data=form).status_code == 303
    # One more to show: whether the member has an email address for a confirmation.
    assert round_trips(shown) == 2
    # Invitation and response locked and read, then both UPDATEd.
    assert round_trips(sent) == 3


def resident_response(resident) -> str:
    return db.session.scalar(select(Response.id))


def test_a_corrected_question_text_shows_at_once_though_questionnaires_are_kept(resident):
    """Questionnaires are read once per process, by their stored text: a frozen version's
    corrected typo is a new text, read anew, not the kept old one."""
    assert "How safe do you feel" in resident.page(1).text
    survey = db.session.scalar(select(Survey))
    definition = copy.deepcopy(survey.current_version.definition)
    question = definition["pages"][0]["questions"][1]
    assert question["code"] == "VEILIG"
    question["text"]["en"] = "How safe do you feel in your village, corrected?"
    correct_text(survey, definition, by=None)
    db.session.commit()
    assert "How safe do you feel in your village, corrected?" in resident.page(1).text
