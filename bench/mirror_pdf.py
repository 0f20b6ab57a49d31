"""The printed village mirror: seconds per village PDF (WeasyPrint in its child process), for
every village of the demo after one released wave, and the whole set as one download.
Goal: under 5 s per village.

Run: .venv/bin/python bench/mirror_pdf.py [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import bench_app

from core.db import db

GOAL_SECONDS = 5.0


def seed_released_wave() -> None:
    """The demo panel, margins and a closed wave whose figures are released."""
    from demo.panel import seed_panel
    from demo.results import seed_results_wave
    from population.demo import seed_demo_margins

    seed_panel()
    seed_demo_margins()
    seed_results_wave()
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    parser.add_argument("--language", default="nl")
    args = parser.parse_args()
    with bench_app(args.database_url) as app, app.app_context():
        from mirror import pdf
        from mirror.models import MirrorPdf

        seed_released_wave()
        started = time.perf_counter()
        seconds = pdf.render_all(lambda *_: None, args.language)
        total = time.perf_counter() - started
        assert seconds, "no released wave: nothing rendered"
        timings = sorted(seconds.values())
        combined = db.session.scalar(
            db.select(MirrorPdf).where(
                MirrorPdf.area == pdf.ALL, MirrorPdf.language == args.language
            )
        )
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
        print(f"villages rendered: {len(timings)}")
        print(
            f"seconds per village: median {statistics.median(timings):.2f}  "
            f"p95 {statistics.quantiles(timings, n=20)[-1]:.2f}  max {timings[-1]:.2f}"
        )
        slowest = max(seconds, key=seconds.get)
        print(f"slowest village: {slowest} ({seconds[slowest]:.2f} s)")
        print(f"whole job (child start, {len(timings)} villages, one combined PDF): {total:.1f} s")
        print(f"combined PDF: {len(combined.pdf) / 1024:.0f} KB")
        print(
            f"goal under {GOAL_SECONDS:.0f} s per village: "
            f"{'met' if timings[-1] < GOAL_SECONDS else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
