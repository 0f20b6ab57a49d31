"""Volunteers enter paper questionnaires through the real routes: double entry that agrees,
double entry that differs and is decided, single entry, the survey scope of every route,
and paper and web responses together in the response monitor.

Every client reads English; the questionnaire (tests.paper.entry_helpers.SMALL) asks WOONT
(1 yes, 2 no; required), CIJFER (a mark) and OPMERKING (text); page 2 (WAAROM) only after 2.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from accounts.models import Role
from core.db import db, utcnow
from fieldwork.links import survey_token
from fieldwork.models import Response
from panel.models import Channel
from paper import access
from paper.models import SheetEntry, SheetStatus
from paper.sheet_ids import display
from tests.conftest import csrf_token_from, start_session
from tests.helpers import count
from tests.paper.entry_helpers import print_sheets, publish

TYPED = {"WOONT": "1", "CIJFER": "8", "OPMERKING": "Mooi-dorp-1"}


class Person:
    """A browser logged in as one account, reading English."""

    def __init__(self, app, account):
        self.account = account
        self.client = app.test_client()
        start_session(self.client, account)
        with self.client.session_transaction() as session:
            session["language"] = "en"

    def get(self, url):
        return self.client.get(url)

    def post(self, url, data=None, page=None):
        token = csrf_token_from(self.client.get(page or url).text)
        return self.client.post(url, data={"csrf_token": token, **(data or {})})

    def open_sheet(self, survey, sheet):
        """Type the sheet id as printed; returns the response (a redirect to the form)."""
        return self.post(f"/entry/{survey.id}", {"sheet_id": display(sheet.id).lower()})

    def enter(self, survey, sheet, typed):
        url = f"/entry/{survey.id}/{sheet.id}"
        return self.post(url, typed)


@pytest.fixture
def world(app, make_account, make_village):
    """A published survey with two village copies, an official and three volunteers with
    access (the third senior), and one volunteer without."""
    survey, village = publish(), make_village("Orvelte")
    sheets = print_sheets(survey, village, copies=2)
    official = make_account(Role.OFFICIAL)
    anna, bert, cora, dirk = (make_account(Role.VOLUNTEER) for _ in range(4))
    for volunteer, senior in ((anna, False), (bert, False), (cora, True)):
        access.grant(survey, volunteer, senior, official, utcnow())
    db.session.commit()
    people = {
        name: Person(app, account)
        for name, account in (
            ("official", official),
            ("anna", anna),
            ("bert", bert),
            ("cora", cora),
            ("dirk", dirk),
        )
    }
    return survey, sheets, people


def fresh(sheet):
    db.session.expire_all()
    return db.session.get(type(sheet), sheet.id)


def test_two_entries_that_agree_make_one_paper_response(world):
    survey, [sheet, _], people = world
    anna, bert = people["anna"], people["bert"]
    opened = anna.open_sheet(survey, sheet)
    assert opened.status_code == 303 and opened.location.endswith(f"/entry/{survey.id}/{sheet.id}")
    form = anna.get(opened.location)
    assert form.status_code == 200 and 'inputmode="numeric"' in form.text
    assert 'name="WOONT"' in form.text and "1 = " in form.text
    saved = anna.enter(survey, sheet, TYPED)
    assert saved.status_code == 303 and saved.location.endswith(f"/entry/{survey.id}")
    assert "A second volunteer enters it too" in anna.get(saved.location).text
    assert fresh(sheet).status is SheetStatus.RETURNED

    # The second volunteer does not see the first entry.
    second = bert.get(f"/entry/{survey.id}/{sheet.id}")
    assert second.status_code == 200 and "Mooi-dorp-1" not in second.text
    assert "second entry" in second.text
    saved = bert.enter(survey, sheet, {**TYPED, "CIJFER": " 08 "})  # the same number
    assert saved.status_code == 303
    assert "counts as a response" in bert.get(saved.location).text

    sheet = fresh(sheet)
    response = db.session.scalars(select(Response)).one()
    assert sheet.status is SheetStatus.ENTERED and sheet.disagreements == 0
    assert response.channel is Channel.PAPER and response.id == sheet.response_id
    assert response.answers == {"WOONT": "1", "CIJFER": 8, "OPMERKING": "Mooi-dorp-1"}
    assert not sheet.single_entry
    # Entered: refused for everyone, with the reason.
    again = anna.open_sheet(survey, sheet)
    assert again.status_code == 422 and "has been entered already" in again.text


def test_the_first_volunteer_cannot_type_the_second_entry(world):
    survey, [sheet, _], people = world
    anna = people["anna"]
    anna.enter(survey, sheet, TYPED)
    page = anna.get(f"/entry/{survey.id}/{sheet.id}")
    assert page.status_code == 409 and "another volunteer enters it a second time" in page.text


def test_a_double_submit_stores_one_entry(world):
    survey, [sheet, _], people = world
    anna = people["anna"]
    url = f"/entry/{survey.id}/{sheet.id}"
    token = csrf_token_from(anna.get(url).text)
    first = anna.client.post(url, data={"csrf_token": token, **TYPED})
    second = anna.client.post(url, data={"csrf_token": token, **TYPED})
    assert first.status_code == second.status_code == 303
    assert count(SheetEntry) == 1


def test_differences_go_to_a_senior_volunteer_who_decides(world):
    survey, [sheet, _], people = world
    anna, bert, cora = people["anna"], people["bert"], people["cora"]
    anna.enter(survey, sheet, TYPED)
    saved = bert.enter(survey, sheet, {**TYPED, "CIJFER": "6", "OPMERKING": "Mooi-dorp-I"})
    assert "differ on 2 field(s)" in bert.get(saved.location).text
    assert fresh(sheet).status is SheetStatus.RETURNED and fresh(sheet).disagreements == 2
    assert count(Response) == 0

    # Neither typist decides; a volunteer who is not senior may not.
    assert anna.get(f"/entry/{survey.id}/differences").status_code == 403
    assert bert.get(f"/entry/{survey.id}/{sheet.id}").status_code == 409

    listed = cora.get(f"/entry/{survey.id}/differences")
    assert display(sheet.id) in listed.text and "2 fields differ" in listed.text
    screen = cora.get(f"/entry/{survey.id}/{sheet.id}")  # to the resolution screen
    assert screen.status_code == 303
    screen = cora.get(screen.location)
    assert screen.status_code == 200
    assert "Mooi-dorp-1" in screen.text and "Mooi-dorp-I" in screen.text  # both values
    assert re.search(r'name="WOONT"[^>]*value="1"', screen.text)  # agreed: filled in
    assert re.search(r'name="CIJFER"[^>]*value=""', screen.text)  # differs: empty
    decided = cora.post(f"/entry/{survey.id}/differences/{sheet.id}", {**TYPED, "CIJFER": "6"})
    assert decided.status_code == 303
    sheet = fresh(sheet)
    assert sheet.status is SheetStatus.ENTERED
    assert [entry.round for entry in sheet.entries] == [1, 2, 3]
    assert db.session.scalars(select(Response)).one().answers["CIJFER"] == 6


def test_an_official_decides_too(world):
    survey, [sheet, _], people = world
    people["anna"].enter(survey, sheet, TYPED)
    people["bert"].enter(survey, sheet, {**TYPED, "WOONT": "?"})
    official = people["official"]
    url = f"/entry/{survey.id}/differences/{sheet.id}"
    assert official.post(url, TYPED).status_code == 303
    assert fresh(sheet).status is SheetStatus.ENTERED


def test_problems_are_shown_and_nothing_typed_is_lost(world):
    survey, [sheet, _], people = world
    anna = people["anna"]
    typed = {"WOONT": "1", "CIJFER": "12", "OPMERKING": "Mooi-dorp-1", "WAAROM": "Werk"}
    page = anna.enter(survey, sheet, typed)
    assert page.status_code == 422
    assert "There is no box 12" in page.text
    assert "The paper skips this question" in page.text
    assert 'aria-invalid="true"' in page.text and 'href="#CIJFER"' in page.text
    for value in typed.values():
        assert f'value="{value}"' in page.text
    assert count(SheetEntry) == 0
    empty = anna.enter(survey, sheet, {})
    assert empty.status_code == 422 and "This question must be answered" in empty.text


def test_single_entry_allowed_by_an_official(world):
    survey, [sheet, _], people = world
    official, anna = people["official"], people["anna"]
    admin = f"/surveys/{survey.id}/paper/entry"
    changed = official.post(f"{admin}/single", {"single_entry": "y"}, page=admin)
    assert changed.status_code == 303 and access.single_entry(survey.id)
    anna.enter(survey, sheet, TYPED)
    sheet = fresh(sheet)
    assert sheet.status is SheetStatus.ENTERED and sheet.single_entry
    report = official.get(admin).text
    assert "entered once (single entry)" in report


#: Every entry route and the survey's pages with answers or results.
SCOPED = [
    "/entry/{survey}",
    "/entry/{survey}/{sheet}",
    "/entry/{survey}/differences",
    "/entry/{survey}/differences/{sheet}",
    "/surveys/{survey}/paper/entry/access",
    "/surveys/{survey}/paper/entry/single",
]
RESULTS = [
    "/surveys/{survey}/paper/entry",
    "/surveys/{survey}/results",
    "/surveys/{survey}/responses",
    "/surveys/{survey}",
]


def test_a_volunteer_without_access_gets_403_everywhere(world):
    survey, [sheet, _], people = world
    for path in SCOPED[:4] + RESULTS:
        url = path.format(survey=survey.id, sheet=sheet.id)
        assert people["dirk"].get(url).status_code == 403, url
    for path in SCOPED:
        url = path.format(survey=survey.id, sheet=sheet.id)
        token = csrf_token_from(people["dirk"].get("/account").text)
        assert people["dirk"].client.post(url, data={"csrf_token": token}).status_code == 403


def test_a_volunteer_with_access_cannot_see_results(world):
    survey, _, people = world
    for path in RESULTS:
        assert people["cora"].get(path.format(survey=survey.id)).status_code == 403, path


def test_a_volunteer_sees_only_their_surveys(world, app):
    survey, _, people = world
    other = publish()
    page = people["anna"].get("/entry").text
    assert f"/entry/{survey.id}" in page and f'/entry/{other.id}"' not in page
    assert people["anna"].get(f"/entry/{other.id}").status_code == 403
    assert "Enter paper questionnaires" in page  # the menu link
    assert people["dirk"].get("/entry").status_code == 200


def test_a_resident_gets_403(world, make_account, app):
    survey, _, _ = world
    resident = Person(app, make_account(Role.RESIDENT, village="Orvelte"))
    assert resident.get("/entry").status_code == 403
    assert resident.get(f"/entry/{survey.id}").status_code == 403


def test_the_official_grants_and_revokes(world, make_account, app):
    survey, _, people = world
    official = people["official"]
    eva = make_account(Role.VOLUNTEER)
    admin = f"/surveys/{survey.id}/paper/entry"
    assert (
        official.post(f"{admin}/access", {"account": eva.id, "senior": "y"}, page=admin).status_code
        == 303
    )
    assert access.may_resolve(eva, survey.id)
    for _twice in range(2):  # a double submit does not switch it back
        official.post(f"{admin}/access/{eva.id}/senior", {"senior": "0"}, page=admin)
    assert access.may_enter(eva, survey.id) and not access.may_resolve(eva, survey.id)
    official.post(f"{admin}/access/{eva.id}/revoke", page=admin)
    again = official.post(f"{admin}/access/{eva.id}/revoke", page=admin)
    assert again.status_code == 303 and not access.may_enter(eva, survey.id)
    resident = make_account(Role.RESIDENT, village="Orvelte")
    refused = official.post(f"{admin}/access", {"account": resident.id}, page=admin)
    assert refused.status_code == 422


def test_the_report_per_volunteer_and_survey(world):
    survey, [one, two], people = world
    anna, bert, cora = people["anna"], people["bert"], people["cora"]
    anna.enter(survey, one, TYPED)
    bert.enter(survey, one, TYPED)
    anna.enter(survey, two, TYPED)
    cora.enter(survey, two, {**TYPED, "CIJFER": "7"})
    from paper.entry_report import survey_entry, volunteer_entry

    report = survey_entry(survey.id)
    assert (report.entered, report.compared, report.differed) == (1, 2, 1)
    assert report.disagreement_rate == 0.5 and report.waiting_decision == 1
    rows = {row.account_id: row for row in volunteer_entry(survey.id)}
    assert rows[anna.account.id].typed == 2 and rows[anna.account.id].disagreement_rate == 0.5
    assert rows[bert.account.id].disagreement_rate == 0.0
    page = people["official"].get(f"/surveys/{survey.id}/paper/entry").text
    assert "50%" in page and "Disagreement rate" in page


def test_paper_and_web_responses_together_in_the_monitor(world, make_member, app):
    from tests.fieldwork.test_answering import Resident, invite

    survey, [sheet, _], people = world
    resident = Resident(app, survey_token(invite(survey, make_member("Orvelte"))))
    resident.start()
    assert resident.post(1, {"WOONT": "1", "CIJFER": "7"}).status_code == 303
    assert resident.send().status_code == 303
    people["anna"].enter(survey, sheet, TYPED)
    people["bert"].enter(survey, sheet, TYPED)
    figures = people["official"].get(f"/surveys/{survey.id}/responses.json").json["figures"]
    assert figures["total.completed"] == 1 and figures["paper.completed"] == 1
    channels = sorted(r.channel.value for r in db.session.scalars(select(Response)))
    assert channels == ["paper", "web"]


def test_web_answering_refuses_a_member_with_a_paper_copy(app, make_member):
    from tests.fieldwork.test_answering import invite

    survey, member = publish(), make_member("Orvelte")
    invitation = invite(survey, member)
    print_sheets(survey, members=[member])
    client = app.test_client()
    with client.session_transaction() as session:
        session["language"] = "en"
    welcome = client.get(client.get(f"/enquete/{survey_token(invitation)}").location)
    assert welcome.status_code == 409 and "You answer this survey on paper" in welcome.text


def test_one_entry_sent_from_several_tabs_at_once_makes_one_response(world, app):
    from tests.test_double_submit import at_once

    survey, [sheet, _], people = world
    access.set_single_entry(survey, True, people["official"].account, utcnow())
    db.session.commit()
    url = f"/entry/{survey.id}/{sheet.id}"
    tabs = [Person(app, people["anna"].account) for _ in range(4)]
    sent = [{"csrf_token": csrf_token_from(tab.get(url).text), **TYPED} for tab in tabs]
    outcomes = at_once(
        [
            lambda tab=tab, data=data: tab.client.post(url, data=data)
            for tab, data in zip(tabs, sent, strict=True)
        ]
    )
    assert set(outcomes) == {(303, f"/entry/{survey.id}")}, outcomes
    db.session.expire_all()
    assert count(SheetEntry) == 1 and count(Response) == 1


def test_an_anonymous_survey_keeps_nothing_that_links_paper_answers_to_the_member(
    app, make_account, make_member
):
    """The whole path, differences included, then the attacks: an official with every
    page, and someone who reads every row of the database."""
    from tests.helpers import every_row_as_text

    survey = publish(anonymous=True)
    member = make_member("Orvelte", channel="paper", name="Geesje Hoving")
    [sheet] = print_sheets(survey, members=[member])
    official = Person(app, make_account(Role.OFFICIAL))
    anna, bert = (Person(app, make_account(Role.VOLUNTEER)) for _ in range(2))
    for volunteer in (anna, bert):
        access.grant(survey, volunteer.account, False, official.account, utcnow())
    db.session.commit()
    secret = {"WOONT": "2", "CIJFER": "9", "OPMERKING": "Geheim-antwoord-77", "WAAROM": "Zorg"}
    anna.enter(survey, sheet, secret)
    bert.enter(survey, sheet, {**secret, "CIJFER": "8"})
    decided = official.post(f"/entry/{survey.id}/differences/{sheet.id}", secret)
    assert decided.status_code == 303

    db.session.expire_all()
    assert count(Response) == 0
    sheet = fresh(sheet)
    assert sheet.status is SheetStatus.ENTERED and sheet.response_id is None
    assert all(entry.wiped and entry.values == {} for entry in sheet.entries)
    # The official: the sheet cannot be opened again, no page shows what was typed.
    for url in (f"/entry/{survey.id}/differences/{sheet.id}", f"/entry/{survey.id}/{sheet.id}"):
        page = official.get(url)
        assert page.status_code == 409 and "Geheim-antwoord-77" not in page.text
    assert "Geheim-antwoord-77" not in official.get(f"/surveys/{survey.id}/paper/entry").text
    # The database: the answers are in one anonymous row, which names no one.
    rows = [row for row in every_row_as_text().splitlines() if "Geheim-antwoord-77" in row]
    assert len(rows) == 1 and rows[0].startswith("anonymous_responses:")
    assert sheet.id not in rows[0] and "Geesje" not in rows[0]


def test_a_sheet_entered_meanwhile_is_refused_with_the_reason(world, app):
    from paper.accepting import accept

    survey, [sheet, _], people = world
    anna = people["anna"]
    url = f"/entry/{survey.id}/{sheet.id}"
    token = csrf_token_from(anna.get(url).text)
    with app.test_request_context("/"):
        accept(sheet, {"WOONT": "1"}, utcnow())  # an import, say
    db.session.commit()
    refused = anna.client.post(url, data={"csrf_token": token, **TYPED})
    assert refused.status_code == 409 and "has been entered already" in refused.text
    assert count(SheetEntry) == 0
