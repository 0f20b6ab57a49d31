"""The heaviest answer page (the liveability survey's page 3: ten Likert statements, sixty
radio buttons) in-process: CPU per request (time.process_time, steadier than the clock on a
shared machine) for a GET and for a POST re-rendered with an error, as medians against a
bare Flask route measured in the same run. Goal (issue 20): the page's rendering, about
two thirds of a GET, cut by half or more; the HTML stays byte for byte the same
(tests/fieldwork/test_answer_render.py).

Run: .venv/bin/python bench/answer_page.py [--rounds 200] [--language nl|en]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from common import bench_app
from flask import Flask
from sqlalchemy import select

from core.dates import local_today
from core.db import db, utcnow
from demo.panel import seed_panel
from fieldwork.links import survey_token
from fieldwork.models import Invitation
from panel.models import Member
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from

RESPONSE_ID = re.compile(r'name="_response"[^>]*value="([0-9a-f]+)"')


def cpu_ms(action: Callable[[], object], rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        start = time.process_time()
        action()
        timings.append((time.process_time() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--language", choices=("nl", "en"), default="nl")
    args = parser.parse_args()
    with bench_app(RATELIMIT_ENABLED=False) as app:
        token = invited(app)
        resident = app.test_client()
        with resident.session_transaction() as session:
            session["language"] = args.language
        address = resident.get(f"/enquete/{token}").location  # the key becomes a cookie
        resident.post(address, data={"csrf_token": csrf_token_from(resident.get(address).text)})

        def post(number: int, answers: dict):
            page = f"{address}/pagina/{number}"
            html = resident.get(page).text
            form = {"csrf_token": csrf_token_from(html), "_action": "next", **answers}
            form["_response"] = RESPONSE_ID.search(html)[1]
            return resident.post(page, data=form), form

        assert post(1, {"LEEF_CIJFER": "7", "VEILIG": "2"})[0].status_code == 303
        assert post(2, {"SOC_KENNEN": "4"})[0].status_code == 303
        refused, wrong = post(3, {"VOORZ_WINKEL": "zz", "VOORZ_ARTS": "3"})
        assert refused.status_code == 422  # re-rendered with an error, nothing saved
        page = f"{address}/pagina/3"
        floor = bare_floor(args.rounds)
        print(f"language: {args.language}, {args.rounds} rounds, CPU per request (median)")
        report("floor (bare Flask route)", floor, floor)
        report("answer page 3: GET", cpu_ms(lambda: resident.get(page), args.rounds), floor)
        report(
            "answer page 3: POST with an error",
            cpu_ms(lambda: resident.post(page, data=wrong), args.rounds),
            floor,
        )


def invited(app: Flask) -> str:
    """A published liveability survey and one invited member: the link's key."""
    with app.app_context():
        seed_panel(20)
        survey = create_survey(load_template("leefbaarheid"), by=None)
        today = local_today()
        survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
        invitation = Invitation(survey=survey, member=db.session.scalars(select(Member)).first())
        db.session.add(invitation)
        db.session.commit()
        return survey_token(invitation)


def bare_floor(rounds: int) -> float:
    bare = Flask("floor")
    bare.get("/")(lambda: "ok")
    client = bare.test_client()
    return cpu_ms(lambda: client.get("/"), rounds)


def report(label: str, value: float, floor: float) -> None:
    print(f"{label:<36} {value:8.3f} ms CPU {value / floor:6.1f}x")


if __name__ == "__main__":
    main()
