"""Median time of the public pages, against a bare Flask route measured in the same run.

Run: .venv/bin/python bench/pages.py [--rounds N] [--database-url URL]
"""

from __future__ import annotations

import argparse

from common import bench_app, floor_ms, median_ms, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    args = parser.parse_args()
    with bench_app(args.database_url) as app:
        client = app.test_client()
        floor = floor_ms(args.rounds)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
        report("floor (bare Flask route)", floor, floor)
        for label, path in [
            ("home, 35 villages", "/"),
            ("login page", "/login"),
            ("healthz", "/healthz"),
        ]:
            report(label, median_ms(lambda p=path: client.get(p), args.rounds), floor)


if __name__ == "__main__":
    main()
