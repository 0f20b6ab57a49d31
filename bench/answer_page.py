"""The heaviest answer page (the liveability survey's page 3: ten Likert statements, sixty
radio buttons) in-process: CPU per request (time.process_time, steadier than the clock on a
shared machine) for a GET and for a POST re-rendered with an error, as medians against a
bare Flask route measured in the same run. Goal (issue 20): the page's rendering, about
two thirds of a GET, cut by half or more; the HTML stays byte for byte the same
(tests/fieldwork/test_answer_render.py).

With --journey, a resident's whole journey instead, as bench/load.py makes it but in-process:
the production settings (Redis rate limits, secure cookies) on a throwaway PostgreSQL
database, CPU and SQL statements per request type (medians over the residents, after the
process's first requests, which are shown apart), PostgreSQL's CPU per request (the
backends of the app's pool), and a cProfile (CPU clock) of one request
type with --profile "POST page" (or "all"); PROFILE_SORT=tottime sorts it by own time, and
PROFILE_CALLERS="local.py:310;'lower'" adds who called the functions matching each pattern,
PROFILE_ONLY="sqlalchemy|_link" lists only the functions matching a regular expression;
it also prints the Python function calls per request, a steadier figure than CPU time.

Run: .venv/bin/python bench/answer_page.py [--rounds 200] [--language nl|en]
     .venv/bin/python bench/answer_page.py --journey [--residents 60] [--profile KIND]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import load
import psycopg
from common import bench_app
from flask import Flask
from sqlalchemy import event, select

from app import create_app
from core.dates import local_today
from core.db import db, utcnow
from demo.panel import seed_panel
from fieldwork.links import survey_token
from fieldwork.models import Invitation
from panel.models import Member
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from

RESPONSE_ID = re.compile(r'name="_response"[^>]*value="([0-9a-f]+)"')
ANSWERS = load.ANSWERS
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def cpu_ms(action: Callable[[], object], rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        start = time.process_time()
        action()
        timings.append((time.process_time() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--language", choices=("nl", "en"), default="nl")
    parser.add_argument("--journey", action="store_true", help="whole journeys on PostgreSQL")
    parser.add_argument("--residents", type=int, default=60)
    parser.add_argument("--profile", help='a request type ("GET page"), or "all"')
    args = parser.parse_args()
    if args.journey:
        journey(args.residents, args.profile)
        return
    with bench_app(RATELIMIT_ENABLED=False) as app:
        token = invited(app)
        resident = app.test_client()
        with resident.session_transaction() as session:
            session["language"] = args.language
        address = resident.get(f"/enquete/{token}").location  # the key becomes a cookie
        resident.post(address, data={"csrf_token": csrf_token_from(resident.get(address).text)})

        def post(number: int, answers: dict):
            page = f"{address}/pagina/{number}"
            html = resident.get(page).text
            form = {"csrf_token": csrf_token_from(html), "_action": "next", **answers}
            form["_response"] = RESPONSE_ID.search(html)[1]
            return resident.post(page, data=form), form

        assert post(1, {"LEEF_CIJFER": "7", "VEILIG": "2"})[0].status_code == 303
        assert post(2, {"SOC_KENNEN": "4"})[0].status_code == 303
        refused, wrong = post(3, {"VOORZ_WINKEL": "zz", "VOORZ_ARTS": "3"})
        assert refused.status_code == 422  # re-rendered with an error, nothing saved
        page = f"{address}/pagina/3"
        floor = bare_floor(args.rounds)
        print(f"language: {args.language}, {args.rounds} rounds, CPU per request (median)")
        report("floor (bare Flask route)", floor, floor)
        report("answer page 3: GET", cpu_ms(lambda: resident.get(page), args.rounds), floor)
        report(
            "answer page 3: POST with an error",
            cpu_ms(lambda: resident.post(page, data=wrong), args.rounds),
            floor,
        )


def invited(app: Flask) -> str:
    """A published liveability survey and one invited member: the link's key."""
    with app.app_context():
        seed_panel(20)
        survey = create_survey(load_template("leefbaarheid"), by=None)
        today = local_today()
        survey.publish(today - timedelta(days=1), today + timedelta(days=30), utcnow())
        invitation = Invitation(survey=survey, member=db.session.scalars(select(Member)).first())
        db.session.add(invitation)
        db.session.commit()
        return survey_token(invitation)


def bare_floor(rounds: int) -> float:
    bare = Flask("floor")
    bare.get("/")(lambda: "ok")
    client = bare.test_client()
    return cpu_ms(lambda: client.get("/"), rounds)


def report(label: str, value: float, floor: float) -> None:
    print(f"{label:<36} {value:8.3f} ms CPU {value / floor:6.1f}x")


# --- the whole journey ---------------------------------------------------------------------


class Journeys:
    """Residents answering one after the other through the test client, timed and counted
    per request type."""

    def __init__(self, app: Flask, profile: str | None):
        self.app, self.profile = app, profile
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.statements: dict[str, list[int]] = defaultdict(list)
        self.profiler = cProfile.Profile(time.process_time) if profile else None
        self.counted: list[str] = []
        self.profiled = 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, *args) -> None:
        self.counted.append(statement)

    def request(self, kind: str, client, method: str, path: str, expect: int, data=None):
        self.counted.clear()
        profiling = self.profiler is not None and self.profile in (kind, "all")
        if profiling:
            self.profiled += 1
            self.profiler.enable()
        start = time.process_time()
        response = client.open(path, method=method, data=data, **SECURE)
        self.cpu[kind].append((time.process_time() - start) * 1000)
        if profiling:
            self.profiler.disable()
        assert response.status_code == expect, (kind, response.status_code)
        self.statements[kind].append(len(self.counted))
        return response

    def answer(self, key: str) -> None:
        """Follow the link, start, answer every page, check and send (as bench/load.py)."""
        client = self.app.test_client()
        address = self.request("GET link", client, "GET", f"/enquete/{key}", 303).location
        address = address.removeprefix(SECURE["base_url"])
        welcome = self.request("GET start", client, "GET", address, 200).text
        csrf = csrf_token_from(welcome)
        self.request("POST start", client, "POST", address, 303, {"csrf_token": csrf})
        for number, answers in enumerate(ANSWERS, start=1):
            page = f"{address}/pagina/{number}"
            html = self.request("GET page", client, "GET", page, 200).text
            form = {"csrf_token": csrf, "_action": "next", "_response": RESPONSE_ID.search(html)[1]}
            self.request("POST page", client, "POST", page, 303, {**form, **answers})
        html = self.request("GET send", client, "GET", f"{address}/versturen", 200).text
        form = {"csrf_token": csrf, "_response": RESPONSE_ID.search(html)[1]}
        self.request("POST send", client, "POST", f"{address}/versturen", 303, form)

    def report(self) -> None:
        print(
            f"{'request':<11} {'first ms':>8} {'CPU ms':>7} {'SQL':>4}  (medians after the first)"
        )
        per_journey = cpu = 0.0
        for kind, timings in self.cpu.items():
            times = len(timings) // len(self.cpu["GET link"])
            cpu += statistics.median(timings[times:]) * times
            per_journey += statistics.median(self.statements[kind]) * times
            print(
                f"{kind:<11} {timings[0]:8.1f} {statistics.median(timings[times:]):7.2f} "
                f"{statistics.median(self.statements[kind]):4.0f}"
            )
        requests = sum(len(t) for t in self.cpu.values()) // len(self.cpu["GET link"])
        print(
            f"journey: {requests} requests, {cpu / requests:.2f} ms CPU per request, "
            f"{per_journey:.0f} SQL statements"
        )
        if self.profiler is not None:
            stats = pstats.Stats(self.profiler).sort_stats(
                os.environ.get("PROFILE_SORT", "cumulative")
            )
            stats.print_stats(os.environ.get("PROFILE_ONLY", ""), 60)
            # Counted, not timed: steadier than CPU time on a shared machine for comparing
            # two versions (the first requests, which compile templates, are included).
            calls = stats.total_calls / self.profiled
            print(f"profiled: {calls:.0f} Python function calls per request")
            print_own_time_by_package(stats, self.profiled)
            if os.environ.get("PROFILE_CALLERS"):
                for pattern in os.environ["PROFILE_CALLERS"].split(";"):
                    stats.print_callers(pattern)


def print_own_time_by_package(stats: pstats.Stats, requests: int) -> None:
    """Own time and calls per request, summed by the package a function lives in (our own
    code by its top folder, the standard library and built-ins apart)."""
    own: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for (filename, _, _), (_, calls, tottime, _, _) in stats.stats.items():
        own[package_of(filename)][0] += tottime
        own[package_of(filename)][1] += calls
    total = sum(seconds for seconds, _ in own.values())
    print(f"{'own time by package':<24} {'ms/request':>10} {'share':>6} {'calls/request':>13}")
    for package, (seconds, calls) in sorted(own.items(), key=lambda item: -item[1][0]):
        print(
            f"{package:<24} {seconds * 1000 / requests:10.3f} {seconds / total:6.1%} "
            f"{calls / requests:13.0f}"
        )


def package_of(filename: str) -> str:
    if filename == "~" or filename.startswith("<"):
        return "(built-in)"
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    root = Path(__file__).resolve().parent.parent
    if path.is_relative_to(root):
        return path.relative_to(root).parts[0].removesuffix(".py") + " (ours)"
    return "(standard library)"


#: The production cookies are Secure; the CSRF check of an https request wants a Referer.
SECURE = {
    "base_url": "https://naoberpanel.example",
    "headers": {"Referer": "https://naoberpanel.example/"},
}


def journey(residents: int, profile: str | None) -> None:
    with load.throwaway_database(ADMIN_URL) as (_, name):
        database_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        _, keys = load.seed(database_url, residents + 50)
        settings = load.production_environment(database_url, port=0, workers=1)
        settings.update(MAIL_WEB_WORKER="0", JOBS_WEB_WORKER="0")
        with patched_environment(settings):
            app = create_app()
        journeys = Journeys(app, profile)
        journeys.answer(keys[0])  # the connection is opened and its statements prepared
        database_cpu = backends_cpu_seconds(name)
        requests = sum(len(timings) for timings in journeys.cpu.values())
        for key in keys[1:residents]:
            journeys.answer(key)
        requests = sum(len(timings) for timings in journeys.cpu.values()) - requests
        journeys.report()
        database_ms = (backends_cpu_seconds(name) - database_cpu) * 1000 / requests
        print(f"PostgreSQL: {database_ms:.2f} ms CPU per request (this database's backends)")
        with app.app_context():
            db.engine.dispose()


def backends_cpu_seconds(database: str) -> float:
    """User and system CPU time so far of the PostgreSQL backends connected to `database`
    (the app's pool): unlike the whole server's, not clouded by other work on the machine."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        pids = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)
        ).fetchall()
    ticks = 0
    for (pid,) in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def patched_environment(settings: dict[str, str]):
    """The app reads its settings from the environment, as in production."""
    saved = dict(os.environ)
    os.environ.update(settings)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


if __name__ == "__main__":
    main()
