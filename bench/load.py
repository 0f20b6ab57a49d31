"""Residents answering a survey end to end, against the production stack (`python -m core.serve`:
gunicorn with --preload, the mail and job workers) on a throwaway PostgreSQL database and
the Redis at 127.0.0.1:6379. An asyncio client (aiohttp on uvloop) follows each personal
link, starts, answers the liveability survey page by page with CSRF, checks and sends, at
concurrency 8, 32 and 64; then the stored responses must equal the residents the client
finished.

Printed per concurrency: page requests per second, p50/p95 latency, the workers' own
memory (private RSS) and CPU time per request (the workers', the client's own and
PostgreSQL's: every postgres process on the machine),
against floors measured in the same run: a bare Flask route served by the same gunicorn
setup, and raw response-shaped INSERTs (one per transaction, from as many connections as
there are web workers). Goals (issue 20): at least half the insert floor, p95 < 100 ms
at 32, < 80 MB per worker.

Run: .venv/bin/python bench/load.py [--workers 4] [--residents 16] [--admin-url URL]
The machine is shared and has two cores, which the client shares with the server: quote
medians of several runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp
import psycopg
import uvloop
from common import ROOT
from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from app import create_app
from core.dates import local_today
from core.db import db, utcnow
from demo.panel import seed_panel
from demo.services import seed_accounts, seed_villages
from fieldwork.links import survey_token
from fieldwork.models import Invitation, Response, ResponseStatus
from panel.models import Member, MemberStatus
from surveys.services import create_survey
from surveys.templates import load_template

CONCURRENCY = (8, 32, 64)
#: The liveability survey's pages, answered as in tests/fieldwork/test_answering.py.
ANSWERS = [
    {"LEEF_CIJFER": "7", "VEILIG": "2"},
    {"SOC_KENNEN": "4"},
    {},
    {"VRIJWILLIG": "1"},
    {"TOEKOMST": "2", "VERHUIZEN": "1"},
]
GOAL_RATIO, GOAL_P95_MS, GOAL_RSS_MB = 0.5, 100.0, 80.0
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RESPONSE_ID = re.compile(r'name="_response"[^>]*value="([0-9a-f]+)"')
#: One key for the seeding and the servers, so the links' keys open.
SECRET_KEY = secrets.token_hex(32)
BARE_APP = 'from flask import Flask\napp = Flask("floor")\napp.get("/")(lambda: "ok")\n'


# --- the throwaway database ------------------------------------------------------------------


@contextmanager
def throwaway_database(admin_url: str):
    name = f"naoberpanel_load_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield psycopg.conninfo.make_conninfo(admin_url, dbname=name), name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(database_url: str, members: int) -> tuple[int, list[str]]:
    """Migrate, seed the demo panel, publish the liveability survey and invite every active
    member: the survey's id and the personal links' keys."""
    app = create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": database_url,
            "JOBS_WEB_WORKER": False,
            "MAIL_WEB_WORKER": False,
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        seed_villages()
        seed_accounts()
        seed_panel(members)
        survey = create_survey(load_template("leefbaarheid"), by=None)
        today = local_today()
        survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
        db.session.flush()
        active = db.session.scalars(
            select(Member.id).where(Member.status == MemberStatus.ACTIVE)
        ).all()
        db.session.execute(
            insert(Invitation), [{"survey_id": survey.id, "member_id": m} for m in active]
        )
        db.session.commit()
        invitations = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
        keys = [survey_token(invitation) for invitation in invitations]
        survey_id = survey.id
        db.engine.dispose()
    return survey_id, keys


def completed_responses(database_url: str, survey_id: int) -> int:
    app = create_app({"APP_ENV": "testing", "SECRET_KEY": SECRET_KEY, "DATABASE_URL": database_url})
    with app.app_context():
        counted = db.session.scalar(
            select(func.count()).where(
                Response.survey_id == survey_id, Response.status == ResponseStatus.COMPLETED
            )
        )
        db.engine.dispose()
    return counted


def insert_floor(conninfo: str, connections: int, seconds: float = 3.0) -> float:
    """Response-shaped rows inserted per second, one per transaction, from `connections`
    connections side by side: what the database itself allows a page save."""
    with psycopg.connect(conninfo, autocommit=True) as setup:
        setup.execute("CREATE TABLE load_floor (LIKE responses INCLUDING DEFAULTS)")
        row = setup.execute("SELECT survey_id, version_id FROM responses LIMIT 1").fetchone() or (
            1,
            1,
        )
    answers = '{"LEEF_CIJFER": "7", "VEILIG": "2", "SOC_KENNEN": "4"}'
    counts = [0] * connections
    deadline = time.perf_counter() + seconds

    def run(index: int) -> None:
        with psycopg.connect(conninfo) as connection:
            while time.perf_counter() < deadline:
                connection.execute(
                    "INSERT INTO load_floor (id, survey_id, version_id, channel, status, answers,"
                    " current_page, age_band, sex, started_at, updated_at)"
                    " VALUES (%s, %s, %s, 'web', 'started', %s, 1, '45-64', 'female',"
                    " now(), now())",
                    (secrets.token_hex(16), row[0], row[1], answers),
                )
                connection.commit()
                counts[index] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - start)


# --- the servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(database_url: str, port: int, workers: int) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "BASE_URL": "https://naoberpanel.example",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": "1",  # nothing is mailed: no confirmation is asked for
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": str(workers),
        "JOBS_QUEUE": f"load-{os.getpid()}",
    }


@contextmanager
def running(command: list[str], environment: dict[str, str], port: int, path: str, cwd=ROOT):
    """A server process group, up once `path` answers 200; stopped with SIGTERM."""
    process = subprocess.Popen(
        command, cwd=cwd, env=environment, start_new_session=True, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                    break  # urlopen raises on any status but 2xx
            except (OSError, urllib.error.URLError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[2:4]} did not start")
            time.sleep(0.2)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *descendants(child)]
    return found


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def worker_private_mb(stack_pid: int) -> list[float]:
    """Each gunicorn worker's own memory (private pages; the preloaded copy is shared)."""
    sizes = []
    for pid in descendants(stack_pid):
        try:
            if not (_is_gunicorn(pid) and _is_gunicorn(_parent(pid))):
                continue  # not a worker (the master's parent is core.serve)
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        private = sum(
            int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Private_")
        )
        sizes.append(private / 1024)
    return sizes


def workers_cpu_seconds(stack_pid: int) -> float:
    """User and system CPU time the gunicorn workers used so far."""
    ticks = 0
    for pid in descendants(stack_pid):
        try:
            if _is_gunicorn(pid) and _is_gunicorn(_parent(pid)):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds() -> float:
    """User and system CPU time of PostgreSQL so far: every server process on the machine,
    and the backends that have ended (counted in the postmaster's children's time)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, fields = stat.split("(", 1)[1].rsplit(")", 1)
        if name == "postgres":
            fields = fields.split()
            ticks += int(fields[11]) + int(fields[12])
            if fields[1] == "1":  # the postmaster (its parent is init or a service manager)
                ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _is_gunicorn(pid: int) -> bool:
    return b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


# --- the client --------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    finished: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class Page:
    status: int
    headers: Mapping[str, str]
    text: str


def client_session(port: int, concurrency: int, **kwargs) -> aiohttp.ClientSession:
    """One connection pool for all residents. aiohttp, not httpx: httpx spent four times
    the CPU per request (1.3 against 0.3 ms for a bare route), taken from the same two
    cores the server runs on, and so made the server look slower than it is; for the same
    reason the client runs on uvloop (`uvloop.run`), not asyncio's own loop (0.70 against
    0.90 ms per answer request). Cookies are each resident's own (`Browser`), never the
    session's."""
    return aiohttp.ClientSession(
        f"http://127.0.0.1:{port}",
        connector=aiohttp.TCPConnector(limit=concurrency),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=60),
        **kwargs,
    )


class Browser:
    """One resident's cookies. Kept by hand: the production cookies are Secure, which an
    http:// client would not send back (a TLS proxy sits in front in production)."""

    def __init__(self, client: aiohttp.ClientSession, tally: Tally):
        self.client, self.tally, self.cookies = client, tally, {}

    async def request(self, method: str, path: str, expect: int, data=None) -> Page:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        start = time.perf_counter()
        async with self.client.request(
            method, path, headers=headers, data=data, allow_redirects=False
        ) as response:
            page = Page(response.status, response.headers, await response.text())
        self.tally.latencies.append((time.perf_counter() - start) * 1000)
        for cookie in response.headers.getall("Set-Cookie", ()):
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        if page.status != expect:
            raise AssertionError(f"{method} {path}: {page.status}, not {expect}")
        return page


async def answer(browser: Browser, key: str) -> None:
    """Follow the link, start, answer every page, check and send."""
    address = (await browser.request("GET", f"/enquete/{key}", 303)).headers["location"]
    csrf = CSRF.search((await browser.request("GET", address, 200)).text).group(1)
    going = await browser.request("POST", address, 303, data={"csrf_token": csrf})
    for number, answers in enumerate(ANSWERS, start=1):
        page = f"{address}/pagina/{number}"
        assert going.headers["location"].endswith(page), (going.headers["location"], page)
        html = (await browser.request("GET", page, 200)).text
        form = {"csrf_token": csrf, "_action": "next", "_response": RESPONSE_ID.search(html)[1]}
        going = await browser.request("POST", page, 303, data={**form, **answers})
    assert going.headers["location"].endswith(f"{address}/versturen")
    html = (await browser.request("GET", f"{address}/versturen", 200)).text
    form = {"csrf_token": csrf, "_response": RESPONSE_ID.search(html)[1]}
    sent = await browser.request("POST", f"{address}/versturen", 303, data=form)
    assert sent.headers["location"].endswith(f"{address}/bedankt")


async def load(port: int, keys: list[str], concurrency: int) -> tuple[Tally, float]:
    """Every key answered once, `concurrency` residents at a time."""
    tally, queue = Tally(), list(reversed(keys))
    async with client_session(port, concurrency) as client:

        async def resident() -> None:
            while queue:
                key = queue.pop()
                try:
                    await answer(Browser(client, tally), key)
                    tally.finished += 1
                except (AssertionError, aiohttp.ClientError) as failure:
                    tally.failures.append(str(failure))

        start = time.perf_counter()
        await asyncio.gather(*(resident() for _ in range(concurrency)))
        return tally, time.perf_counter() - start


async def bare_rate(port: int, concurrency: int, requests: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    async with client_session(port, concurrency) as client:

        async def one() -> None:
            for _ in range(requests // concurrency):
                start = time.perf_counter()
                async with client.get("/") as response:
                    assert response.status == 200 and await response.text() == "ok"
                latencies.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(concurrency)))
        return len(latencies) / (time.perf_counter() - start), latencies


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1]


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--residents", type=int, default=16, help="per 8 concurrent residents")
    parser.add_argument("--members", type=int, default=0, help="panel size (default: enough)")
    parser.add_argument(
        "--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres", help="creates"
    )
    args = parser.parse_args()
    wanted = sum(args.residents * c // 8 for c in CONCURRENCY)
    members = args.members or int(wanted * 1.3) + 50  # some left the panel, some paused
    with throwaway_database(args.admin_url) as (conninfo, name):
        database_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        survey_id, keys = seed(database_url, members)
        assert len(keys) >= wanted, f"{len(keys)} invited, {wanted} needed: raise --members"
        print(
            f"database: postgresql (throwaway {name}), {len(keys)} invited, "
            f"{args.workers} gunicorn workers (--preload), one client process"
        )
        inserts = insert_floor(conninfo, args.workers)
        with tempfile.TemporaryDirectory() as directory:
            Path(directory, "floor_app.py").write_text(BARE_APP)
            port = free_port()
            command = [
                sys.executable,
                "-m",
                "gunicorn",
                "--preload",
                "--no-control-socket",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "floor_app:app",
            ]
            with running(command, dict(os.environ), port, "/", cwd=directory):
                bare, bare_latencies = uvloop.run(bare_rate(port, 32, 3000))
        print(
            f"floor: raw response INSERT + COMMIT  {inserts:8.0f} /s  ({args.workers} connections)"
        )
        print(
            f"floor: bare route, same gunicorn      {bare:8.0f} req/s  "
            f"p50 {statistics.median(bare_latencies):6.1f} ms  p95 {p95(bare_latencies):6.1f} ms"
            "  (concurrency 32)"
        )
        port = free_port()
        environment = production_environment(database_url, port, args.workers)
        command = [sys.executable, "-m", "core.serve"]
        finished, rows = 0, []
        with running(command, environment, port, "/healthz") as stack:
            for concurrency in CONCURRENCY:
                batch = [keys.pop() for _ in range(args.residents * concurrency // 8)]
                cpu, client = workers_cpu_seconds(stack.pid), time.process_time()
                database = database_cpu_seconds()
                tally, seconds = uvloop.run(load(port, batch, concurrency))
                cpu = (workers_cpu_seconds(stack.pid) - cpu) * 1000 / len(tally.latencies)
                client = (time.process_time() - client) * 1000 / len(tally.latencies)
                database = (database_cpu_seconds() - database) * 1000 / len(tally.latencies)
                finished += tally.finished
                rate = len(tally.latencies) / seconds
                memory = worker_private_mb(stack.pid)
                rows.append((concurrency, rate, tally, memory, cpu, client, database))
                for failure in tally.failures[:3]:
                    print("  failed:", failure)
        stored = completed_responses(database_url, survey_id)
    print(
        f"{'concurrency':>11} {'req/s':>7} {'ratio':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'worker MB':>9} {'CPU ms/req':>10} {'client':>6} {'PG':>5}  residents"
    )
    for concurrency, rate, tally, memory, cpu, client, database in rows:
        print(
            f"{concurrency:>11} {rate:7.0f} {rate / inserts:6.2f} "
            f"{statistics.median(tally.latencies):7.1f} {p95(tally.latencies):7.1f} "
            f"{max(memory, default=0):9.1f} {cpu:10.2f} {client:6.2f} {database:5.2f}  "
            f"{tally.finished} sent, {len(tally.failures)} failed"
        )
    print(
        f"goal: req/s >= {GOAL_RATIO} x insert floor ({GOAL_RATIO * inserts:.0f}/s), "
        f"p95 < {GOAL_P95_MS:.0f} ms at 32, worker < {GOAL_RSS_MB:.0f} MB own memory; "
        f"bare route ratio at 32: {rows[1][1] / bare:.2f}"
    )
    print(
        f"stored completed responses {stored}, client sent {finished}: "
        f"{'equal' if stored == finished else 'DIFFERENT'}"
    )
    if stored != finished:
        sys.exit(1)


if __name__ == "__main__":
    main()
