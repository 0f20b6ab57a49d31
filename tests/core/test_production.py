"""The production stack (`make serve`, core/serve.py) as it runs on a server: gunicorn, the mail
worker and the job worker on PostgreSQL and Redis, mail through a real SMTP server. A
resident logs in through the mailed link, answers a survey from their page and stops it all.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from core import serve
from core.db import db
from fieldwork.models import Response, ResponseStatus
from tests.conftest import csrf_token_from, free_port
from tests.core.test_make import planned
from tests.fieldwork.test_answering import LIVING, invite, publish
from tests.jobs.conftest import redis_url  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
HOST = "naoberpanel.test"
#: Starting takes a few seconds on an idle machine; much longer on a loaded one.
START_SECONDS = 90
LINK = re.compile(rf"https://{re.escape(HOST)}(/login/[A-Za-z0-9_\-]+)")


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        if result := condition():
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class Browser:
    """A browser behind the TLS proxy: the proxy's headers say HTTPS, so the app sets Secure
    cookies, which this browser sends back over the plain loopback connection."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        # A client address of its own, so the per-address login limit (in Redis, which
        # outlives the run) never counts earlier runs.
        self.address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.1"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": HOST,
            "X-Forwarded-For": self.address,
            "Referer": f"https://{HOST}{path}",  # CSRF on HTTPS checks the referrer
        }
        answer = requests.request(
            method,
            self.base + path,
            headers=headers,
            cookies=self.cookies,
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )
        self.cookies.update(answer.cookies.get_dict())
        return answer

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict | None = None) -> requests.Response:
        """GET the page for its CSRF token, then POST the form to the same address."""
        token = csrf_token_from(self.get(path).text)
        return self.request("POST", path, data={"csrf_token": token, **(data or {})})


def response_id(page: str) -> str:
    """The response a page belongs to, from its hidden field (attributes in any order)."""
    [tag] = re.findall(r'<input[^>]*name="_response"[^>]*>', page)
    return re.search(r'value="([0-9a-f]{32})"', tag).group(1)


def local(location: str) -> str:
    return re.sub(rf"^https://{re.escape(HOST)}", "", location)


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (gunicorn's workers are the stack's grandchildren)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def production_environment(app, redis: str, smtp_port: int, web_port: int) -> dict:
    return {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["DATABASE_URL"],
        "REDIS_URL": redis,
        "RATELIMIT_STORAGE_URI": redis,
        "JOBS_QUEUE": app.config["JOBS_QUEUE"],
        "BASE_URL": f"https://{HOST}",
        "TRUSTED_PROXIES": "1",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_POLL_SECONDS": "0.2",
        "WEB_BIND": f"127.0.0.1:{web_port}",
        "WEB_WORKERS": "2",
    }


@pytest.fixture
def stack(app, redis_url, smtp_server, tmp_path):  # noqa: F811
    """`python -m core.serve` (what `make serve` runs) with production settings. Its output
    is printed after the test, which pytest shows when the test fails."""
    port = free_port()
    env = production_environment(app, redis_url, smtp_server.port, port)
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "core.serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.port = port
        try:
            yield process
        finally:
            if process.poll() is None:
                for pid in descendants(process.pid):
                    os.kill(pid, signal.SIGKILL)
                process.kill()
                process.wait()
            print(log_path.read_text()[-5000:])


def healthy(browser: Browser) -> bool:
    try:
        return browser.get("/healthz").status_code == 200
    except requests.ConnectionError:
        return False


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_production_stack_serves_logs_in_by_mail_answers_and_stops_cleanly(
    app, make_member, smtp_server, stack
):
    member = make_member(email=f"inwoner-{secrets.token_hex(3)}@example.nl")
    invite(publish(LIVING), member)
    browser = Browser(stack.port)
    wait_until(lambda: stack.poll() is not None or healthy(browser), START_SECONDS, "/healthz")
    assert stack.poll() is None, "the stack stopped while starting"

    # Login: a job makes the link, the mail worker sends it to the SMTP server.
    asked = browser.post_form("/login", {"email": member.account.email})
    assert asked.status_code == 200
    [mail] = wait_until(lambda: smtp_server.inbox.messages, 60, "the login mail")
    assert mail["To"] == member.account.email
    path = LINK.search(mail.get_body(("plain",)).get_content()).group(1)
    logged_in = browser.post_form(path)
    assert logged_in.status_code == 303
    assert "Secure" in logged_in.headers["Set-Cookie"]  # production settings, behind TLS

    # The member's page lists the survey with its personal link.
    survey_link = re.search(r'href="(/enquete/[^"/]+)"', browser.get("/me/").text).group(1)
    opened = browser.get(survey_link)
    assert opened.status_code == 303
    address = local(opened.headers["Location"])
    started = browser.post_form(address)
    assert local(started.headers["Location"]) == f"{address}/pagina/1"
    for number, data in enumerate([{"WOONT": "1"}, {"JAREN": "12"}, {}], start=1):
        page = browser.get(f"{address}/pagina/{number}").text
        form = {
            "csrf_token": csrf_token_from(page),
            "_action": "next",
            "_response": response_id(page),
            **data,
        }
        answered = browser.request("POST", f"{address}/pagina/{number}", data=form)
        assert answered.status_code == 303, answered.text
    check = browser.get(f"{address}/versturen").text
    form = {"csrf_token": csrf_token_from(check), "_response": response_id(check), "confirm": "y"}
    sent = browser.request("POST", f"{address}/versturen", data=form)
    assert local(sent.headers["Location"]) == f"{address}/bedankt"
    wait_until(lambda: len(smtp_server.inbox.messages) == 2, 60, "the confirmation mail")
    assert smtp_server.inbox.messages[1]["To"] == member.account.email
    db.session.rollback()
    [response] = db.session.scalars(select(Response)).all()
    assert response.status is ResponseStatus.COMPLETED
    assert response.answers == {"WOONT": "1", "JAREN": 12}

    processes = descendants(stack.pid)
    assert len(processes) >= 5  # gunicorn and its 2 workers, the mail and the job worker
    stack.send_signal(signal.SIGTERM)
    assert stack.wait(60) == 0
    assert not [pid for pid in processes if alive(pid)]


def test_the_stack_stops_everything_and_fails_when_one_process_dies(monkeypatch):
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    dying = [sys.executable, "-c", "raise SystemExit(3)"]
    monkeypatch.setattr(serve, "commands", lambda env: {"web": sleeper, "mail": dying})
    stack = serve.Stack()
    stack.start(dict(os.environ))
    assert stack.watch() == "mail"
    assert stack.processes["mail"].returncode == 3
    assert stack.stop()
    assert stack.processes["web"].returncode == -signal.SIGTERM


def test_make_serve_runs_the_supervisor():
    assert planned("serve")[-1].endswith("python -m core.serve")


def test_the_stack_refuses_unsafe_production_settings_before_starting_anything(tmp_path):
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": "changeme"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'never.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "core.serve"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert "Started" not in result.stderr
