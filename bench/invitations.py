"""Sending invitations: seconds per 10,000 members invited by the background job (invitation
rows and their mails in the outbox), on SQLite and on PostgreSQL, as the median of N rounds
against a floor measured in the same run: raw inserts of the same invitation and outbox rows
(per batch of 500: one multi-row INSERT of the invitations and an executemany of the mails,
as the job inserts them, in one transaction; no rendering, no ORM objects).

Each round invites every member of a fresh panel to a new survey. PostgreSQL gets a throwaway
database that is created here and dropped afterwards. Then, as a second line per database
(no goal in issue 20), the daily reminder run for that survey once its invitations are eight
days old, a first reminder to every member, against its raw writes: as many outbox rows and
one UPDATE of the invitations per batch.

Run: .venv/bin/python bench/invitations.py [--members N] [--rounds N] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import logging
import random
import secrets
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from common import bench_app
from sqlalchemy import delete, func, insert, select, update

from accounts.models import Account
from core.dates import local_today
from core.db import db, utcnow
from fieldwork.invitations import BATCH_SIZE, send_due_reminders, send_invitations
from fieldwork.models import Invitation
from mail.models import OutboxMail
from panel.models import Channel, Household, Member, Respondent, Sex
from surveys.models import Survey, SurveyStatus
from surveys.services import create_survey
from surveys.templates import load_template
from villages.queries import panel_villages

GOAL_SECONDS = 5.0
PER = 10_000
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
#: The invitations as the job inserts them: one INSERT of many rows (psycopg's executemany
#: runs one statement per row, and the monitor's statement trigger with each).
INVITATIONS = insert(Invitation).returning(Invitation.id, sort_by_parameter_order=True)
#: Columns of an outbox row the floor copies from the mails the job queued.
MAIL_COLUMNS = ("recipient", "subject", "body_text", "body_html", "kind", "expires_at")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=PER)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default=ADMIN_URL, help="admin URL ('' skips it)")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    print(f"members invited per round: {args.members}; median of {args.rounds} rounds")
    print(f"{'database':<11}{'invitations':>13}{'floor':>10}{'ratio':>8}{'goal':>9}")
    run("sqlite", None, args)
    if args.postgres_url:
        with throwaway_postgres(args.postgres_url) as url:
            run("postgresql", url, args)


def run(label: str, url: str | None, args) -> None:
    # Far above the fatigue rule: every round invites every member again.
    settings = {"INVITATIONS_PER_QUARTER": 1000, "BASE_URL": "https://naoberpanel.example"}
    with bench_app(url, **settings) as app:
        with app.app_context():
            seed_members(args.members)
            job, cpu, floor, reminders, reminders_floor = [], [], [], [], []
            for _ in range(args.rounds):
                seconds, cpu_seconds = time_job(args.members)
                job.append(seconds)
                cpu.append(cpu_seconds)
                floor.append(time_floor(new_survey()))
                reminders.append(time_reminders(args.members))
                reminders_floor.append(time_reminders_floor())
    per = PER / args.members
    seconds, floor_seconds = statistics.median(job) * per, statistics.median(floor) * per
    goal = "met" if seconds < GOAL_SECONDS else "missed"
    print(
        f"{label:<11}{seconds:>11.2f} s{floor_seconds:>8.2f} s{seconds / floor_seconds:>7.1f}x"
        f"  < {GOAL_SECONDS:.0f} s {goal}   (rounds: {', '.join(f'{s:.2f}' for s in job)} s;"
        f" CPU of this process {statistics.median(cpu) * per:.2f} s)"
    )
    seconds = statistics.median(reminders) * per
    floor_seconds = statistics.median(reminders_floor) * per
    print(
        f"{'  reminders':<11}{seconds:>11.2f} s{floor_seconds:>8.2f} s"
        f"{seconds / floor_seconds:>7.1f}x  (no goal)   "
        f"(rounds: {', '.join(f'{s:.2f}' for s in reminders)} s)"
    )


@contextmanager
def throwaway_postgres(admin_url: str) -> Iterator[str]:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"naoberpanel_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed_members(size: int) -> None:
    """`size` synthetic web members with accounts: one in five reads English, one in ten
    gave no name."""
    rng = random.Random(2026)
    villages = [village.id for village in panel_villages()]
    accounts = [
        {
            "email": f"lid{number}@panel.example",
            "name": "" if number % 10 == 0 else f"Demo-inwoner {number}",
            "language": "en" if number % 5 == 0 else "nl",
        }
        for number in range(size)
    ]
    statement = insert(Account).returning(Account.id, sort_by_parameter_order=True)
    account_ids = db.session.scalars(statement, accounts).all()
    respondents = [
        {"id": rng.getrandbits(30), "pseudonym": secrets.token_hex(8)} for _ in range(size)
    ]
    db.session.execute(insert(Respondent), respondents)
    members = [
        {
            "respondent_id": respondent["id"],
            "account_id": account_id,
            "village_id": rng.choice(villages),
            "birth_year": rng.randint(1940, 2006),
            "sex": Sex.FEMALE,
            "household": Household.COUPLE,
            "channel": Channel.WEB,
            "synthetic": True,
        }
        for respondent, account_id in zip(respondents, account_ids, strict=True)
    ]
    db.session.execute(insert(Member), members)
    db.session.commit()


def new_survey() -> int:
    survey = create_survey(load_template("leefbaarheid"), by=None)
    today = local_today()
    survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
    db.session.commit()
    return survey.id


def time_job(members: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds (of this process: not PostgreSQL's) of one sending job."""
    survey_id = new_survey()
    start, start_cpu = time.perf_counter(), time.process_time()
    invited = send_invitations(survey_id, local_today(), lambda *a: None)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    assert invited == members, invited
    return seconds, cpu


def time_floor(survey_id: int) -> float:
    """The same rows as the last round, inserted raw in batches of BATCH_SIZE, one
    transaction each; removed again afterwards."""
    last = db.session.scalar(
        select(func.max(Invitation.survey_id)).where(Invitation.survey_id < survey_id)
    )
    invitations = [
        {"survey_id": survey_id, "member_id": member_id, "invited_at": utcnow()}
        for member_id in db.session.scalars(
            select(Invitation.member_id).where(Invitation.survey_id == last)
        )
    ]
    mails, first_new = newest_mails(len(invitations))
    db.session.commit()
    start = time.perf_counter()
    for at in range(0, len(invitations), BATCH_SIZE):
        db.session.execute(INVITATIONS, invitations[at : at + BATCH_SIZE])
        db.session.execute(insert(OutboxMail), mails[at : at + BATCH_SIZE])
        db.session.commit()
    seconds = time.perf_counter() - start
    db.session.execute(delete(OutboxMail).where(OutboxMail.id > first_new))
    db.session.execute(delete(Invitation).where(Invitation.survey_id == survey_id))
    db.session.commit()
    return seconds


def newest_mails(count: int) -> tuple[list[dict], int]:
    """Copies of the `count` newest outbox mails for a floor to insert, and the newest id
    now: the floor's own rows are those above it."""
    columns = [getattr(OutboxMail, name) for name in MAIL_COLUMNS]
    newest = select(*columns).order_by(OutboxMail.id.desc()).limit(count)
    mails = [row._asdict() for row in db.session.execute(newest)]
    return mails, db.session.scalar(select(func.max(OutboxMail.id)))


def time_reminders(members: int) -> float:
    """Seconds of the daily reminder run, once the last round's invitations are eight days
    old (the template's first reminder comes after five): a reminder to every member. The
    earlier rounds' surveys are closed first, so they send none; the reminders' mails are
    removed again afterwards."""
    survey_id = db.session.scalar(select(func.max(Invitation.survey_id)))
    others = update(Survey).where(Survey.id != survey_id, Survey.status != SurveyStatus.CLOSED)
    db.session.execute(others.values(status=SurveyStatus.CLOSED))
    invited = update(Invitation).where(Invitation.survey_id == survey_id)
    db.session.execute(invited.values(invited_at=utcnow() - timedelta(days=8)))
    first_new = db.session.scalar(select(func.max(OutboxMail.id)))
    db.session.commit()
    start = time.perf_counter()
    reminded = send_due_reminders(local_today())
    seconds = time.perf_counter() - start
    assert reminded == members, reminded
    # The next round's invitations find the outbox as they did before reminders were timed.
    db.session.execute(delete(OutboxMail).where(OutboxMail.id > first_new))
    db.session.commit()
    return seconds


def time_reminders_floor() -> float:
    """The reminder run's writes, raw: per batch of BATCH_SIZE invitations, as many outbox
    rows (copies of the round's invitation mails, executemany) and one UPDATE counting them
    as reminded, in one transaction; the rows are removed again afterwards."""
    survey_id = db.session.scalar(select(func.max(Invitation.survey_id)))
    ids = db.session.scalars(
        select(Invitation.id).where(Invitation.survey_id == survey_id).order_by(Invitation.id)
    ).all()
    mails, first_new = newest_mails(len(ids))
    db.session.commit()
    start = time.perf_counter()
    for at in range(0, len(ids), BATCH_SIZE):
        db.session.execute(insert(OutboxMail), mails[at : at + BATCH_SIZE])
        reminded = update(Invitation).where(Invitation.id.in_(ids[at : at + BATCH_SIZE]))
        db.session.execute(
            reminded.values(reminders_sent=Invitation.reminders_sent + 1, last_reminded_at=utcnow())
        )
        db.session.commit()
    seconds = time.perf_counter() - start
    db.session.execute(delete(OutboxMail).where(OutboxMail.id > first_new))
    db.session.commit()
    return seconds


if __name__ == "__main__":
    main()
