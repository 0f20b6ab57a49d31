"""A checked paper questionnaire becomes a response, once, exactly as a web response would.

A named copy (a paper member's, tied to their invitation) answers through that invitation:
the response has the member's respondent, village, age band and sex, and the invitation
takes part; on an anonymous survey the answers go straight to an `AnonymousResponse`
through the same coarsening as a web response (`fieldwork.answering.store_anonymously`),
the typed values of the sheet's entries are wiped and the sheet never points to a
response: it only keeps that it was entered, to refuse a second entry. An unnamed copy
(handed out in a village) gives a response without a respondent, in the batch's village,
age band and sex unknown.

Every write locks the sheet's row first, so two volunteers (or a volunteer and an import)
finishing the same sheet at once make one response. Callers commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from core.dates import local_today
from core.db import db
from fieldwork.answering import store_anonymously
from fieldwork.models import AnonymousResponse, Invitation, Response, ResponseStatus
from panel.models import Channel, Member
from paper.models import BatchKind, Sheet, SheetStatus
from paper.sheet_ids import compact, display, is_valid
from population.representativeness import age_band_on
from surveys.models import SurveyStatus

log = logging.getLogger(__name__)

REASONS = ("malformed", "unknown", "other_survey", "void", "entered", "answered_online", "closed")


class SheetRefused(ValueError):
    """This sheet cannot be entered (now or ever); `message` says why, for a volunteer."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


#: What the QR code on every printed page starts with: `NP1|<sheet id>|<survey id>|...`.
QR_PREFIX = "NP1"


def typed_sheet_id(typed: str) -> str:
    """The compact sheet id in what was typed, or read by a scanner from the QR code (a
    scanner types the code's whole text)."""
    parts = (typed or "").split("|")
    if len(parts) > 1 and parts[0].strip().upper() == QR_PREFIX:
        return compact(parts[1])
    return compact(typed or "")


def find_sheet(typed: str, survey_id: int) -> Sheet:
    """The sheet a volunteer typed or scanned, if it can still be entered for this survey."""
    sheet_id = _valid_id(typed)
    sheet = db.session.get(Sheet, sheet_id)
    if sheet is None:
        raise _unknown(sheet_id)
    refuse_unless_enterable(sheet, survey_id)
    return sheet


def _valid_id(typed: str) -> str:
    sheet_id = typed_sheet_id(typed)
    if not is_valid(sheet_id):
        raise SheetRefused(
            "malformed",
            _(
                "%(id)s is not a sheet id: check it against the paper (eight characters "
                "and a check character, e.g. K7M3-Q9PX-D).",
                id=typed.strip() if typed and typed.strip() else "…",
            ),
        )
    return sheet_id


def _unknown(sheet_id: str) -> SheetRefused:
    return SheetRefused(
        "unknown", _("Sheet %(id)s was never printed: check the id.", id=display(sheet_id))
    )


def find_sheets(typed: Iterable[str], survey_id: int) -> dict[str, Sheet | SheetRefused]:
    """`find_sheet` for many ids at once (the rows of an import), in a few queries: each
    typed id -> its sheet, or the SheetRefused saying why not."""
    found: dict[str, Sheet | SheetRefused] = {}
    wanted: dict[str, list[str]] = {}
    for text in typed:
        try:
            sheet_id = _valid_id(text)
        except SheetRefused as refused:
            found[text] = refused
        else:
            wanted.setdefault(sheet_id, []).append(text)
    sheets: dict[str, Sheet] = {}
    for chunk in _chunks(list(wanted)):
        query = (
            select(Sheet)
            .where(Sheet.id.in_(chunk))
            .options(selectinload(Sheet.batch), selectinload(Sheet.invitation))
        )
        sheets.update((sheet.id, sheet) for sheet in db.session.scalars(query))
    for sheet_id, texts in wanted.items():
        outcome = _enterable_or_refusal(sheets.get(sheet_id), sheet_id, survey_id)
        found.update((text, outcome) for text in texts)
    return found


def _enterable_or_refusal(sheet: Sheet | None, sheet_id: str, survey_id: int):
    if sheet is None:
        return _unknown(sheet_id)
    try:
        refuse_unless_enterable(sheet, survey_id)
    except SheetRefused as refused:
        return refused
    return sheet


def refuse_unless_enterable(sheet: Sheet, survey_id: int) -> None:
    """SheetRefused when the sheet is another survey's, void, entered, or its member has
    taken part already (online, or with another copy)."""
    shown = display(sheet.id)
    if sheet.survey_id != survey_id:
        raise SheetRefused("other_survey", _("Sheet %(id)s belongs to another survey.", id=shown))
    if sheet.status is SheetStatus.VOID:
        raise SheetRefused(
            "void", _("Sheet %(id)s has been withdrawn and cannot be entered.", id=shown)
        )
    if sheet.status is SheetStatus.ENTERED:
        raise SheetRefused("entered", _("Sheet %(id)s has been entered already.", id=shown))
    if sheet.survey.status in (SurveyStatus.CLOSED, SurveyStatus.ARCHIVED):
        raise SheetRefused(
            "closed",
            _("The survey has been closed: sheet %(id)s can no longer be entered.", id=shown),
        )
    if sheet.batch.kind is not BatchKind.VILLAGE and sheet.invitation_id is None:
        raise SheetRefused(
            "void",
            _("The member of sheet %(id)s has left the panel; it cannot be entered.", id=shown),
        )
    invitation = sheet.invitation
    if invitation is not None and invitation.took_part:
        if _other_copy_entered(sheet):
            raise SheetRefused(
                "entered",
                _(
                    "Another copy for this member was entered already; "
                    "sheet %(id)s does not count.",
                    id=shown,
                ),
            )
        raise SheetRefused(
            "answered_online",
            _("This member has answered online already; sheet %(id)s does not count.", id=shown),
        )


def _other_copy_entered(sheet: Sheet) -> bool:
    return (
        db.session.scalar(
            select(Sheet.id).where(
                Sheet.invitation_id == sheet.invitation_id,
                Sheet.id != sheet.id,
                Sheet.status == SheetStatus.ENTERED,
            )
        )
        is not None
    )


def locked(sheet: Sheet) -> Sheet:
    """The sheet re-read with a row lock (PostgreSQL) until the transaction ends."""
    db.session.flush()
    return db.session.get(Sheet, sheet.id, with_for_update=True, populate_existing=True)


def accept(sheet: Sheet, answers: dict, now: datetime, *, single_entry: bool = False) -> None:
    """Store checked `answers` (`paper.checking.check_sheet`) as the sheet's response and
    mark it entered. SheetRefused when it cannot be (entered meanwhile, void, ...)."""
    sheet = locked(sheet)
    if sheet.invitation_id is not None:
        _lock_invitation(sheet.invitation_id)
    refuse_unless_enterable(sheet, sheet.survey_id)
    _discard_unsent_online([sheet])
    _accept_locked(sheet, answers, now, single_entry)
    db.session.flush()


#: Sheets locked by one statement in `accept_many` (a bound on its IN list).
CHUNK = 500


def accept_many(
    accepted: Sequence[tuple[Sheet, dict]], now: datetime, *, single_entry: bool = False
) -> None:
    """`accept` for many sheets at once (an import, in one transaction): the sheets and
    their invitations are locked a few hundred per statement, and written in one flush.
    SheetRefused on the first sheet that cannot be entered: the caller rolls back."""
    db.session.flush()
    ids = [sheet.id for sheet, _ in accepted]
    sheets: dict[str, Sheet] = {}
    for chunk in _chunks(ids):
        query = (
            select(Sheet)
            .where(Sheet.id.in_(chunk))
            .options(selectinload(Sheet.entries))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        sheets.update((sheet.id, sheet) for sheet in db.session.scalars(query))
    invitation_ids = [s.invitation_id for s in sheets.values() if s.invitation_id is not None]
    for chunk in _chunks(invitation_ids):
        db.session.scalars(
            select(Invitation)
            .where(Invitation.id.in_(chunk))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    for sheet in sheets.values():
        refuse_unless_enterable(sheet, sheet.survey_id)
    _discard_unsent_online(list(sheets.values()))
    for sheet, answers in accepted:
        _accept_locked(sheets[sheet.id], answers, now, single_entry)
    db.session.flush()


def _chunks(items: list) -> list[list]:
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]


def _accept_locked(sheet: Sheet, answers: dict, now: datetime, single_entry: bool) -> None:
    refuse_unless_enterable(sheet, sheet.survey_id)
    if sheet.invitation is not None:
        _accept_named(sheet, answers, now)
    else:
        _accept_unnamed(sheet, answers, now)
    sheet.status = SheetStatus.ENTERED
    sheet.entered_at = now
    sheet.returned_at = sheet.returned_at or now
    sheet.single_entry = single_entry
    log.info("Sheet %s entered", sheet.id)


def _lock_invitation(invitation_id: int) -> Invitation:
    """The web's writes lock the invitation too: answering online and entering the paper
    copy at once are handled one after the other."""
    return db.session.get(Invitation, invitation_id, with_for_update=True, populate_existing=True)


def _accept_named(sheet: Sheet, answers: dict[str, Any], now: datetime) -> None:
    invitation = sheet.invitation
    if sheet.survey.anonymous:
        store_anonymously(invitation, sheet.version_id, Channel.PAPER, answers)
        wipe_entries(sheet)
    else:
        member = invitation.member
        band = age_band_on(member.birth_year, member.age_band, local_today())
        response = _response(sheet, answers, now, member.respondent_id, member.village_id)
        response.age_band = band.value if band else None
        response.sex = member.sex.value
        invitation.response = response
        invitation.completed_at = now
        sheet.response = response
    invitation.took_part = True


def _discard_unsent_online(sheets: list[Sheet]) -> None:
    """A web response started before the member became paper-only and never sent: the
    paper copy is what they sent, so the unfinished one goes (one response per member)."""
    invitations = [sheet.invitation for sheet in sheets if sheet.invitation is not None]
    waiting = [i for i in invitations if not i.took_part]
    if not waiting:
        return
    for invitation in waiting:
        invitation.response_id = None
    db.session.flush()
    respondents = select(Member.respondent_id).where(
        Member.id.in_([invitation.member_id for invitation in waiting])
    )
    for survey_id in {invitation.survey_id for invitation in waiting}:
        db.session.execute(
            delete(Response)
            .where(
                Response.survey_id == survey_id,
                Response.respondent_id.in_(respondents),
                Response.status == ResponseStatus.STARTED,
            )
            .execution_options(synchronize_session=False)
        )


def _accept_unnamed(sheet: Sheet, answers: dict[str, Any], now: datetime) -> None:
    if sheet.survey.anonymous:
        db.session.add(
            AnonymousResponse(
                survey_id=sheet.survey_id,
                version_id=sheet.version_id,
                channel=Channel.PAPER,
                answers=answers,
                village_id=sheet.village_id,
            )
        )
        wipe_entries(sheet)
    else:
        sheet.response = _response(sheet, answers, now, None, sheet.village_id)


def _response(
    sheet: Sheet, answers: dict, now: datetime, respondent_id: int | None, village_id: int | None
) -> Response:
    response = Response(
        survey_id=sheet.survey_id,
        version_id=sheet.version_id,
        respondent_id=respondent_id,
        channel=Channel.PAPER,
        village_id=village_id,
        answers=answers,
        started_at=now,
        updated_at=now,
        current_page=len(sheet.version.definition.get("pages", [])),
    )
    response.complete(now)
    db.session.add(response)
    return response


def wipe_entries(sheet: Sheet) -> None:
    """What was typed is the answers: on an anonymous survey it goes with the link."""
    for entry in sheet.entries:
        entry.values = {}
        entry.wiped = True
