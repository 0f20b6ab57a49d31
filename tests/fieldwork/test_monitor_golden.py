"""The response monitor renders exactly as stored in tests/fieldwork/data/monitor_pages: for
an official and for an association, in Dutch and in English, with and without paper copies.
The stored pages were written by the monitor as it was before it was made faster (issue 20);
a change to the markup must be deliberate: rewrite them with

    MONITOR_PAGES_WRITE=1 .venv/bin/pytest -q -n 0 tests/fieldwork/test_monitor_golden.py

Ids differ between databases, so survey and village ids are written as names.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from core.db import db
from fieldwork import monitor_views
from panel.models import AgeBand
from paper.models import SheetStatus
from tests.fieldwork.test_monitor import invite, new_survey, paper_response
from tests.paper.entry_helpers import print_sheets
from villages.models import Village
from villages.queries import village_by_name

GOLDEN = Path(__file__).parent / "data" / "monitor_pages"
WRITE = os.environ.get("MONITOR_PAGES_WRITE") == "1"
TODAY = date(2026, 12, 10)


def at(days_ago: int, hour: int) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def fieldwork(make_member, make_village, monkeypatch):
    """Open since five days: Orvelte 24 invited, Hooghalen 6, one under-18, one by age band."""
    monkeypatch.setattr(monitor_views, "local_today", lambda: TODAY)
    survey = new_survey(make_village, TODAY - timedelta(days=5))
    invited_at = at(5, 7)
    for i in range(24):
        member = make_member("Orvelte", birth_year=1940 + 3 * i)
        completed = at(i % 5, 9 + i % 12) if i % 3 else None
        invite(survey, member, started=i % 4 == 0, completed_at=completed, invited_at=invited_at)
    for i in range(6):
        member = make_member("Hooghalen", birth_year=1955 + i)
        invite(survey, member, completed_at=at(1, 20) if i < 2 else None, invited_at=invited_at)
    young = make_member("Hooghalen", birth_year=2010)
    invite(survey, young, completed_at=at(0, 8), invited_at=invited_at)
    banded = make_member("Orvelte", birth_year=None, age_band=AgeBand.A75_PLUS)
    invite(survey, banded, started=True, invited_at=invited_at)
    return survey


def with_paper(survey) -> None:
    """Copies handed out in Orvelte and Hooghalen, some back, some entered; one unknown."""
    orvelte, hooghalen = village_by_name("Orvelte"), village_by_name("Hooghalen")
    sheets = print_sheets(survey, orvelte, copies=14) + print_sheets(survey, hooghalen, copies=4)
    for sheet in sheets[:9]:
        sheet.status = SheetStatus.RETURNED
    for sheet in sheets[:6] + sheets[14:15]:
        sheet.status = SheetStatus.ENTERED
    sheets[13].status = SheetStatus.VOID
    print_sheets(survey, None, copies=2)
    db.session.commit()
    for i in range(12):
        paper_response(survey, "Orvelte", at(i % 3, 14))
    paper_response(survey, "Hooghalen", at(2, 14))


def normalised(html: str, survey) -> str:
    """Ids written as names, so the page is the same on every database."""
    html = re.sub(rf"/surveys/{survey.id}\b", "/surveys/SURVEY", html)
    for village in db.session.scalars(db.select(Village)):
        html = html.replace(f'"village.{village.id}.', f'"village.{village.slug}.')
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value="CSRF"', html)


def assert_golden(name: str, html: str) -> None:
    path = GOLDEN / (name if "." in name else f"{name}.html")
    if WRITE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    assert html == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("paper", [False, True], ids=["web", "paper"])
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("role", ["official", "association"])
def test_the_monitor_renders_as_before(client, login_as, fieldwork, role, language, paper):
    if paper:
        with_paper(fieldwork)
    login_as(role, village="Orvelte" if role == "association" else None)
    with client.session_transaction() as session:
        session["language"] = language
    page = f"/surveys/{fieldwork.id}/responses"
    name = f"{role}-{language}-{'paper' if paper else 'web'}"
    html = normalised(client.get(page).text, fieldwork)
    assert html == normalised(client.get(page).text, fieldwork)  # warm, from the caches
    assert_golden(name, html)
    figures = json.dumps(client.get(f"{page}.json").json, indent=1, sort_keys=True) + "\n"
    assert_golden(f"{name}.json", normalised(figures, fieldwork))
