"""Median time of the panel pages with a synthetic panel, against a bare Flask route
measured in the same run, and the time per recruitment letter.

Run: .venv/bin/python bench/panel.py [--members N] [--rounds N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import itertools
import time

from common import bench_app, floor_ms, logged_in_client, median_ms, report
from sqlalchemy import select

from accounts.models import Account
from core.db import db
from demo.panel import seed_panel
from panel.models import Member
from population.demo import seed_demo_margins
from recruitment.codes import generate
from recruitment.letters import render_pdf
from villages.queries import village_by_name


def join_form(app, client, counter) -> dict:
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get("/join").text)
    with app.app_context():
        village = str(village_by_name("Orvelte").id)
    return lambda: client.post(
        "/join",
        data={
            "csrf_token": token,
            "email": f"bench{next(counter)}@example.nl",
            "village": village,
            "birth_year": "1960",
            "sex": "female",
            "household": "single",
            "agree": "y",
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--letters", type=int, default=50)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    args = parser.parse_args()
    with bench_app(args.database_url, RATELIMIT_ENABLED=False) as app:
        with app.app_context():
            seed_panel(args.members)
            seed_demo_margins()
            db.session.commit()
            official = db.session.scalar(
                select(Account).where(Account.email == "ambtenaar@middendrenthe.example")
            )
            member = db.session.scalar(select(Member).where(Member.account_id.is_not(None)))
            resident = member.account
            beilen = village_by_name("Beilen").id
            staff = logged_in_client(app, official)
            own = logged_in_client(app, resident)
        floor = floor_ms(args.rounds * 4)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
        print(f"synthetic members: {args.members}")
        report("floor (bare Flask route)", floor, floor)
        for label, client, path in [
            ("panel overview, all villages", staff, "/panel/"),
            ("village page Beilen", staff, f"/panel/villages/{beilen}"),
            ("privacy: who has not re-consented", staff, "/panel/privacy"),
            ("join form", app.test_client(), "/join"),
            ("/me overview", own, "/me/"),
            ("/me export as JSON", own, "/me/export.json"),
        ]:
            report(label, median_ms(lambda c=client, p=path: c.get(p), args.rounds), floor)
        joiner = app.test_client()
        report(
            "join, POST (new address)",
            median_ms(join_form(app, joiner, itertools.count()), args.rounds),
            floor,
        )
        with app.test_request_context():
            codes = [generate() for _ in range(args.letters)]
            start = time.perf_counter()
            pdf = render_pdf("Orvelte", village_date(), codes, lambda *a: None)
            seconds = time.perf_counter() - start
        print(
            f"letters: {args.letters} in {seconds:.1f} s, "
            f"{seconds / args.letters * 1000:.0f} ms per letter, {len(pdf) / 1024:.0f} KiB"
        )


def village_date():
    from datetime import date, timedelta

    return date.today() + timedelta(days=30)


if __name__ == "__main__":
    main()
