"""Double entry of one sheet: two volunteers type it independently, a third person decides
where they differ, and the sheet is accepted (`paper.accepting`).

    round 1   the first volunteer; a PRINTED sheet becomes RETURNED. With single entry
              allowed for the survey, the sheet is accepted now (and marked so).
    round 2   another volunteer, who does not see round 1. Equal entries: accepted.
              Different: the sheet waits for the resolution screen.
    round 3   an official or senior volunteer who typed neither round decides from the
              paper: accepted.

Every entry is checked first (`paper.checking`): only a complete, valid entry is stored,
so two entries are compared field by field on what they mean (the printed numbers "1,4"
and "1 4" are the same answer). One person, one entry per sheet: posting it again (a
double click, a retry) finds the entry made and changes nothing. Callers commit.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from accounts.models import Account
from core.db import db
from fieldwork.answering import questionnaire_of
from paper import access
from paper.accepting import accept, locked, refuse_unless_enterable
from paper.checking import SEPARATORS, CheckedSheet, EntryField, check_sheet, entry_fields
from paper.models import EntryRound, Sheet, SheetEntry, SheetStatus
from paper.sheet_ids import compact, display, is_valid
from surveys.definition import Questionnaire

log = logging.getLogger(__name__)


class Step(enum.Enum):
    """What an account does next with a sheet."""

    FIRST = "first"  #: type round 1
    SECOND = "second"  #: type round 2
    RESOLVE = "resolve"  #: decide between rounds 1 and 2 (round 3)


class NotYours(ValueError):
    """This account cannot type this sheet now; `message` says why, for a volunteer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Saved:
    """What storing an entry did."""

    round: int
    accepted: bool
    #: Fields on which rounds 1 and 2 differ (after round 2), else None.
    disagreements: int | None = None
    #: The same entry was posted before: nothing changed now.
    again: bool = False


def questionnaire(sheet: Sheet) -> Questionnaire:
    """The sheet's questionnaire, read once per request (the version is frozen)."""
    if not has_app_context():
        return questionnaire_of(sheet.version)
    read = g.setdefault("paper_questionnaires", {})
    if sheet.version_id not in read:
        read[sheet.version_id] = questionnaire_of(sheet.version)
    return read[sheet.version_id]


def next_step(sheet: Sheet, account: Account) -> Step:
    """The step this account takes with the sheet, or NotYours / SheetRefused."""
    refuse_unless_enterable(sheet, sheet.survey_id)
    rounds = {entry.round: entry for entry in sheet.entries}
    typed_by_me = any(entry.entered_by_id == account.id for entry in rounds.values())
    shown = display(sheet.id)
    if EntryRound.FIRST not in rounds:
        return Step.FIRST
    if EntryRound.SECOND not in rounds:
        if typed_by_me:
            raise NotYours(
                _(
                    "You entered sheet %(id)s already: another volunteer enters it a second time.",
                    id=shown,
                )
            )
        return Step.SECOND
    if not access.may_resolve(account, sheet.survey_id):
        raise NotYours(
            _(
                "The two entries of sheet %(id)s differ: a senior volunteer or an official "
                "decides.",
                id=shown,
            )
        )
    if typed_by_me:
        raise NotYours(
            _(
                "The two entries of sheet %(id)s differ; you typed one of them, so someone "
                "else decides.",
                id=shown,
            )
        )
    return Step.RESOLVE


def check(sheet: Sheet, values: Mapping[str, str], language: str) -> CheckedSheet:
    return check_sheet(questionnaire(sheet), values, language)


def save_entry(
    sheet: Sheet, account: Account, values: Mapping[str, str], now: datetime, language: str = "nl"
) -> Saved | CheckedSheet:
    """Store the account's entry of the sheet and take the next step; the checked sheet
    (with its problems) when the entry does not pass, storing nothing."""
    sheet = locked(sheet)
    db.session.expire(sheet, ["entries"])  # as committed by whoever held the lock before
    mine = _entry_by(sheet, account)
    if mine is not None and mine.round == max(entry.round for entry in sheet.entries):
        return Saved(
            mine.round, sheet.status is SheetStatus.ENTERED, sheet.disagreements, again=True
        )
    step = next_step(sheet, account)
    checked = check(sheet, values, language)
    if not checked.ok:
        return checked
    fields = entry_fields(questionnaire(sheet), language)
    kept = {entry.key: str(values.get(entry.key, "") or "").strip() for entry in fields}
    round_ = {Step.FIRST: 1, Step.SECOND: 2, Step.RESOLVE: 3}[step]
    entry = SheetEntry(
        sheet=sheet,
        round=round_,
        entered_by_id=account.id,
        entered_at=now,
        values={key: value for key, value in kept.items() if value},
        # The form's size, not what was typed: a count of answers would match an
        # anonymous response to its member.
        fields=len(fields),
    )
    db.session.add(entry)
    db.session.flush()
    if step is Step.FIRST:
        return _after_first(sheet, checked, now)
    if step is Step.SECOND:
        return _after_second(sheet, fields, checked, now)
    accept(sheet, checked.answers, now)
    log.info("Sheet %s: differences resolved", sheet.id)
    return Saved(3, True, sheet.disagreements)


def repeated(typed_id: str, survey_id: int, account: Account) -> tuple[Sheet, Saved] | None:
    """When the account's entry is the sheet's latest (a double click, a retry after a lost
    connection): the sheet and what that entry did, so the repeat gets the same answer."""
    sheet = db.session.get(Sheet, compact(typed_id)) if is_valid(compact(typed_id)) else None
    if sheet is None or sheet.survey_id != survey_id or not sheet.entries:
        return None
    mine = _entry_by(sheet, account)
    if mine is None or mine.round != max(entry.round for entry in sheet.entries):
        return None
    return sheet, Saved(mine.round, sheet.status is SheetStatus.ENTERED, sheet.disagreements, True)


def _entry_by(sheet: Sheet, account: Account) -> SheetEntry | None:
    return next((entry for entry in sheet.entries if entry.entered_by_id == account.id), None)


def _after_first(sheet: Sheet, checked: CheckedSheet, now: datetime) -> Saved:
    if sheet.status is SheetStatus.PRINTED:
        sheet.status, sheet.returned_at = SheetStatus.RETURNED, now
    if access.single_entry(sheet.survey_id):
        accept(sheet, checked.answers, now, single_entry=True)
        return Saved(1, True)
    return Saved(1, False)


def _after_second(
    sheet: Sheet, fields: list[EntryField], checked: CheckedSheet, now: datetime
) -> Saved:
    first, second = (_round(sheet, EntryRound.FIRST), _round(sheet, EntryRound.SECOND))
    sheet.disagreements = len(differences(fields, first.values, second.values))
    if sheet.disagreements:
        log.info("Sheet %s: the two entries differ on %s field(s)", sheet.id, sheet.disagreements)
        return Saved(2, False, sheet.disagreements)
    accept(sheet, checked.answers, now)
    return Saved(2, True, 0)


def _round(sheet: Sheet, round_: int) -> SheetEntry:
    return next(entry for entry in sheet.entries if entry.round == round_)


def differences(
    fields: list[EntryField], first: Mapping[str, str], second: Mapping[str, str]
) -> list[str]:
    """The keys whose typed values mean different things."""
    return [
        entry.key
        for entry in fields
        if _meaning(entry, first.get(entry.key, "")) != _meaning(entry, second.get(entry.key, ""))
    ]


def _meaning(entry: EntryField, value: str) -> object:
    value = " ".join(str(value or "").split())
    if entry.kind == "choices":
        return frozenset(part.lstrip("0") for part in SEPARATORS.split(value) if part)
    if entry.kind == "ranking":
        return tuple(part.lstrip("0") for part in SEPARATORS.split(value) if part)
    if entry.kind in ("choice", "number") and value.lstrip("+-").isdigit():
        return int(value)
    return value


# --- the resolution screen ---------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    field: EntryField
    first: str
    second: str
    differs: bool


def comparison(sheet: Sheet, language: str) -> list[Difference]:
    """Both entries per field, for the one who decides (never for the second volunteer)."""
    fields = entry_fields(questionnaire(sheet), language)
    first, second = _round(sheet, EntryRound.FIRST).values, _round(sheet, EntryRound.SECOND).values
    differing = set(differences(fields, first, second))
    return [
        Difference(
            entry, first.get(entry.key, ""), second.get(entry.key, ""), entry.key in differing
        )
        for entry in fields
    ]


def agreed_values(rows: list[Difference]) -> dict[str, str]:
    """Where both entries agree, the decider starts from that; differing fields are empty."""
    return {row.field.key: row.first for row in rows if not row.differs and row.first}


def waiting_for_resolution(survey_id: int) -> list[Sheet]:
    """Sheets of the survey whose two entries differ, oldest first."""
    return list(
        db.session.scalars(
            select(Sheet)
            .where(
                Sheet.survey_id == survey_id,
                Sheet.status == SheetStatus.RETURNED,
                Sheet.disagreements > 0,
            )
            .order_by(Sheet.returned_at, Sheet.id)
        )
    )


def awaiting(sheet: Sheet) -> bool:
    return sheet.status is SheetStatus.RETURNED and bool(sheet.disagreements)
