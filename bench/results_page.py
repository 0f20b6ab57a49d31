"""The results page (official and association) and the response monitor at concurrency 8
with a warm cache: p50 and p95 against a bare Flask route measured the same way in the
same run. Goal (issue 20): p95 < 50 ms.

Run: .venv/bin/python bench/results_page.py [--requests N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from common import bench_app, logged_in_client
from flask import Flask
from sqlalchemy import func

from core.db import db, utcnow

CONCURRENCY = 8
GOAL_MS = 50.0


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
    )


def seed_invitations(survey_id: int) -> int:
    """Invite every member to the wave and mark two in three completed, spread over four
    weeks (the demo waves are seeded without invitations)."""
    from fieldwork.models import Invitation
    from panel.models import Member

    members = db.session.scalars(db.select(Member.id)).all()
    start = utcnow() - timedelta(days=28)
    rows = [
        {
            "survey_id": survey_id,
            "member_id": member_id,
            "invited_at": start,
            "took_part": index % 3 != 0,
            "completed_at": start + timedelta(minutes=37 * index) if index % 3 else None,
        }
        for index, member_id in enumerate(members)
    ]
    db.session.execute(db.insert(Invitation), rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    args = parser.parse_args()
    with bench_app(args.database_url) as app:
        from accounts.models import Account
        from surveys.models import Survey

        with app.app_context():
            from demo.panel import seed_panel
            from demo.results import seed_results_wave
            from population.demo import seed_demo_margins

            seed_panel()
            seed_demo_margins()
            seed_results_wave()
            survey_id = db.session.scalar(db.select(func.max(Survey.id)))
            invited = seed_invitations(survey_id)
            db.session.commit()
            official = db.session.scalar(
                db.select(Account).where(Account.email == "ambtenaar@middendrenthe.example")
            )
            association = db.session.scalar(
                db.select(Account).where(Account.email == "bestuur@orvelte.example")
            )
            assert db.session.get(Survey, survey_id)

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
        ]
        for label, account, path in pages:
            timings = concurrent_ms(lambda a=account: logged_in_client(app, a), path, args.requests)
            row(label, timings, floor)


if __name__ == "__main__":
    main()
