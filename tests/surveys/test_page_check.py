"""The designer's preview and the resident's personal link check a posted page with the same
code, so the preview never accepts a page that the real survey refuses (the ranking page of
the village-vision survey once was), nor the other way round.

Every case posts the same page to both, through their real routes, and both must give the
same verdict: accepted (with the same answers), refused as not from our form, or sent back
to be corrected.
"""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.links import survey_token
from fieldwork.models import Invitation, Response
from surveys.services import create_survey
from tests.conftest import csrf_token_from, start_session


def question(code, kind, required=False, **fields):
    return {
        "code": code,
        "type": kind,
        "text": {"nl": f"Vraag {code}"},
        "required": required,
        **fields,
    }


def options(*codes):
    return [{"code": code, "label": {"nl": f"Keuze {code}"}} for code in codes]


#: Page 1 asks every question type; page 2 is there to be answered from page 1 by a crafted post.
EVERY_TYPE = {
    "schema_version": 1,
    "title": {"nl": "Alle soorten vragen"},
    "pages": [
        {
            "code": "P1",
            "questions": [
                question("UITLEG", "info"),
                question("KEUZE", "single", True, options=options("1", "2")),
                question("STELLING", "likert"),
                question(
                    "GRID",
                    "likert_grid",
                    items=[
                        {"code": "G_1", "text": {"nl": "Eerste"}},
                        {"code": "G_2", "text": {"nl": "Tweede"}},
                    ],
                ),
                question("HULP", "multiple", options=options("a", "b"), other=True),
                question("CIJFER", "mark"),
                question("KIND", "number", minimum=0, maximum=15),
                question("NAAM", "text"),
                question("VERHAAL", "long_text"),
                question("PRIO", "ranking", options=options("x", "y", "z"), rank_count=2),
                question("ALS_TWEE", "text", condition={"question": "KEUZE", "equals": "2"}),
            ],
        },
        {"code": "P2", "questions": [question("LATER", "text")]},
    ],
}
EVERY_ANSWER = {
    "KEUZE": "1",
    "STELLING": "4",
    "G_1": "5",
    "G_2": "9",
    "HULP": ["a", "other"],
    "HULP_other": "Buren",
    "CIJFER": "8",
    "KIND": "3",
    "NAAM": "Anna",
    "VERHAAL": "Eerst dit.\r\n\r\nDan dat.",  # a browser posts line breaks as CRLF
    "PRIO": ["z", "x"],
}
STORED = {**EVERY_ANSWER, "CIJFER": 8, "KIND": 3, "VERHAAL": "Eerst dit.\n\nDan dat."}

ACCEPTED, REFUSED, CORRECT = "accepted", "refused", "to be corrected"
CASES = {
    # pages our own form sends
    "every question answered": (EVERY_ANSWER, ACCEPTED),
    "only the required one": ({"KEUZE": "1"}, ACCEPTED),
    "a ranking in order": ({"KEUZE": "1", "PRIO": ["y", "z"]}, ACCEPTED),
    "a ranking with its second place open": ({"KEUZE": "1", "PRIO": ["y", ""]}, ACCEPTED),
    "an unanswered ranking": ({"KEUZE": "1", "PRIO": ["", ""]}, ACCEPTED),
    "several ticks": ({"KEUZE": "1", "HULP": ["a", "b"]}, ACCEPTED),
    "an answer that reveals a question on the page": ({"KEUZE": "2"}, ACCEPTED),
    # mistakes a resident can make
    "the required question left open": ({"NAAM": "Anna"}, CORRECT),
    "a ranking choice twice": ({"KEUZE": "1", "PRIO": ["y", "y"]}, CORRECT),
    "a ranking with its first place open": ({"KEUZE": "1", "PRIO": ["", "y"]}, CORRECT),
    "other ticked, not described": ({"KEUZE": "1", "HULP": ["other"]}, CORRECT),
    "a number out of range": ({"KEUZE": "1", "KIND": "16"}, CORRECT),
    # requests our form never sends
    "an unknown option": ({"KEUZE": "3"}, CORRECT),
    "a ranking longer than asked": ({"KEUZE": "1", "PRIO": ["x", "y", "z"]}, CORRECT),
    "two answers to a single choice": ({"KEUZE": ["1", "2"]}, REFUSED),
    "two answers to a Likert statement": ({"KEUZE": "1", "STELLING": ["1", "2"]}, REFUSED),
    "two answers to a grid statement": ({"KEUZE": "1", "G_1": ["1", "2"]}, REFUSED),
    "two marks": ({"KEUZE": "1", "CIJFER": ["7", "8"]}, REFUSED),
    "two numbers": ({"KEUZE": "1", "KIND": ["1", "2"]}, REFUSED),
    "two texts": ({"KEUZE": "1", "NAAM": ["Anna", "Bert"]}, REFUSED),
    "two long texts": ({"KEUZE": "1", "VERHAAL": ["Een", "Twee"]}, REFUSED),
    "two other texts": ({"KEUZE": "1", "HULP": ["other"], "HULP_other": ["a", "b"]}, REFUSED),
    "an answer to an info text": ({"KEUZE": "1", "UITLEG": "ja"}, REFUSED),
    "a question of another page": ({"KEUZE": "1", "LATER": "Ja"}, REFUSED),
    "a question that does not exist": ({"KEUZE": "1", "VERZONNEN": "1"}, REFUSED),
    "a question not shown yet": ({"KEUZE": "2", "ALS_TWEE": "Ja"}, REFUSED),
}
REFUSAL = "The form sent answers to questions that are not on this page."


@pytest.fixture
def survey(app, make_member):
    survey = create_survey(EVERY_TYPE, by=None)
    today = local_today()
    survey.publish(today - timedelta(days=1), today + timedelta(days=9), utcnow())
    db.session.add(Invitation(survey=survey, member=make_member(email="inwoner@example.nl")))
    db.session.commit()
    return survey


def english_client(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["language"] = "en"
    return client


def in_preview(app, make_account, survey, data: dict) -> tuple[str, dict | None]:
    """The preview's verdict on page 1, and the answers it carries on when accepted."""
    client = english_client(app)
    start_session(client, make_account("official"))
    url = f"/surveys/{survey.id}/preview"
    form = {"csrf_token": csrf_token_from(client.get(url).text), "_page": "0", "_answers": "{}"}
    posted = client.post(url, data={**form, "_action": "next", **data})
    if posted.status_code == 200:
        carried = re.search(r'name="_answers" value="([^"]*)"', posted.text).group(1)
        return ACCEPTED, json.loads(html.unescape(carried))
    assert posted.status_code == 422, posted.text
    return (REFUSED if REFUSAL in posted.text else CORRECT), None


def through_the_link(app, survey, data: dict) -> tuple[str, dict | None]:
    """The personal link's verdict on page 1, and the answers it stored when accepted."""
    client = english_client(app)
    token = survey_token(db.session.scalars(select(Invitation)).one())
    link = client.get(f"/enquete/{token}").location  # the key is swapped for a cookie
    csrf = csrf_token_from(client.get(link).text)
    client.post(link, data={"csrf_token": csrf})
    response_id = db.session.scalar(select(Response.id))
    form = {"csrf_token": csrf, "_response": response_id, "_action": "next"}
    posted = client.post(f"{link}/pagina/1", data={**form, **data})
    if posted.status_code == 303:
        db.session.expire_all()
        return ACCEPTED, db.session.get(Response, response_id).answers
    assert posted.status_code == 422, posted.text
    return (REFUSED if REFUSAL in posted.text else CORRECT), None


@pytest.mark.parametrize("data, verdict", CASES.values(), ids=CASES.keys())
def test_the_preview_and_the_personal_link_give_the_same_verdict(
    app, make_account, survey, data, verdict
):
    preview = in_preview(app, make_account, survey, data)
    real = through_the_link(app, survey, data)
    assert preview == real
    assert preview[0] == verdict
    if data is EVERY_ANSWER:
        assert real[1] == STORED


def test_both_paths_call_the_one_page_check():
    """Not two copies that happen to agree today: the same function."""
    from fieldwork import answering
    from surveys import page_check, preview_views

    assert answering.check_page is preview_views.check_page is page_check.check_page
