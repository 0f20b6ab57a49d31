"""Faults while mail goes out: a mail worker killed mid-batch, the database gone mid-batch.
Nothing is lost, nothing is sent twice (see mail.leases for the at-most-once choice on the
one mail whose hand-over was cut off)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select, text

from core.db import db
from mail import leases
from mail.delivery import deliver_all_due
from mail.models import MailStatus, OutboxMail
from tests.conftest import free_port
from tests.mail.test_outbox import queue_logins

ROOT = Path(__file__).resolve().parents[2]
MAILS = 30


class SlowInbox:
    """A mail server that takes a moment to answer after it has the message, like a real
    one writing it to disk: a worker killed in that moment never hears the 250."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        await asyncio.sleep(0.15)
        return "250 Message accepted"


@pytest.fixture
def slow_smtp():
    from aiosmtpd.controller import Controller

    controller = Controller(SlowInbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def mail_worker(app, port: int) -> subprocess.Popen:
    """`flask mail worker` as its own process, on the test's database and mail server."""
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["DATABASE_URL"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_POLL_SECONDS": "0.2",
        "JOBS_WEB_WORKER": "0",
        "JOBS_QUEUE": app.config["JOBS_QUEUE"],
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "mail", "worker"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def statuses() -> Counter:
    db.session.rollback()
    return Counter(db.session.scalars(select(OutboxMail.status)))


def unfinished() -> int:
    """Mails still waiting or being sent, counted in one query: two queries would miss the
    moment a released claim goes from pending back to sending (then neither counts it)."""
    counts = statuses()
    return counts[MailStatus.SENDING] + counts[MailStatus.PENDING]


def outcomes() -> Counter:
    """Status and error per mail, shown when an assertion fails."""
    db.session.rollback()
    rows = db.session.execute(select(OutboxMail.status, OutboxMail.last_error)).all()
    return Counter((status.value, error[:80]) for status, error in rows)


def received(inbox) -> Counter:
    return Counter(message["To"] for message in inbox.messages)


def test_a_mail_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(app, slow_smtp):
    queue_logins(MAILS)
    inbox = slow_smtp.handler
    first = mail_worker(app, slow_smtp.port)
    try:
        wait_until(lambda: len(inbox.messages) >= 10)
        first.send_signal(signal.SIGKILL)  # while the server holds message 10
        first.wait(10)
    finally:
        first.kill()
    assert statuses()[MailStatus.SENDING] > 0  # the dead worker's claims

    started = time.monotonic()
    second = mail_worker(app, slow_smtp.port)  # a restart, long before the lease lapses
    try:
        wait_until(lambda: not unfinished())
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    assert time.monotonic() - started < leases.LEASE.total_seconds()

    counts = received(inbox)
    outcome = outcomes()
    assert sorted(counts) == sorted(f"inwoner{i}@example.nl" for i in range(MAILS)), outcome
    assert set(counts.values()) == {1}  # none twice
    in_doubt = db.session.scalars(
        select(OutboxMail).where(OutboxMail.status == MailStatus.FAILED)
    ).all()
    assert len(in_doubt) <= 1 and all(m.last_error == leases.IN_DOUBT for m in in_doubt)
    assert statuses()[MailStatus.SENT] + len(in_doubt) == MAILS


def test_a_database_gone_mid_batch_loses_nothing_and_sends_nothing_twice(
    app, smtp_server, database_url
):
    """PostgreSQL drops the worker's connections while it sends (as in a restart); SQLite
    cannot lose its file, so there the database is locked by another writer instead."""
    queue_logins(MAILS)
    inbox = smtp_server.inbox
    admin = db.engine if db.engine.dialect.name == "postgresql" else None
    original = smtp_server.handler.handle_DATA
    sent_before_fault = 8

    async def then_fault(server, session, envelope):
        answer = await original(server, session, envelope)
        if len(inbox.messages) == sent_before_fault:
            await asyncio.to_thread(cut_off_database, admin, database_url)
        return answer

    smtp_server.handler.handle_DATA = then_fault
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
        deliver_all_due()
    db.session.rollback()
    restore_database(database_url)
    deliver_all_due()  # the same worker, once the database is back

    counts = received(inbox)
    assert sorted(counts) == sorted(f"inwoner{i}@example.nl" for i in range(MAILS))
    assert set(counts.values()) == {1}
    assert statuses() == Counter({MailStatus.SENT: MAILS})


_locks: list = []


def cut_off_database(admin, database_url: str) -> None:
    import sqlalchemy as sa

    if admin is not None:
        name = sa.make_url(database_url).database
        engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        with engine.connect() as c:
            c.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        engine.dispose()
        return
    import sqlite3

    path = sa.make_url(database_url).database
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    _locks.append(holder)


def restore_database(database_url: str) -> None:
    while _locks:
        holder = _locks.pop()
        holder.execute("ROLLBACK")
        holder.close()
