"""Print batches for paper members: the invitation job prints a named copy with a cover letter
instead of a mail, reminders print a new copy for those whose copy has not come back,
returned copies are registered, and the monitor counts copies per village."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.dates import local_today
from core.db import db, utcnow
from fieldwork.invitations import send_due_reminders, start_sending
from fieldwork.models import Invitation
from jobs.runner import run_job
from mail.models import OutboxMail
from paper import batches
from paper.models import BatchKind, PrintBatch, Sheet, SheetStatus
from paper.sheet_ids import display
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from
from tests.helpers import count
from tests.paper.test_printing import qr_per_page

MM = 72 / 25.4  # PDF points per millimetre
A4_HEIGHT = 297 * MM


@pytest.fixture
def app(make_app):
    """Jobs wait for `run_job`: no PDF is rendered that a test does not look at."""
    app = make_app(JOBS_WEB_WORKER=False)
    with app.app_context():
        yield app


@pytest.fixture
def today(app):
    return local_today()


@pytest.fixture
def survey(seeded, today):
    survey = create_survey(load_template("leefbaarheid"), by=None, villages=[])
    survey.first_reminder_days = 7
    survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
    db.session.commit()
    return survey


@pytest.fixture
def paper_member(make_member):
    def make(village, name, address, postcode):
        member = make_member(village, None, channel="paper", name=name)
        member.contact.address, member.contact.postcode, member.contact.town = (
            address,
            postcode,
            village,
        )
        db.session.commit()
        return member

    return make


@pytest.fixture
def official(client, login_as):
    account = login_as("official")
    with client.session_transaction() as session:
        session["language"] = "en"
    return account


def named_batches(kind=BatchKind.MEMBERS) -> list[PrintBatch]:
    statement = select(PrintBatch).where(PrintBatch.kind == kind).order_by(PrintBatch.id)
    return list(db.session.scalars(statement))


def invite_all(survey_id, today) -> str:
    """Run the invitation job (it ends with a fresh session: objects are to be read anew)."""
    from surveys.models import Survey

    job = start_sending(db.session.get(Survey, survey_id), None, today)
    db.session.commit()
    job_id = job.id
    run_job(job_id)
    return job_id


def test_the_invitation_job_prints_a_letter_and_copy_for_each_paper_member(
    client, official, survey, today, make_member, paper_member
):
    make_member("Orvelte")
    anna = paper_member("Orvelte", "Anna de Vries", "Brink 1", "9441 AA").id
    bert = paper_member("Beilen", "Bert Jansen", "Markt 2", "9411 BB").id
    survey, official = survey.id, official.id
    job = invite_all(survey, today)
    assert "2 print batches are being prepared" in client.get(f"/jobs/{job}").text
    assert count(Invitation) == 3 and count(OutboxMail) == 1  # a mail for the web member only
    found = named_batches()
    assert [(b.village.name, b.copies) for b in found] == [("Beilen", 1), ("Orvelte", 1)]
    invited = {i.member_id: i for i in db.session.scalars(select(Invitation))}
    sheet_of = {s.invitation_id: s for s in db.session.scalars(select(Sheet))}
    assert sheet_of[invited[anna].id].batch_id == found[1].id
    assert sheet_of[invited[bert].id].batch_id == found[0].id

    orvelte, job_id = found[1].id, found[1].pdf_job_id
    sheet = sheet_of[invited[anna].id].id
    invite_all(survey, today)  # sending again: nobody invited or printed twice
    assert count(Invitation) == 3 and len(named_batches()) == 2

    run_job(job_id)  # render one of the two PDFs
    pdf = client.get(f"/surveys/{survey}/paper/batches/{orvelte}.pdf").data
    document = pdfium.PdfDocument(pdf)
    letter = document[0].get_textpage()
    # The address shows through the window: 20 mm from the left, 50-85 mm from the top.
    window = letter.get_text_bounded(
        left=18 * MM, bottom=A4_HEIGHT - 88 * MM, right=106 * MM, top=A4_HEIGHT - 48 * MM
    )
    assert "Anna de Vries" in window and "Brink 1" in window and "9441 AA" in window
    assert display(sheet) in letter.get_text_range()
    codes = qr_per_page(pdf)
    assert codes[:2] == [None, None]  # the letter and its blank back
    assert {code["sheet"] for code in codes[2:]} == {sheet}

    response = client.get(f"/surveys/{survey}/paper/batches/{orvelte}/addresses.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["sheet", "name", "address", "postcode", "town", "village"],
        [display(sheet), "Anna de Vries", "Brink 1", "9441 AA", "Orvelte", "Orvelte"],
    ]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == official)
    ).all()
    assert actions[-2:] == ["paper.pdf_downloaded", "paper.addresses_downloaded"]


def at(day, hour=10) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo("Europe/Amsterdam"))


def test_reminders_print_a_new_copy_only_for_paper_members_whose_copy_is_not_back(
    survey, today, paper_member
):
    anna = paper_member("Orvelte", "Anna de Vries", "Brink 1", "9441 AA")
    bert = paper_member("Orvelte", "Bert Jansen", "Brink 2", "9441 AA")
    batches.invite_paper_members(survey.id, today)
    sheets = {s.invitation.member_id: s for s in db.session.scalars(select(Sheet))}
    batches.register_returned(survey, [display(sheets[bert.id].id)], utcnow())
    db.session.commit()

    later = today + timedelta(days=8)
    send_due_reminders(later, now=at(later))
    send_due_reminders(later, now=at(later))  # twice the same day: nothing new
    [reminder] = named_batches(BatchKind.REMINDER)
    [copy] = reminder.sheets
    assert copy.invitation.member_id == anna.id and copy.id != sheets[anna.id].id
    assert copy.invitation.reminders_sent == 1
    assert sheets[anna.id].status is SheetStatus.PRINTED  # the first copy stays valid
    assert sheets[bert.id].invitation.reminders_sent == 0


def test_returned_copies_are_registered_by_number_or_scan_and_unknown_ones_refused(
    client, official, survey, today, paper_member
):
    paper_member("Orvelte", "Anna de Vries", "Brink 1", "9441 AA")
    batches.invite_paper_members(survey.id, today)
    sheet = db.session.scalars(select(Sheet)).one()
    url = f"/surveys/{survey.id}/paper/returned"
    token = csrf_token_from(client.get(url).text)
    scanned = f"NP1|{sheet.id}|{survey.id}|1|3/6"
    response = client.post(url, data={"csrf_token": token, "sheets": f"{scanned}\nAAAA-BBBB-C"})
    assert response.status_code == 400 and "AAAA-BBBB-C" in response.text
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.RETURNED and sheet.returned_at is not None
    again = client.post(url, data={"csrf_token": token, "sheets": display(sheet.id).lower()})
    assert again.status_code == 200 and "Already registered" in again.text
    empty = client.post(url, data={"csrf_token": token, "sheets": ""})
    assert empty.status_code == 400 and "Type or scan at least one" in empty.text

    monitor = client.get(f"/surveys/{survey.id}/responses").text
    row = monitor.split('data-paper-village="orvelte"')[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:3]] == ["1", "1", "0"]
    overview = client.get(f"/surveys/{survey.id}/paper").text
    assert "Invitations of paper members" in overview


def test_an_anonymous_survey_too_small_to_hide_in_prints_nothing(survey, today, paper_member):
    survey.anonymous = True
    db.session.commit()
    paper_member("Orvelte", "Anna de Vries", "Brink 1", "9441 AA")
    assert batches.invite_paper_members(survey.id, today) == []
    assert count(Invitation) == count(Sheet) == 0


def test_the_first_copy_entered_counts_and_the_reminder_copy_is_then_refused(
    client, official, survey, today, paper_member
):
    """Print (invitation and reminder), enter one copy (paper.accepting), and the monitor
    and the reminder run see it."""
    from paper.accepting import SheetRefused, accept, find_sheet

    paper_member("Orvelte", "Anna de Vries", "Brink 1", "9441 AA")
    batches.invite_paper_members(survey.id, today)
    later = today + timedelta(days=8)
    send_due_reminders(later, now=at(later))
    first, second = db.session.scalars(select(Sheet).order_by(Sheet.batch_id)).all()
    assert first.invitation_id == second.invitation_id

    accept(find_sheet(display(second.id), survey.id), {"LEEF_CIJFER": 8, "VEILIG": "4"}, utcnow())
    db.session.commit()
    with pytest.raises(SheetRefused) as refused:
        find_sheet(f"NP1|{first.id}|{survey.id}|1|1/6", survey.id)
        accept(db.session.get(Sheet, first.id), {"LEEF_CIJFER": 5, "VEILIG": "2"}, utcnow())
    assert refused.value.reason == "entered"

    monitor = client.get(f"/surveys/{survey.id}/responses").text
    row = monitor.split('data-paper-village="orvelte"')[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:3]] == ["2", "1", "1"]
    second_reminder = today + timedelta(days=30)
    assert remind_again(survey, second_reminder) == []


def remind_again(survey, day):
    survey.second_reminder_days = 20
    db.session.commit()
    return batches.remind_paper_members(survey, day, at(day))


def test_an_anonymous_survey_prints_nothing_for_a_village_too_small_to_hide_in(
    app, survey, today, make_member, paper_member
):
    """Paper members count as invitees: three of them alone in a village are too few."""
    threshold = app.config["DISCLOSURE_THRESHOLD"]
    survey.anonymous = True
    db.session.commit()
    for _ in range(threshold):
        make_member("Beilen")
    for n in range(3):
        paper_member("Orvelte", f"Bewoner {n}", f"Brink {n}", "9441 AA")
    paper_member("Beilen", "Anna de Vries", "Markt 1", "9411 AA")
    batches.invite_paper_members(survey.id, today)
    [batch] = named_batches()
    assert batch.village.name == "Beilen" and batch.copies == 1
