"""Surveys with printed sheets, for the entry and acceptance tests (helper B's)."""

from __future__ import annotations

from datetime import timedelta

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.models import Invitation
from paper.models import BatchKind, PrintBatch, Sheet
from paper.sheet_ids import new_sheet_id
from surveys.services import create_survey


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


#: Two pages; page 2 (WAAROM) only for those who do not live here (WOONT 2).
SMALL = {
    "schema_version": 1,
    "title": {"nl": "Wonen", "en": "Living"},
    "pages": [
        {
            "code": "P1",
            "questions": [
                question("WOONT", "single", True, options=options("1", "2")),
                question("CIJFER", "mark"),
                question("OPMERKING", "text"),
            ],
        },
        {
            "code": "P2",
            "condition": {"question": "WOONT", "equals": "2"},
            "questions": [question("WAAROM", "text")],
        },
    ],
}


def publish(definition=None, anonymous=False):
    survey = create_survey(definition or SMALL, by=None)
    survey.anonymous = anonymous
    today = local_today()
    survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
    db.session.commit()
    return survey


def print_sheets(survey, village=None, copies=1, members=(), kind=None) -> list[Sheet]:
    """A batch of sheets: `copies` unnamed ones for `village`, or one per member in
    `members` (each invited, or their invitation reused)."""
    kind = kind or (BatchKind.MEMBERS if members else BatchKind.VILLAGE)
    batch = PrintBatch(
        survey=survey,
        version=survey.live_version,
        kind=kind,
        village=village,
        copies=len(members) or copies,
    )
    db.session.add(batch)
    sheets = []
    for position, member in enumerate(members or [None] * copies, 1):
        invitation = None
        if member is not None:
            invitation = db.session.query(Invitation).filter_by(
                survey_id=survey.id, member_id=member.id
            ).one_or_none() or Invitation(survey=survey, member=member)
        sheet = Sheet(
            id=new_sheet_id(),
            batch=batch,
            survey=survey,
            version=survey.live_version,
            position=position,
            village_id=village.id if village else (member.village_id if member else None),
            invitation=invitation,
        )
        db.session.add(sheet)
        sheets.append(sheet)
    db.session.commit()
    return sheets
