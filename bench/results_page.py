"""The results page (official and association) and the response monitor at concurrency 8
with a warm cache: p50 and p95 against a bare Flask route measured the same way in the
same run. Goal (issue 20): p95 < 50 ms.

Run: .venv/bin/python bench/results_page.py [--requests N] [--invited N]
     [--databases sqlite postgresql] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

from common import bench_app, logged_in_client
from flask import Flask
from sqlalchemy import create_engine, func, text

from core.db import db, utcnow

CONCURRENCY = 8
GOAL_MS = 50.0
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def concurrent_ms(make_client: Callable[[], object], path: str, requests: int) -> list[float]:
    """Latencies of `requests` GETs of `path` from CONCURRENCY threads, one client each."""
    clients = [make_client() for _ in range(CONCURRENCY)]

    def one(index: int) -> float:
        start = time.perf_counter()
        response = clients[index % CONCURRENCY].get(path)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (path, response.status_code)
        return elapsed

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, range(CONCURRENCY * 2)))  # warm every client and the caches
        return list(pool.map(one, range(requests)))


def row(label: str, timings: list[float], floor: float) -> None:
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(
        f"{label:<30} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  "
        f"{p95 / floor:6.1f}x floor p95  goal p95 < {GOAL_MS:.0f} ms"
        f"{'  met' if p95 < GOAL_MS else ''}"
    )


def seed_invitations(survey_id: int, invited: int) -> int:
    """Invite `invited` members to the wave and mark two in three completed, spread over
    four weeks (the demo waves are seeded without invitations). The demo panel has about
    1,150 members: the others are made here, as bare paper members like theirs."""
    from fieldwork.models import Invitation
    from panel.models import Member

    members = db.session.scalars(db.select(Member.id).order_by(Member.id)).all()[:invited]
    members += extra_members(invited - len(members))
    start = utcnow() - timedelta(days=28)
    step = timedelta(days=28) / max(len(members), 1)
    rows = [
        {
            "survey_id": survey_id,
            "member_id": member_id,
            "invited_at": start,
            "took_part": index % 3 != 0,
            "completed_at": start + step * index if index % 3 else None,
        }
        for index, member_id in enumerate(members)
    ]
    db.session.execute(db.insert(Invitation), rows)
    return len(rows)


def extra_members(count: int) -> list[int]:
    """`count` synthetic paper members copying the profiles of the demo panel's, in bulk."""
    from panel.models import Channel, Member, MemberStatus, Respondent

    if count <= 0:
        return []
    profiles = db.session.execute(
        db.select(
            Member.village_id, Member.birth_year, Member.age_band, Member.sex, Member.household
        )
    ).all()
    first = (db.session.scalar(db.select(func.max(Respondent.id))) or 0) + 1
    ids = range(first, first + count)
    db.session.execute(
        db.insert(Respondent), [{"id": i, "pseudonym": f"bench{i:011d}"} for i in ids]
    )
    members = [
        {
            **profiles[n % len(profiles)]._asdict(),
            "respondent_id": respondent_id,
            "channel": Channel.PAPER,
            "status": MemberStatus.ACTIVE,
            "synthetic": True,
        }
        for n, respondent_id in enumerate(ids)
    ]
    db.session.execute(db.insert(Member), members)
    made = db.select(Member.id).where(Member.respondent_id >= first).order_by(Member.id)
    return list(db.session.scalars(made))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--invited", type=int, default=10_528, help="invitations of the wave")
    parser.add_argument(
        "--databases",
        nargs="+",
        choices=["sqlite", "postgresql"],
        default=["sqlite", "postgresql"],
        help="each in a throwaway database; PostgreSQL at $BENCH_POSTGRES_URL or %(default)s",
    )
    parser.add_argument("--database-url", help="an empty database to use instead")
    args = parser.parse_args()
    if args.database_url:
        bench(args.database_url, args)
        return
    for kind in args.databases:
        if kind == "sqlite":
            bench(None, args)
        else:
            with throwaway_postgres() as url:
                bench(url, args)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """An empty database on the PostgreSQL server, dropped afterwards."""
    admin = create_engine(
        os.environ.get("BENCH_POSTGRES_URL", POSTGRES), isolation_level="AUTOCOMMIT"
    )
    name = f"naoberpanel_bench_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench(database_url: str | None, args: argparse.Namespace) -> None:
    with bench_app(database_url) as app:
        official, association, survey_id, invited = seed(app, args.invited)
        bare = Flask("floor")
        bare.get("/")(lambda: "ok")
        floor_timings = concurrent_ms(bare.test_client, "/", args.requests)
        floor = statistics.quantiles(floor_timings, n=20)[-1]
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, {invited} invited")
        row("floor (bare Flask route)", floor_timings, floor)
        pages = [
            ("results page, official", official, f"/surveys/{survey_id}/results"),
            ("results page, association", association, f"/surveys/{survey_id}/results"),
            ("monitor, official", official, f"/surveys/{survey_id}/responses"),
            ("monitor, association", association, f"/surveys/{survey_id}/responses"),
        ]
        for label, account, path in pages:
            timings = concurrent_ms(lambda a=account: logged_in_client(app, a), path, args.requests)
            row(label, timings, floor)


def seed(app: Flask, invited: int) -> tuple:
    """The demo panel, margins and two released waves, the newest with `invited`
    invitations: the official, the association (Orvelte), the wave and its invitations."""
    from accounts.models import Account
    from demo.panel import seed_panel
    from demo.results import seed_results_wave
    from population.demo import seed_demo_margins
    from surveys.models import Survey

    with app.app_context():
        seed_panel()
        seed_demo_margins()
        seed_results_wave()
        survey_id = db.session.scalar(db.select(func.max(Survey.id)))
        invited = seed_invitations(survey_id, invited)
        db.session.commit()
        official = db.session.scalar(
            db.select(Account).where(Account.email == "ambtenaar@middendrenthe.example")
        )
        association = db.session.scalar(
            db.select(Account).where(Account.email == "bestuur@orvelte.example")
        )
        return official, association, survey_id, invited


if __name__ == "__main__":
    main()
