"""The printed questionnaires for 500 paper members: what the invitation job prints (a PDF per
village, each member a cover letter and the questionnaire with their sheet id and a QR code
on every page), in seconds and pages per second. WeasyPrint runs in its child process, as in
the job.

Run: .venv/bin/python bench/paper_pdf.py [--members 500] [--database-url URL]
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from common import bench_app

from core.db import db, utcnow


def seed_paper_members(count: int) -> None:
    """`count` paper members with a name and address, spread over the panel's villages."""
    from panel.models import Channel, ContactDetails, Household, Sex
    from panel.services import Profile, register_member
    from villages.queries import panel_villages

    villages = panel_villages()
    for n in range(count):
        village = villages[n % len(villages)]
        profile = Profile(village.id, Sex.FEMALE, Household.SINGLE, birth_year=1940 + n % 30)
        contact = ContactDetails(
            name=f"Mevrouw A. van der Bewoner-{n}",
            address=f"Dorpsstraat {n + 1}",
            postcode="9441 AB",
            town=village.name,
        )
        register_member(profile, Channel.PAPER, contact=contact)
    db.session.commit()


def open_survey():
    from core.dates import local_today
    from surveys.services import create_survey
    from surveys.templates import load_template

    today = local_today()
    survey = create_survey(load_template("leefbaarheid"), by=None, villages=[])
    survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
    db.session.commit()
    return survey.id, today


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    args = parser.parse_args()
    with bench_app(args.database_url) as app, app.app_context():
        from paper import batches
        from paper.models import PrintBatch

        seed_paper_members(args.members)
        survey_id, today = open_survey()
        started = time.perf_counter()
        made = batches.invite_paper_members(survey_id, today)
        invited = time.perf_counter() - started
        started = time.perf_counter()
        pages = batches.render(made, lambda *_: None)["pages"]  # as the job does
        seconds = time.perf_counter() - started
        size = sum(len(db.session.get(PrintBatch, batch_id).pdf) for batch_id in made)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
        print(f"paper members invited: {args.members} in {len(made)} village batches")
        print(f"invitations and sheets made: {invited:.2f} s")
        print(f"PDFs rendered: {seconds:.1f} s for {pages} pages ({pages / seconds:.1f} pages/s)")
        print(f"seconds per member (letter and questionnaire): {seconds / args.members:.3f}")
        print(f"PDF size: {size / 1024 / 1024:.1f} MB ({size / pages / 1024:.0f} KB a page)")


if __name__ == "__main__":
    main()
