"""Fieldwork speed with a synthetic panel: the invitation preview, sending invitations (per
invitation, in the background job), an answering page GET and POST, and the response
monitor, as medians against a bare Flask route measured in the same run.

Run: .venv/bin/python bench/fieldwork.py [--members N] [--rounds N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import re
import time
from datetime import timedelta

from common import bench_app, floor_ms, logged_in_client, median_ms, report
from sqlalchemy import select

from accounts.models import Account
from core.dates import local_today
from core.db import db, utcnow
from demo.panel import seed_panel
from fieldwork.invitations import invitation_preview, send_invitations
from fieldwork.links import survey_token
from fieldwork.models import Invitation
from surveys.models import Survey
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    args = parser.parse_args()
    with bench_app(args.database_url, RATELIMIT_ENABLED=False) as app:
        with app.app_context():
            seed_panel(args.members)
            survey = create_survey(load_template("leefbaarheid"), by=None)
            today = local_today()
            survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
            db.session.commit()
            survey_id = survey.id
            official = db.session.scalar(
                select(Account).where(Account.email == "ambtenaar@middendrenthe.example")
            )
            staff = logged_in_client(app, official)
        floor = floor_ms(args.rounds * 4)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
        print(f"synthetic members: {args.members}")
        report("floor (bare Flask route)", floor, floor)
        with app.test_request_context():
            timed = median_ms(
                lambda: invitation_preview(db.session.get(Survey, survey_id), today), args.rounds
            )
            report("invitation preview (service)", timed, floor)
        report(
            "invitations page",
            median_ms(lambda: staff.get(f"/surveys/{survey_id}/invitations"), args.rounds),
            floor,
        )
        with app.test_request_context():
            start = time.perf_counter()
            invited = send_invitations(survey_id, today, lambda *a: None)
            seconds = time.perf_counter() - start
            token = survey_token(db.session.scalars(select(Invitation)).first())
        print(
            f"sending: {invited} invitations in {seconds:.1f} s, "
            f"{seconds / max(invited, 1) * 1000:.1f} ms each (in the background job)"
        )
        resident = app.test_client()
        address = resident.get(f"/enquete/{token}").location  # the key becomes a cookie
        resident.post(address, data={"csrf_token": _csrf(resident, address)})
        page = f"{address}/pagina/1"
        html = resident.get(page).text
        response_id = re.search(r'name="_response"[^>]*value="([0-9a-f]+)"', html).group(1)
        data = {
            "csrf_token": csrf_token_from(html),
            "_response": response_id,
            "_action": "next",
            "LEEF_CIJFER": "7",
            "VEILIG": "2",
        }
        assert resident.post(page, data=data).status_code == 303  # a real save, not a refusal
        report("answering: page GET", median_ms(lambda: resident.get(page), args.rounds), floor)
        report(
            "answering: page POST (validate, save)",
            median_ms(lambda: resident.post(page, data=data), args.rounds),
            floor,
        )
        report(
            "response monitor",
            median_ms(lambda: staff.get(f"/surveys/{survey_id}/responses"), args.rounds),
            floor,
        )


def _csrf(client, path: str) -> str:
    return csrf_token_from(client.get(path).text)


if __name__ == "__main__":
    main()
