"""Median time of the questionnaire designer and preview, for the liveability template and
for a large questionnaire (the template's pages repeated), against a bare Flask route
measured in the same run; plus checking a definition on its own.

Run: .venv/bin/python bench/surveys.py [--rounds N] [--copies N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import copy
import json
import re

from common import bench_app, floor_ms, logged_in_client, median_ms, report
from sqlalchemy import select

from accounts.models import Account
from core.db import db
from surveys.format import from_json
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from


def large_questionnaire(copies: int) -> dict:
    """The liveability pages `copies` times, codes suffixed, routing kept within each copy."""
    template = load_template("leefbaarheid")
    pages = []
    for number in range(copies):
        text = re.sub(
            r'"(code|question)": "([A-Z][A-Z0-9_]*)"',
            rf'"\1": "\2_{number}"',
            _dumps(template["pages"]),
        )
        pages += _loads(text)
    return dict(copy.deepcopy(template), pages=pages)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _loads(text: str):
    return json.loads(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    args = parser.parse_args()
    large = large_questionnaire(args.copies)
    with bench_app(args.database_url, RATELIMIT_ENABLED=False) as app:
        with app.app_context():
            official = db.session.scalar(
                select(Account).where(Account.email == "ambtenaar@middendrenthe.example")
            )
            small_id = create_survey(load_template("leefbaarheid"), by=None).id
            large_id = create_survey(large, by=None).id
            db.session.commit()
            client = logged_in_client(app, official)
        floor = floor_ms(args.rounds * 4)
        questions = sum(len(page["questions"]) for page in large["pages"])
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
        report("floor (bare Flask route)", floor, floor)
        for label, survey_id in [("template", small_id), (f"large, {questions} q.", large_id)]:
            for page, path in [
                ("designer", f"/surveys/{survey_id}"),
                ("edit question", f"/surveys/{survey_id}/questions/VEILIG" + _suffix(label)),
                ("preview, first page", f"/surveys/{survey_id}/preview"),
                ("export JSON", f"/surveys/{survey_id}/export.json"),
            ]:
                timed = median_ms(lambda p=path: client.get(p), args.rounds)
                report(f"{page} ({label})", timed, floor)
            report(
                f"save a question text ({label})",
                median_ms(_saver(client, survey_id, _suffix(label)), args.rounds),
                floor,
            )
        report("check + read JSON (large)", median_ms(lambda: from_json(large), args.rounds), floor)


def _suffix(label: str) -> str:
    return "" if label == "template" else "_0"


def _saver(client, survey_id: int, suffix: str):
    """Alternate a question's text between two wordings, each a real save."""
    url = f"/surveys/{survey_id}/questions/VEILIG{suffix}"
    state = {"n": 0}

    def save():
        html = client.get(url).text
        revision = re.search(r'name="revision"[^>]*value="([0-9a-f]+)"', html).group(1)
        state["n"] += 1
        response = client.post(
            url,
            data={
                "csrf_token": csrf_token_from(html),
                "revision": revision,
                "code": f"VEILIG{suffix}",
                "type": "single",
                "text_nl": f"Hoe veilig voelt u zich in uw dorp? ({state['n'] % 2})",
                "options": "\n".join(f"{n} | Antwoord {n}" for n in range(1, 6)),
                "required": "y",
                "cond_operator": "equals",
            },
        )
        assert response.status_code == 302, response.status_code

    return save


if __name__ == "__main__":
    main()
