"""A checked sheet becomes a response once, as a web response would: named copies through
the member's invitation, unnamed ones in their village, anonymous ones out of reach of the
member (attacked as an official and as someone with the database would)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db, utcnow
from fieldwork.models import AnonymousResponse, Invitation, Response, ResponseStatus
from panel.models import Channel
from paper.accepting import SheetRefused, accept, accept_many, find_sheet
from paper.models import BatchKind, SheetEntry, SheetStatus
from paper.sheet_ids import display
from tests.helpers import count, every_row_as_text
from tests.paper.entry_helpers import print_sheets, publish

ANSWERS = {"WOONT": "1", "CIJFER": 8, "OPMERKING": "Zeldzame-opmerking-Qx7"}


@pytest.fixture(autouse=True)
def in_a_request(app):
    """Refusals are translated for the volunteer who gets them."""
    with app.test_request_context("/"):
        yield


def refusal(typed, survey_id) -> str:
    with pytest.raises(SheetRefused) as refused:
        find_sheet(typed, survey_id)
    assert refused.value.message
    return refused.value.reason


def test_an_unnamed_village_copy(app, make_village):
    survey, village = publish(), make_village("Orvelte")
    [sheet] = print_sheets(survey, village)
    assert find_sheet(display(sheet.id).lower(), survey.id) is sheet
    assert find_sheet(f"NP1|{sheet.id}|{survey.id}|1|2/4", survey.id) is sheet  # QR scanned
    accept(sheet, ANSWERS, utcnow())
    db.session.commit()
    response = db.session.scalars(select(Response)).one()
    assert response.channel is Channel.PAPER and response.completed
    assert response.respondent_id is None and response.village_id == village.id
    assert response.age_band is None and response.sex is None
    assert response.answers == ANSWERS and response.version_id == survey.live_version.id
    assert sheet.status is SheetStatus.ENTERED and sheet.response_id == response.id
    assert refusal(sheet.id, survey.id) == "entered"
    with pytest.raises(SheetRefused):
        accept(sheet, ANSWERS, utcnow())
    db.session.rollback()
    assert count(Response) == 1


def test_a_named_copy_answers_through_the_invitation(app, make_member):
    survey, member = publish(), make_member(channel="paper", name="Jan Jansen")
    [sheet] = print_sheets(survey, members=[member])
    accept(sheet, ANSWERS, utcnow(), single_entry=True)
    db.session.commit()
    response = db.session.scalars(select(Response)).one()
    invitation = db.session.scalars(select(Invitation)).one()
    assert response.respondent_id == member.respondent_id
    assert response.village_id == member.village_id and response.sex == member.sex.value
    assert invitation.took_part and invitation.response_id == response.id
    assert sheet.single_entry and sheet.response_id == response.id


def test_a_reminder_copy_does_not_count_twice(app, make_member):
    survey, member = publish(), make_member(channel="paper")
    [first] = print_sheets(survey, members=[member])
    [reminder] = print_sheets(survey, members=[member], kind=BatchKind.REMINDER)
    assert find_sheet(reminder.id, survey.id) is reminder
    accept(first, ANSWERS, utcnow())
    db.session.commit()
    assert refusal(reminder.id, survey.id) == "entered"
    with pytest.raises(SheetRefused):
        accept(reminder, ANSWERS, utcnow())


def test_a_member_who_answered_online(app, make_member):
    survey, member = publish(), make_member(channel="paper")
    [sheet] = print_sheets(survey, members=[member])
    sheet.invitation.took_part = True
    db.session.commit()
    assert refusal(sheet.id, survey.id) == "answered_online"


def test_refused_sheet_ids(app, make_village):
    survey, other, village = publish(), publish(), make_village()
    [sheet, void] = print_sheets(survey, village, copies=2)
    void.status = SheetStatus.VOID
    db.session.commit()
    assert refusal("K7M3-Q9PX", survey.id) == "malformed"
    assert refusal(sheet.id[:-1] + ("A" if sheet.id[-1] != "A" else "B"), survey.id) == "malformed"
    assert refusal("", survey.id) == "malformed"
    assert refusal("2222-2222-2", survey.id) in ("unknown", "malformed")
    assert refusal(sheet.id, other.id) == "other_survey"
    assert refusal(void.id, survey.id) == "void"


def test_an_unknown_but_well_formed_id(app):
    from paper.sheet_ids import new_sheet_id

    survey = publish()
    assert refusal(new_sheet_id(), survey.id) == "unknown"


def test_an_anonymous_named_copy_leaves_nothing_that_links_to_the_member(app, make_member):
    survey = publish(anonymous=True)
    member = make_member(channel="paper", name="Jan Jansen")
    [sheet] = print_sheets(survey, members=[member])
    typed = {"WOONT": "1", "CIJFER": "8", "OPMERKING": ANSWERS["OPMERKING"]}
    for round_ in (1, 2):
        db.session.add(SheetEntry(sheet=sheet, round=round_, values=typed, fields=3))
    db.session.commit()
    accept(sheet, ANSWERS, utcnow())
    db.session.commit()
    db.session.expire_all()

    # As an official (or anyone with the app's relations): no response, no link.
    assert count(Response) == 0
    stored = db.session.scalars(select(AnonymousResponse)).one()
    assert stored.answers == ANSWERS and stored.channel is Channel.PAPER
    sheet = db.session.get(type(sheet), sheet.id)
    assert sheet.status is SheetStatus.ENTERED and sheet.response_id is None
    assert all(entry.wiped and entry.values == {} for entry in sheet.entries)
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.took_part and invitation.response_id is None
    assert invitation.completed_at is None

    # As someone with the database: the answers are in one row only, and that row holds
    # nothing of the member, the invitation or the sheet.
    rows = every_row_as_text().splitlines()
    with_answer = [row for row in rows if ANSWERS["OPMERKING"] in row]
    assert len(with_answer) == 1 and with_answer[0].startswith("anonymous_responses:")
    assert sheet.id not in with_answer[0] and "Jan Jansen" not in with_answer[0]
    assert set(AnonymousResponse.__table__.columns.keys()) == {
        "id", "survey_id", "version_id", "channel", "answers", "village_id", "age_band", "sex",
    }  # fmt: skip
    # What the entries kept (who typed, how many fields) says nothing about the answers.
    assert {entry.fields for entry in sheet.entries} == {3}
    # Fewer than k participants: the village is coarsened away, as on the web.
    assert stored.village_id is None and stored.age_band is None and stored.sex is None


def test_an_anonymous_village_copy_keeps_its_village_only(app, make_village):
    survey, village = publish(anonymous=True), make_village("Orvelte")
    [sheet] = print_sheets(survey, village)
    accept(sheet, ANSWERS, utcnow())
    db.session.commit()
    stored = db.session.scalars(select(AnonymousResponse)).one()
    assert stored.village_id == village.id and stored.age_band is None
    assert count(Response) == 0 and sheet.response_id is None


def test_an_unsent_web_response_gives_way_to_the_paper_copy(app, make_member):
    survey, member = publish(), make_member(channel="paper")
    [sheet] = print_sheets(survey, members=[member])
    started = Response(
        survey_id=survey.id,
        version_id=survey.live_version.id,
        respondent_id=member.respondent_id,
        channel=Channel.WEB,
        answers={"WOONT": "2"},
    )
    db.session.add(started)
    sheet.invitation.response = started
    db.session.commit()
    accept(sheet, ANSWERS, utcnow())
    db.session.commit()
    [response] = db.session.scalars(select(Response)).all()
    assert response.channel is Channel.PAPER and response.status is ResponseStatus.COMPLETED


def test_many_sheets_at_once(app, make_village, make_member):
    survey, village = publish(), make_village("Orvelte")
    unnamed = print_sheets(survey, village, copies=3)
    [named] = print_sheets(survey, members=[make_member(channel="paper")])
    accept_many([(sheet, ANSWERS) for sheet in [*unnamed, named]], utcnow())
    db.session.commit()
    responses = db.session.scalars(select(Response)).all()
    assert len(responses) == 4 and {r.channel for r in responses} == {Channel.PAPER}
    assert db.session.scalars(select(Invitation)).one().took_part
    assert all(sheet.status is SheetStatus.ENTERED for sheet in [*unnamed, named])
    [late] = print_sheets(survey, village)
    with pytest.raises(SheetRefused):
        accept_many([(late, ANSWERS), (unnamed[0], ANSWERS)], utcnow())
    db.session.rollback()
    assert count(Response) == 4


def test_many_sheet_ids_at_once(app, make_village):
    from paper.accepting import find_sheets
    from paper.sheet_ids import new_sheet_id

    survey, village = publish(), make_village("Orvelte")
    [fresh_sheet, entered] = print_sheets(survey, village, copies=2)
    accept(entered, ANSWERS, utcnow())
    db.session.commit()
    never = new_sheet_id()
    typed = [display(fresh_sheet.id), entered.id, never, "nonsense"]
    found = find_sheets(typed, survey.id)
    assert found[display(fresh_sheet.id)] is fresh_sheet
    assert [found[text].reason for text in typed[1:]] == ["entered", "unknown", "malformed"]
