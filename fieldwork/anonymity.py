"""What an anonymous response keeps of who gave it: village, age band and sex, only as far
as at least k members who took part share them.

Anyone who can read the database can join the invitations that took part (with their
members' village, age band and sex) to the anonymous responses on those three. So the
cell stored with a response is decided at submission against the members who have taken
part in the survey so far, this one included, with k the disclosure threshold:

1. village, age band and sex, when at least k participants share all three;
2. village and age band (sex unknown), when at least k share those;
3. the village only, when at least k participants live there (left out of the weighting,
   which needs an age band; counted as left out);
4. nothing otherwise.

Participants only grow (taking part cannot be undone), so a cell that holds k when the
response is stored still holds at least k when the survey closes: the join never leaves
fewer than k candidates for a response. Counting only what other transactions committed
errs on the safe side when residents send at the same moment. See docs/methods.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from core.db import db
from fieldwork.models import Invitation
from panel.models import Member
from population.representativeness import age_band_on


@dataclass(frozen=True)
class Cell:
    """Who gave a response, at the level stored with it; None where coarsened away."""

    village_id: int | None
    age_band: str | None
    sex: str | None


def stored_cell(invitation: Invitation, own: Cell, k: int, today: date) -> Cell:
    """`own` (the member's cell) coarsened until at least `k` participants share it."""
    counts = _participants(invitation, own.village_id, today)
    candidates = (
        own,
        Cell(own.village_id, own.age_band, None),
        Cell(own.village_id, None, None),
    )
    for cell in candidates:
        shared = 1 + sum(n for key, n in counts.items() if _within(key, cell))
        if cell.village_id is not None and shared >= k:
            return cell
    return Cell(None, None, None)


def _within(key: Cell, cell: Cell) -> bool:
    return (
        key.village_id == cell.village_id
        and (cell.age_band is None or key.age_band == cell.age_band)
        and (cell.sex is None or key.sex == cell.sex)
    )


def _participants(invitation: Invitation, village_id: int | None, today: date) -> Counter:
    """The other members of the village who took part in the survey, per cell, as an
    attacker would see them today."""
    rows = db.session.execute(
        select(Member.village_id, Member.birth_year, Member.age_band, Member.sex)
        .join(Invitation, Invitation.member_id == Member.id)
        .where(
            Invitation.survey_id == invitation.survey_id,
            Invitation.took_part.is_(True),
            Invitation.id != invitation.id,
            Member.village_id == village_id,
        )
    )
    counts: Counter = Counter()
    for village, birth_year, band, sex in rows:
        on = age_band_on(birth_year, band, today)
        counts[Cell(village, on.value if on else None, sex.value)] += 1
    return counts
