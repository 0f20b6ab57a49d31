"""Print orders: N copies for a village, and a copy with a cover letter for each named paper
member when a survey's invitations or reminders go out.

A named copy is tied to the member's invitation, as a web member's mail is: the member then
answers on paper only. A reminder prints a new copy for the same invitation; the first copy
stays valid, and whichever comes back first is entered (the other is then refused, because the
invitation took part). Services flush, callers commit, except the two run by the fieldwork
jobs, which commit per village like the invitation job commits per batch.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, select

from accounts.models import Account
from audit.services import record
from core.dates import local_today
from core.db import db, utcnow
from fieldwork import invitations
from fieldwork.answering import questionnaire_of
from fieldwork.models import Invitation
from jobs.models import Job, JobStatus
from jobs.registry import Progress
from jobs.services import enqueue
from panel.models import ContactDetails, Member
from paper import printing
from paper.models import BatchKind, PrintBatch, Sheet, SheetStatus
from paper.sheet_ids import compact, display, is_valid, new_sheet_id
from surveys.models import Survey, SurveyStatus
from villages.models import Village

log = logging.getLogger(__name__)

RENDER_JOB = "paper.render_batches"
#: Copies one village batch may have: a print order, not a census.
MAX_COPIES = 2000


class PrintRefused(ValueError):
    """Copies are printed only of a published survey that has not closed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def why_not_printable(survey: Survey, today: date) -> str | None:
    """'draft' or 'closed' when no copies can be printed now, else None."""
    if survey.status is SurveyStatus.DRAFT or survey.live_version is None:
        return "draft"
    if survey.status is not SurveyStatus.PUBLISHED or today > survey.closes_on:
        return "closed"
    return None


# Making batches ---------------------------------------------------------------------------


def _new_ids(count: int) -> list[str]:
    """`count` fresh sheet ids that no sheet has yet."""
    ids: set[str] = set()
    while len(ids) < count:
        candidates = {new_sheet_id() for _ in range(count - len(ids))} - ids
        taken = set(db.session.scalars(select(Sheet.id).where(Sheet.id.in_(candidates))))
        ids |= candidates - taken
    return list(ids)


def _batch(survey: Survey, kind: BatchKind, village_id: int | None, copies: int, by_id=None):
    batch = PrintBatch(
        survey_id=survey.id,
        version_id=survey.live_version.id,
        kind=kind,
        village_id=village_id,
        copies=copies,
        created_by_id=by_id,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def _add_sheets(batch: PrintBatch, invitation_ids: Sequence[int | None]) -> list[Sheet]:
    sheets = [
        Sheet(
            id=sheet_id,
            batch_id=batch.id,
            survey_id=batch.survey_id,
            version_id=batch.version_id,
            position=position,
            village_id=batch.village_id,
            invitation_id=invitation_id,
        )
        for position, (sheet_id, invitation_id) in enumerate(
            zip(_new_ids(len(invitation_ids)), invitation_ids, strict=True), start=1
        )
    ]
    db.session.add_all(sheets)
    db.session.flush()
    return sheets


def start_rendering(made: Sequence[PrintBatch]) -> None:
    """Queue one job that renders the PDFs of these batches."""
    if made:
        job = enqueue(RENDER_JOB, batch_ids=[batch.id for batch in made])
        for batch in made:
            batch.pdf_job_id = job.id


def create_village_batch(
    survey: Survey, village: Village, copies: int, by: Account | None, today: date
) -> PrintBatch:
    """N unnamed copies to hand out in a village (PrintRefused unless printable today)."""
    reason = why_not_printable(survey, today)
    if reason is not None:
        raise PrintRefused(reason)
    if not 1 <= copies <= MAX_COPIES:
        raise PrintRefused("copies")
    batch = _batch(survey, BatchKind.VILLAGE, village.id, copies, by.id if by else None)
    _add_sheets(batch, [None] * copies)
    start_rendering([batch])
    record("paper.batch_created", batch, survey=survey.id, village=village.id, copies=copies)
    log.info("Survey %s: %s paper copies for village %s", survey.id, copies, village.id)
    return batch


def _named_batches(
    survey: Survey, kind: BatchKind, by_village: dict[int, list[int]], by_id: int | None
) -> list[int]:
    """One batch per village with a named copy per invitation, in one transaction, and one
    job rendering their PDFs."""
    made = []
    for village_id, invitation_ids in sorted(by_village.items()):
        batch = _batch(survey, kind, village_id, len(invitation_ids), by_id)
        _add_sheets(batch, invitation_ids)
        record(f"paper.{kind.value}_batch_created", batch, actor_id=by_id, copies=batch.copies)
        made.append(batch)
    start_rendering(made)
    db.session.commit()
    return [batch.id for batch in made]


def invite_paper_members(survey_id: int, today: date, by_id: int | None = None) -> list[int]:
    """Invite the survey's paper members due an invitation: instead of a mail, a named copy
    with a cover letter, in one batch (one PDF) per village. Returns the batch ids.

    Run by the invitation job after the mails; run again it invites nobody twice (the
    members invited are no longer due, and the database refuses a second invitation)."""
    survey = db.session.get_one(Survey, survey_id, with_for_update=True, populate_existing=True)
    if invitations.why_not_sendable(survey, today) is not None:
        return []
    due = db.session.execute(invitations.paper_members_to_invite(survey, today)).all()
    now, by_village = utcnow(), defaultdict(list)
    made = [Invitation(survey_id=survey.id, member_id=m, invited_at=now) for m, _v in due]
    db.session.add_all(made)
    db.session.flush()
    for invitation, (_member_id, village_id) in zip(made, due, strict=True):
        by_village[village_id].append(invitation.id)
    if due:
        record("survey.paper_invitations_sent", survey, actor_id=by_id, invited=len(due))
    return _named_batches(survey, BatchKind.MEMBERS, by_village, by_id)  # commits


def remind_paper_members(survey: Survey, today: date, now: datetime | None = None) -> list[int]:
    """A new named copy for each paper member due a reminder whose copy has not come back.
    The reminder is counted on the invitation as for a mail. Returns the batch ids."""
    due = invitations.paper_reminders_due(survey, today)
    if due is None:
        return []
    came_back = exists().where(
        Sheet.invitation_id == Invitation.id,
        Sheet.status.in_([SheetStatus.RETURNED, SheetStatus.ENTERED]),
    )
    rows = db.session.execute(
        select(Invitation, Member.village_id)
        .join(Member, Member.id == Invitation.member_id)
        .where(due, ~came_back)
        .order_by(Invitation.id)
        .with_for_update(of=Invitation)
    ).all()
    by_village: dict[int, list[int]] = defaultdict(list)
    for invitation, village_id in rows:
        invitation.reminders_sent += 1
        invitation.last_reminded_at = now or utcnow()
        by_village[village_id].append(invitation.id)
    db.session.flush()
    return _named_batches(survey, BatchKind.REMINDER, by_village, None)


# Rendering --------------------------------------------------------------------------------


def form_of(batch: PrintBatch) -> printing.Form:
    survey = batch.survey
    return printing.Form(
        survey_id=survey.id,
        version_number=batch.version.number,
        questionnaire=questionnaire_of(batch.version),
        closes_on=survey.closes_on,
        anonymous=survey.anonymous,
        reminder=batch.kind is BatchKind.REMINDER,
    )


def _addressees(batch: PrintBatch) -> dict[int, printing.Addressee]:
    """Invitation id -> name and address of its member (named batches)."""
    rows = db.session.execute(
        select(Invitation.id, ContactDetails)
        .join(Sheet, Sheet.invitation_id == Invitation.id)
        .join(ContactDetails, ContactDetails.member_id == Invitation.member_id)
        .where(Sheet.batch_id == batch.id)
    ).all()
    return {
        invitation_id: printing.Addressee(c.name, c.address, c.postcode, c.town)
        for invitation_id, c in rows
    }


def copies_of(batch: PrintBatch) -> list[printing.Copy]:
    """The batch's copies in order; a named copy with its member's address (if still known:
    a member deleted on request leaves an unnamed copy)."""
    addressees = _addressees(batch) if batch.kind is not BatchKind.VILLAGE else {}
    blank = printing.Addressee("", "", "", "")
    return [
        printing.Copy(
            sheet.id,
            None if batch.kind is BatchKind.VILLAGE else addressees.get(sheet.invitation_id, blank),
        )
        for sheet in batch.sheets
    ]


def render(batch_ids: Sequence[int], progress: Progress) -> dict[str, Any]:
    """Render the PDFs of these batches and keep each with its batch (the job's work)."""
    found = [db.session.get_one(PrintBatch, batch_id) for batch_id in batch_ids]
    total, survey_id = sum(b.copies for b in found), found[0].survey_id if found else None
    done, pages = 0, 0
    with printing.Printer() as printer:
        for batch_id in batch_ids:
            batch = db.session.get_one(PrintBatch, batch_id)
            form, copies = form_of(batch), copies_of(batch)
            detail = batch.village.name if batch.village else ""
            db.session.rollback()  # hold no transaction open while rendering

            def report(n: int, _total, text: str = "", before: int = done) -> None:
                progress(before + n, total, text)

            rendered = printer.pdf(form, copies, report, local_today(), detail)
            _store(batch_id, rendered)
            done, pages = done + len(copies), pages + rendered.pages
    return {"survey": survey_id, "batches": len(batch_ids), "copies": done, "pages": pages}


def _store(batch_id: int, rendered: printing.RenderedPdf) -> None:
    """Keep a batch's PDF and commit: a job that stops halfway keeps what it rendered."""
    batch = db.session.get_one(PrintBatch, batch_id)
    batch.pdf, batch.pdf_pages, batch.pdf_ready_at = rendered.pdf, rendered.pages, utcnow()
    db.session.commit()


# Downloads --------------------------------------------------------------------------------


def pdf_for_download(batch: PrintBatch) -> bytes | None:
    """The batch's PDF, audit-logged (a member batch's holds names and addresses); None
    while it is being rendered."""
    pdf = batch.pdf
    if pdf is not None:
        record("paper.pdf_downloaded", batch, survey=batch.survey_id, copies=batch.copies)
    return pdf


def delete_pdf(batch: PrintBatch) -> bool:
    """Delete a rendered PDF once printed (it may hold names and addresses); the copies stay
    valid. False when there is none."""
    if batch.pdf_ready_at is None or batch.pdf_deleted_at is not None:
        return False
    batch.pdf, batch.pdf_deleted_at = None, utcnow()
    record("paper.pdf_deleted", batch, survey=batch.survey_id)
    db.session.flush()
    return True


def render_again(batch: PrintBatch) -> bool:
    """Render a batch's PDF anew (its job failed, or it was deleted and is needed again):
    the same sheet ids. False while a PDF is there or being rendered."""
    job = db.session.get(Job, batch.pdf_job_id) if batch.pdf_job_id else None
    if job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        return False
    if batch.pdf_ready_at is not None and batch.pdf_deleted_at is None:
        return False
    batch.pdf_ready_at = batch.pdf_deleted_at = batch.pdf_pages = None
    start_rendering([batch])
    record("paper.pdf_rendered_again", batch, survey=batch.survey_id)
    return True


ADDRESS_COLUMNS = ("sheet", "name", "address", "postcode", "town", "village")


def addresses_csv(batch: PrintBatch) -> str:
    """The address list of a member or reminder batch for a print shop, in the order of the
    PDF; semicolons and a BOM, as Dutch Excel reads it. Audit-logged."""
    addressees = _addressees(batch)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(ADDRESS_COLUMNS)
    village = batch.village.name if batch.village else ""
    for sheet in batch.sheets:
        person = addressees.get(sheet.invitation_id)
        if person is not None:
            row = [person.name, person.address, person.postcode, person.town]
            writer.writerow([display(sheet.id), *(_safe(value) for value in row), village])
    record("paper.addresses_downloaded", batch, survey=batch.survey_id, copies=batch.copies)
    return "\ufeff" + out.getvalue()


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# Returned sheets ----------------------------------------------------------------------------


def register_returned(survey: Survey, typed: Iterable[str], now: datetime) -> dict[str, list[str]]:
    """Mark the typed or scanned sheet ids of this survey as returned. Returns the ids per
    outcome: "returned" (marked now), "already" (returned or entered before), "unknown"
    (malformed, not printed, another survey's, or withdrawn). Idempotent."""
    outcome: dict[str, list[str]] = {"returned": [], "already": [], "unknown": []}
    for text in typed:
        scanned = printing.parse_qr(text.strip())
        sheet_id = compact(scanned["sheet"] if scanned else text)
        if not sheet_id:
            continue
        sheet = db.session.get(Sheet, sheet_id) if is_valid(sheet_id) else None
        if sheet is None or sheet.survey_id != survey.id or sheet.status is SheetStatus.VOID:
            outcome["unknown"].append(text.strip())
        elif sheet.status is SheetStatus.PRINTED:
            sheet.status, sheet.returned_at = SheetStatus.RETURNED, now
            outcome["returned"].append(display(sheet.id))
        else:
            outcome["already"].append(display(sheet.id))
    if outcome["returned"]:
        record("paper.sheets_returned", survey, sheets=len(outcome["returned"]))
    db.session.flush()
    return outcome
