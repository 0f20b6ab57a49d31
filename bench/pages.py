"""Median time of the foundation's pages, against a bare Flask route measured in the same run.

Run: .venv/bin/python bench/pages.py [--rounds N] [--database-url URL]
Uses a throwaway SQLite database (or the given one, which must be empty or disposable).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from core.db import db  # noqa: E402
from demo.services import seed_villages  # noqa: E402


def median_ms(client, path: str, rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings)


def floor_client():
    bare = Flask("floor")
    bare.get("/")(lambda: "ok")
    return bare.test_client()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{directory}/bench.db"
        app = create_app({"APP_ENV": "testing", "SECRET_KEY": "b" * 64, "DATABASE_URL": url})
        with app.app_context():
            upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
            seed_villages()
            db.session.commit()
        client = app.test_client()
        floor = median_ms(floor_client(), "/", args.rounds)
        dialect = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
        print(f"database: {dialect}, rounds: {args.rounds}")
        print(f"{'floor (bare Flask route)':<28} {floor:7.3f} ms   1.0x")
        for label, path in [("home, 35 villages", "/"), ("healthz", "/healthz")]:
            value = median_ms(client, path, args.rounds)
            print(f"{label:<28} {value:7.3f} ms {value / floor:5.1f}x")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
