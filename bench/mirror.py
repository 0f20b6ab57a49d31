"""The village mirror: median and p95 of the overview and a village page, cold (first
request after a run is released) and warm (from the cache), against a bare Flask route
measured in the same run.

Run: .venv/bin/python bench/mirror.py [--rounds N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from common import bench_app

from core.db import db


def timings_ms(action: Callable[[], object], rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1]


def row(label: str, timings: list[float], floor: float) -> None:
    median, slow = statistics.median(timings), p95(timings)
    print(f"{label:<36} median {median:8.2f} ms  p95 {slow:8.2f} ms  {median / floor:6.1f}x")


def seed_released_wave() -> str:
    """The demo panel, margins and a closed wave whose figures are released; the slug of
    the village with the most figures of its own."""
    from demo.panel import seed_panel
    from demo.results import seed_results_wave
    from population.demo import seed_demo_margins

    seed_panel()
    seed_demo_margins()
    seed_results_wave()
    db.session.commit()
    return "beilen"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    args = parser.parse_args()
    with bench_app(args.database_url) as app:
        with app.app_context():
            slug = seed_released_wave()
        client = app.test_client()
        from flask import Flask

        bare = Flask("floor")
        bare.get("/")(lambda: "ok")
        bare_client = bare.test_client()
        floor_timings = timings_ms(lambda: bare_client.get("/"), args.rounds)
        floor = statistics.median(floor_timings)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
        row("floor (bare Flask route)", floor_timings, floor)
        pages = [("overview", "/dorpsspiegel"), (f"village page ({slug})", f"/dorpsspiegel/{slug}")]
        for label, path in pages:
            cold = []
            for _ in range(min(args.rounds, 30)):
                app.extensions.pop("mirror_cache", None)
                cold += timings_ms(lambda p=path: client.get(p), 1)
            row(f"{label}, cold", cold, floor)
            assert client.get(path).status_code == 200
            row(f"{label}, warm", timings_ms(lambda p=path: client.get(p), args.rounds), floor)


if __name__ == "__main__":
    main()
