"""Does asking for a login link take as long for an unknown address as for a known one?

Prints the median of POST /login for both, interleaved, and their difference against the
spread of the requests. Run: .venv/bin/python bench/login.py [--rounds N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

from common import bench_app, floor_ms, report

KNOWN = "ambtenaar@middendrenthe.example"
UNKNOWN = "niemand@middendrenthe.example"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    args = parser.parse_args()
    with bench_app(args.database_url, RATELIMIT_ENABLED=False) as app:
        client = app.test_client()
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text
        )
        samples: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
        for _ in range(args.rounds):
            for email, timings in samples.items():
                start = time.perf_counter()
                client.post("/login", data={"csrf_token": token.group(1), "email": email})
                timings.append((time.perf_counter() - start) * 1000)
        floor = floor_ms(args.rounds)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
        report("floor (bare Flask route)", floor, floor)
        known, unknown = statistics.median(samples[KNOWN]), statistics.median(samples[UNKNOWN])
        report("POST /login, known address", known, floor)
        report("POST /login, unknown address", unknown, floor)
        quartiles = statistics.quantiles(samples[KNOWN] + samples[UNKNOWN], n=4)
        print(
            f"difference of medians {known - unknown:+.3f} ms; "
            f"interquartile range {quartiles[2] - quartiles[0]:.3f} ms"
        )


if __name__ == "__main__":
    main()
