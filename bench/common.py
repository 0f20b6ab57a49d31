"""Shared set-up for the benchmarks: a migrated, seeded throwaway database and a timer."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from core.db import db  # noqa: E402
from demo.services import seed_accounts, seed_villages  # noqa: E402


@contextmanager
def bench_app(database_url: str | None = None, **settings) -> Iterator[Flask]:
    """An app on a fresh SQLite file (or the given empty database) with the demo data."""
    with tempfile.TemporaryDirectory() as directory:
        config = {
            "APP_ENV": "testing",
            "SECRET_KEY": "b" * 64,
            "DATABASE_URL": database_url or f"sqlite:///{directory}/bench.db",
            "JOBS_WEB_WORKER": False,
            "MAIL_WEB_WORKER": False,
            **settings,
        }
        app = create_app(config)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            seed_villages()
            seed_accounts()
            db.session.commit()
        yield app
        with app.app_context():
            db.engine.dispose()


def median_ms(action: Callable[[], object], rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def floor_ms(rounds: int) -> float:
    """A bare Flask route through the test client: the cost of the machinery alone."""
    bare = Flask("floor")
    bare.get("/")(lambda: "ok")
    client = bare.test_client()
    return median_ms(lambda: client.get("/"), rounds)


def report(label: str, value: float, floor: float) -> None:
    print(f"{label:<34} {value:8.3f} ms {value / floor:6.1f}x")


def logged_in_client(app: Flask, account):
    """A test client with the session a magic-link login gives `account`."""
    client = app.test_client()
    with client.session_transaction() as session:
        now = int(time.time())
        session.update(
            {"account_id": account.id, "epoch": account.session_epoch, "seen": now, "since": now}
        )
    return client
