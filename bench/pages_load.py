"""The results page (official and association), the response monitor (10,528 invited) and
the village mirror, warm, at concurrency 8 against the production stack (`python -m
core.serve`: gunicorn with --preload, APP_ENV=production, Redis at 127.0.0.1:6379) on a
throwaway PostgreSQL database: the set-up issue 20 measured, where bench/results_page.py
serves from threads in one process and so measures the GIL as well.

Printed per page: p50/p95 latency, requests per second and the workers' CPU time per
request, against a floor measured in the same run: a bare Flask route served by the same
gunicorn setup (as bench/load.py does), at the same concurrency. Goal (issue 20): p95 < 50 ms.
Every response must be 200 and show the page's heading; any failure fails the run.

Run: .venv/bin/python bench/pages_load.py [--workers 4] [--requests 400] [--concurrency 8]
     [--invited 10528] [--admin-url URL]
The machine is shared and has two cores, which the client shares with the server: quote
medians of several runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import aiohttp
import uvloop
from common import bench_app
from load import (
    BARE_APP,
    CSRF,
    SECRET_KEY,
    Browser,
    Tally,
    bare_rate,
    client_session,
    free_port,
    p95,
    production_environment,
    running,
    throwaway_database,
    workers_cpu_seconds,
)
from results_page import seed

from accounts.models import Account
from accounts.services import issue_login_token
from core.db import db
from demo.results import DEMO_WAVE_TITLE

GOAL_P95_MS = 50.0
OFFICIAL, ASSOCIATION = "ambtenaar@middendrenthe.example", "bestuur@orvelte.example"
VILLAGE = ("beilen", "Beilen")
HEADING = '<h1 class="utrecht-heading-1">'


def seed_and_tokens(database_url: str, invited: int) -> tuple[int, int, dict[str, str]]:
    """Seed as bench/results_page.py does, then a login token for each account (no mail):
    the wave, its invitations and the raw tokens by email."""
    with bench_app(database_url, SECRET_KEY=SECRET_KEY) as app:
        _, _, survey_id, invited = seed(app, invited)
        with app.app_context():
            tokens = {}
            for email in (OFFICIAL, ASSOCIATION):
                account = db.session.scalar(db.select(Account).where(Account.email == email))
                tokens[email], _ = issue_login_token(account, timedelta(hours=1))
            db.session.commit()
    return survey_id, invited, tokens


async def log_in(port: int, token: str) -> dict[str, str]:
    """Open the login link, press its button: the session's cookies."""
    async with client_session(port, 1) as client:
        browser = Browser(client, Tally())
        confirm = await browser.request("GET", f"/login/{token}", 200)
        csrf = CSRF.search(confirm.text).group(1)
        await browser.request("POST", f"/login/{token}", 303, data={"csrf_token": csrf})
        return browser.cookies


async def page_load(
    port: int, cookies: dict[str, str], path: str, marker: str, concurrency: int, requests: int
) -> tuple[Tally, float]:
    """`requests` GETs of `path`, `concurrency` at a time, each client with its own copy of
    the session; a response that is not 200 or lacks `marker` counts as a failure."""
    tally, left = Tally(), [requests]
    async with client_session(port, concurrency, headers={"Accept-Language": "nl"}) as client:

        async def visitor() -> None:
            browser = Browser(client, tally)
            browser.cookies = dict(cookies)
            while left[0] > 0:
                left[0] -= 1
                try:
                    response = await browser.request("GET", path, 200)
                    if marker not in response.text:
                        raise AssertionError(f"GET {path}: no {marker!r} on the page")
                    tally.finished += 1
                except (AssertionError, aiohttp.ClientError) as failure:
                    tally.failures.append(str(failure))

        start = time.perf_counter()
        await asyncio.gather(*(visitor() for _ in range(concurrency)))
        return tally, time.perf_counter() - start


def measure_floor(workers: int, concurrency: int, requests: int) -> tuple[list, float, float]:
    """The bare route on its own gunicorn (same flags, same workers): latencies, req/s and
    the workers' CPU ms per request."""
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, "floor_app.py").write_text(BARE_APP)
        port = free_port()
        command = [
            *(sys.executable, "-m", "gunicorn", "--preload", "--no-control-socket"),
            *("--workers", str(workers), "--bind", f"127.0.0.1:{port}", "floor_app:app"),
        ]
        with running(command, dict(os.environ), port, "/", cwd=directory) as server:
            uvloop.run(bare_rate(port, concurrency, concurrency * 4))  # warm
            cpu = workers_cpu_seconds(server.pid)
            rate, latencies = uvloop.run(bare_rate(port, concurrency, requests))
            cpu = (workers_cpu_seconds(server.pid) - cpu) * 1000 / len(latencies)
    return latencies, rate, cpu


def line(label: str, latencies: list[float], rate: float, cpu: float, floor_p95: float) -> str:
    slow = p95(latencies)
    return (
        f"{label:<28} p50 {statistics.median(latencies):7.1f} ms  p95 {slow:7.1f} ms  "
        f"{rate:6.0f} req/s  CPU {cpu:6.2f} ms/req  {slow / floor_p95:5.1f}x floor p95  "
        f"{'met' if slow < GOAL_P95_MS else 'not met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--requests", type=int, default=400, help="per page, after warming")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--invited", type=int, default=10_528, help="invitations of the wave")
    parser.add_argument(
        "--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres", help="creates"
    )
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    with throwaway_database(args.admin_url) as (_, name):
        database_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        survey_id, invited, tokens = seed_and_tokens(database_url, args.invited)
        print(
            f"database: postgresql (throwaway {name}), {invited} invited, {args.workers} gunicorn "
            f"workers (--preload, APP_ENV=production), concurrency {args.concurrency}, "
            f"{args.requests} requests per page after warming, one client process"
        )
        floor, floor_rate, floor_cpu = measure_floor(args.workers, args.concurrency, args.requests)
        floor_p95 = p95(floor)
        print(line("floor: bare route, gunicorn", floor, floor_rate, floor_cpu, floor_p95))
        port = free_port()
        environment = production_environment(database_url, port, args.workers)
        failures = 0
        with running([sys.executable, "-m", "core.serve"], environment, port, "/healthz") as stack:
            official = uvloop.run(log_in(port, tokens[OFFICIAL]))
            association = uvloop.run(log_in(port, tokens[ASSOCIATION]))
            results, monitor = f"/surveys/{survey_id}/results", f"/surveys/{survey_id}/responses"
            slug, village = VILLAGE
            pages = [
                ("results page, official", official, results, "Uitkomsten van " + DEMO_WAVE_TITLE),
                ("results page, association", association, results, "Uitkomsten van "),
                ("monitor, official", official, monitor, "Respons op " + DEMO_WAVE_TITLE),
                ("monitor, association", association, monitor, "Respons op " + DEMO_WAVE_TITLE),
                ("mirror overview", {}, "/dorpsspiegel", "Dorpsspiegel"),
                (f"mirror village ({slug})", {}, f"/dorpsspiegel/{slug}", village),
            ]
            for label, cookies, path, marker in pages:
                marker = HEADING + marker
                warm = args.concurrency * args.workers * 2
                tally, _ = uvloop.run(
                    page_load(port, cookies, path, marker, args.concurrency, warm)
                )
                failures += len(tally.failures)
                cpu = workers_cpu_seconds(stack.pid)
                tally, seconds = uvloop.run(
                    page_load(port, cookies, path, marker, args.concurrency, args.requests)
                )
                cpu = (workers_cpu_seconds(stack.pid) - cpu) * 1000 / len(tally.latencies)
                failures += len(tally.failures)
                rate = len(tally.latencies) / seconds
                print(line(label, tally.latencies, rate, cpu, floor_p95), end="")
                print(f"  {tally.finished} ok, {len(tally.failures)} failed")
                for failure in tally.failures[:3]:
                    print("  failed:", failure)
    print(f"goal: p95 < {GOAL_P95_MS:.0f} ms at concurrency {args.concurrency}, warm")
    if failures:
        print(f"FAILED: {failures} responses not 200 or without the page's heading")
        sys.exit(1)


if __name__ == "__main__":
    main()
