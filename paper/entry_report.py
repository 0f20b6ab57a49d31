"""How paper entry of a survey is going: per survey and per volunteer, sheets entered and
how often two entries of a sheet differed. About the volunteers' work, never answers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from accounts.models import Account
from core.db import db
from paper.models import EntryRound, Sheet, SheetEntry, SheetStatus


@dataclass(frozen=True)
class SurveyEntry:
    printed: int
    returned: int  #: back, not entered yet (waiting for an entry or a decision)
    entered: int
    single: int  #: entered once (single entry allowed)
    compared: int  #: sheets entered twice, the entries compared
    differed: int  #: of those, the sheets whose entries differed
    waiting_second: int
    waiting_decision: int

    @property
    def disagreement_rate(self) -> float | None:
        return self.differed / self.compared if self.compared else None


@dataclass(frozen=True)
class VolunteerEntry:
    account_id: int | None
    name: str
    typed: int  #: entries (first or second) typed
    resolved: int  #: decisions where two entries differed
    compared: int  #: of their entries, those compared with another volunteer's
    differed: int  #: of those, how many differed

    @property
    def disagreement_rate(self) -> float | None:
        return self.differed / self.compared if self.compared else None


def survey_entry(survey_id: int) -> SurveyEntry:
    sheets = db.session.execute(
        select(Sheet.status, Sheet.single_entry, Sheet.disagreements, Sheet.id).where(
            Sheet.survey_id == survey_id
        )
    ).all()
    counted = _entries_per_sheet(survey_id)
    entered = [s for s in sheets if s.status is SheetStatus.ENTERED]
    returned = [s for s in sheets if s.status is SheetStatus.RETURNED]
    compared = [s for s in sheets if s.disagreements is not None]
    return SurveyEntry(
        printed=sum(1 for s in sheets if s.status is not SheetStatus.VOID),
        returned=len(returned),
        entered=len(entered),
        single=sum(1 for s in entered if s.single_entry),
        compared=len(compared),
        differed=sum(1 for s in compared if s.disagreements),
        waiting_second=sum(1 for s in returned if counted.get(s.id, 0) == 1),
        waiting_decision=sum(1 for s in returned if s.disagreements),
    )


def _entries_per_sheet(survey_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(SheetEntry.sheet_id).join(Sheet).where(Sheet.survey_id == survey_id)
    )
    counts: dict[str, int] = defaultdict(int)
    for (sheet_id,) in rows:
        counts[sheet_id] += 1
    return counts


def volunteer_entry(survey_id: int) -> list[VolunteerEntry]:
    """Per person who typed for the survey, by name. Entries of people since deleted are
    counted under one line without a name."""
    rows = db.session.execute(
        select(SheetEntry.entered_by_id, SheetEntry.round, Sheet.disagreements)
        .join(Sheet, Sheet.id == SheetEntry.sheet_id)
        .where(Sheet.survey_id == survey_id)
    )
    tally: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for account_id, round_, disagreements in rows:
        counts = tally[account_id]
        if round_ == EntryRound.RESOLUTION:
            counts[1] += 1
            continue
        counts[0] += 1
        if disagreements is not None:
            counts[2] += 1
            counts[3] += 1 if disagreements else 0
    names = _names([key for key in tally if key is not None])
    report = [VolunteerEntry(key, names.get(key, ""), *counts) for key, counts in tally.items()]
    return sorted(report, key=lambda row: (row.account_id is None, row.name.lower()))


def _names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Account.id, Account.name, Account.email).where(Account.id.in_(ids))
    )
    return {account_id: name or email for account_id, name, email in rows}
