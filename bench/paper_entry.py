"""Paper data entry speed: one sheet's entry round trip through the real routes (type the
sheet id, get the form, post the entry), for the first and the second volunteer (whose
matching entry accepts the sheet as a response), as median and p95 against a bare Flask
route measured in the same run. The liveability questionnaire, every field typed.

Run: .venv/bin/python bench/paper_entry.py [--sheets N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from common import bench_app, floor_ms, logged_in_client, report
from sqlalchemy import func, select

from accounts.models import Account, Role
from accounts.services import get_or_create_account, grant_role
from core.dates import local_today
from core.db import db, utcnow
from fieldwork.answering import questionnaire_of
from fieldwork.models import Response
from paper import access
from paper.checking import check_sheet, entry_fields
from paper.sheet_ids import display
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from
from tests.paper.entry_helpers import print_sheets
from villages.models import Village


def typed_values(questionnaire) -> dict[str, str]:
    """Something in every field on the route, as a volunteer would type it."""
    typical = {"choice": "2", "choices": "1 3", "ranking": "2 1", "number": "12", "text": "Prima"}
    values = {f.key: typical[f.kind] for f in entry_fields(questionnaire)}
    for problem in check_sheet(questionnaire, values).problems:
        values[problem.key] = ""  # skipped by the routing, or no such number
    assert check_sheet(questionnaire, values).ok
    return values


def volunteer(email: str, survey, official) -> Account:
    account = get_or_create_account(email)
    grant_role(account, Role.VOLUNTEER)
    access.grant(survey, account, False, official, utcnow())
    db.session.commit()
    return account


def round_trip(client, survey_id: int, sheet_id: str, values: dict) -> float:
    """Milliseconds for: type the sheet id, open the form, post the entry."""
    start = time.perf_counter()
    page = client.get(f"/entry/{survey_id}").text
    opened = client.post(
        f"/entry/{survey_id}",
        data={"csrf_token": csrf_token_from(page), "sheet_id": display(sheet_id)},
    )
    assert opened.status_code == 303, opened.text
    form = client.get(opened.location).text
    saved = client.post(opened.location, data={"csrf_token": csrf_token_from(form), **values})
    assert saved.status_code == 303, saved.text
    return (time.perf_counter() - start) * 1000


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sheets", type=int, default=60)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    args = parser.parse_args()
    with bench_app(args.database_url, RATELIMIT_ENABLED=False) as app:
        with app.app_context():
            survey = create_survey(load_template("leefbaarheid"), by=None)
            today = local_today()
            survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
            db.session.commit()
            official = db.session.scalar(select(Account).where(Account.email.like("ambtenaar@%")))
            village = db.session.scalars(select(Village)).first()
            sheet_ids = [sheet.id for sheet in print_sheets(survey, village, args.sheets)]
            first = logged_in_client(app, volunteer("een@bench.example", survey, official))
            second = logged_in_client(app, volunteer("twee@bench.example", survey, official))
            values = typed_values(questionnaire_of(survey.live_version))
            survey_id = survey.id
        floor = floor_ms(200)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
        print(f"sheets: {args.sheets}, fields typed per sheet: {sum(map(bool, values.values()))}")
        report("floor (bare Flask route)", floor, floor)
        for label, client in (("first entry", first), ("second entry, accepted", second)):
            timings = [round_trip(client, survey_id, sheet_id, values) for sheet_id in sheet_ids]
            report(f"{label}: median", statistics.median(timings), floor)
            report(f"{label}: p95", p95(timings), floor)
        with app.app_context():
            made = db.session.scalar(select(func.count()).select_from(Response))
            assert made == args.sheets, made
        print(f"paper responses made: {made}")


if __name__ == "__main__":
    main()
