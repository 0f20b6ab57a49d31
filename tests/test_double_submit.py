"""Several POSTs of one creating form at the same moment (a double click, a retry, a resent
request) make one thing, on SQLite and PostgreSQL; one response sent from several tabs at
once mails one confirmation. Each request runs in its own thread with its own client, as
separate connections to a server do."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.db import db, utcnow
from core.once import FormSubmission
from fieldwork.models import Response
from mail.models import OutboxMail
from panel.models import Member
from recruitment.models import RecruitmentBatch
from surveys.models import Survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from, form_key_from, start_session
from tests.fieldwork.test_answering import (  # noqa: F401 - the fixtures are used below
    Resident,
    invitation,
    member,
    survey,
    survey_token,
)
from villages.queries import village_by_name

TABS = 6


def rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def at_once(requests) -> list[tuple[int, str | None]]:
    """Run each request in its own thread, all released at the same moment."""
    start, outcomes = threading.Barrier(len(requests)), []

    def run(request):
        start.wait()
        sent = request()
        outcomes.append((sent.status_code, sent.location))

    threads = [threading.Thread(target=run, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@dataclass
class Creating:
    """A creating form: where it is shown, where it is sent, what it holds and makes."""

    role: str
    page: str
    action: str
    data: dict
    made: type
    village: str | None = None


def new_survey() -> Creating:
    data = {"title": "Samen verder", "start": "blank"}
    return Creating("official", "/surveys/new", "/surveys/new", data, Survey)


def imported_survey() -> Creating:
    data = {"pasted": json.dumps(load_template("leefbaarheid"))}
    return Creating("official", "/surveys/import", "/surveys/import", data, Survey)


def copied_survey() -> Creating:
    from surveys.services import create_survey

    original = create_survey(load_template("leefbaarheid"), None)
    db.session.commit()
    page = f"/surveys/{original.id}"
    return Creating("official", page, f"{page}/duplicate", {}, Survey)


def recruitment_batch() -> Creating:
    data = {
        "village": village_by_name("Orvelte").id,
        "size": 3,
        "expires_on": (date.today() + timedelta(days=60)).isoformat(),
        "note": "steekproef A",
    }
    return Creating("official", "/recruitment/new", "/recruitment/new", data, RecruitmentBatch)


def paper_member() -> Creating:
    data = {
        "name": "Geesje Hoving",
        "address": "Brink 3",
        "postcode": "9441 PC",
        "town": "Orvelte",
        "village": str(village_by_name("Orvelte").id),
        "age_band": "75+",
        "sex": "female",
        "household": "single",
        "agree": "y",
    }
    page = "/panel/members/paper"
    return Creating("volunteer", page, page, data, Member)


def proposal() -> Creating:
    data = {"village": str(village_by_name("Orvelte").id), "title": "Dorpsvisie Orvelte"}
    page = "/surveys/proposals/new"
    return Creating("association", page, page, data, Survey, village="Orvelte")


def paper_copies() -> Creating:
    from paper.models import PrintBatch
    from surveys.services import create_survey

    published = create_survey(load_template("leefbaarheid"), None)
    published.publish(date.today(), date.today() + timedelta(days=30), utcnow())
    db.session.commit()
    data = {"village": village_by_name("Orvelte").id, "copies": 1}
    page = f"/surveys/{published.id}/paper"
    return Creating("official", page, f"{page}/batches", data, PrintBatch)


FORMS = [
    new_survey,
    imported_survey,
    copied_survey,
    recruitment_batch,
    paper_member,
    proposal,
    paper_copies,
]


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.__name__)
def test_one_form_sent_several_times_at_once_makes_one(
    app, seeded, make_account, privacy_statement, form
):
    privacy_statement()
    creating = form()
    account = make_account(creating.role, village=creating.village)
    before = rows(creating.made)
    browsers = [app.test_client() for _ in range(TABS)]
    key = {}
    sent = []
    for browser in browsers:
        start_session(browser, account)
        html = browser.get(creating.page).text
        key = key or form_key_from(html)  # the form as the first tab showed it
        sent.append({**creating.data, **key, "csrf_token": csrf_token_from(html)})
    assert key, "the form carries no key"

    outcomes = at_once(
        [
            lambda browser=browser, data=data: browser.post(creating.action, data=data)
            for browser, data in zip(browsers, sent, strict=True)
        ]
    )

    assert rows(creating.made) == before + 1
    assert len(set(outcomes)) == 1, outcomes  # every tab goes to the one thing made
    [(status, location)] = set(outcomes)
    assert status in (302, 303) and location
    assert rows(FormSubmission) == 1


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.__name__)
def test_the_form_opened_again_makes_a_second_one(
    app, client, seeded, make_account, privacy_statement, form
):
    """A deliberate second time, even with the very same details, is not a double submit."""
    privacy_statement()
    creating = form()
    start_session(client, make_account(creating.role, village=creating.village))
    before = rows(creating.made)
    for _ in range(2):
        html = client.get(creating.page).text
        data = {**creating.data, **form_key_from(html), "csrf_token": csrf_token_from(html)}
        if creating.made is Member:
            data["name"] = f"Geesje Hoving {_}"  # a housemate; the same person is refused
        assert client.post(creating.action, data=data).status_code in (302, 303)
    assert rows(creating.made) == before + 2


def test_a_form_without_its_key_makes_nothing(app, client, seeded, make_account):
    start_session(client, make_account("official"))
    token = csrf_token_from(client.get("/surveys/new").text)
    data = {"csrf_token": token, "title": "Zonder sleutel", "start": "blank"}
    refused = client.post("/surveys/new", data=data)
    assert refused.status_code == 422 and form_key_from(refused.text)  # shown again, fresh key
    assert rows(Survey) == 0


def test_one_response_sent_from_several_tabs_at_once_mails_one_confirmation(app, invitation):  # noqa: F811
    """On SQLite too: a POST takes the write lock when its transaction begins."""
    first = Resident(app, survey_token(invitation))
    first.answer_all()
    tabs = [Resident(app, survey_token(invitation)) for _ in range(TABS)]
    response_id = db.session.scalar(select(Response.id))
    sent = [{"csrf_token": tab.csrf(), "_response": response_id, "confirm": "y"} for tab in tabs]
    outcomes = at_once(
        [
            lambda tab=tab, data=data: tab.client.post(tab.url("/versturen"), data=data)
            for tab, data in zip(tabs, sent, strict=True)
        ]
    )
    assert {status for status, _ in outcomes} == {303}
    db.session.expire_all()
    mails = db.session.scalars(select(OutboxMail.kind)).all()
    assert mails == ["response_received"]
