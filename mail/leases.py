"""Who is delivering which mail, for how long: short leases kept alive by a heartbeat.

A worker claims due mails under its own name (`worker()`) for `LEASE`. While it delivers a
batch it renews the lease of every mail it still holds before each send, so a slow batch
keeps its claims and a dead worker's claims lapse within a minute. A worker releases its
claims when it hits an error (a database blip), and at start it releases the claims of
workers on this host whose process is gone (a killed worker, restarted).

Delivery is exactly once where the outcome is known, and at most once where it is not: just
before a mail is handed to the SMTP server its claim is marked `send_started_at` (committed).
A claim released without that mark goes back to the queue; a claim released with it (the
worker died between handing the mail over and recording the result) is in doubt: it is
marked failed with that reason for an official to see, never sent again. Of a duplicate and
a possibly lost mail we choose the possibly lost one: a login link can be asked for again,
while a second invitation or reminder confuses residents. A worker that survives a database
blip knows what it sent and records it once the database is back (`unrecorded`).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import and_, select, update

from core.db import db, utcnow
from mail.models import MailStatus, OutboxMail

#: A claim not renewed for this long belongs to a worker that stopped.
LEASE = timedelta(seconds=60)
_worker: tuple[int, str] | None = None


def worker() -> str:
    """This process's name on its claims: host, process id, and a nonce against reused pids.
    Made anew after a fork (gunicorn --preload), so forked workers never share one."""
    global _worker
    if _worker is None or _worker[0] != os.getpid():
        name = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        _worker = (os.getpid(), name)
    return _worker[1]


IN_DOUBT = (
    "In doubt: the mail worker stopped while handing this mail to the mail server. It may "
    "have arrived; it is not sent again, to avoid sending it twice."
)


def claim(mail_ids: list[int]) -> list[int]:
    """Mark these due mails as ours; the conditional UPDATE lets one worker win each."""
    now, claimed = utcnow(), []
    for mail_id in mail_ids:
        result = db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, OutboxMail.status == MailStatus.PENDING)
            .values(
                status=MailStatus.SENDING, claimed_at=now, claimed_by=worker(), send_started_at=None
            )
        )
        if result.rowcount == 1:
            claimed.append(mail_id)
    return claimed


def heartbeat_and_start(mail_id: int) -> bool:
    """Renew all our claims and mark this mail as being handed over now (committed). False
    if the claim is no longer ours (it lapsed and was released)."""
    now = utcnow()
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.claimed_by == worker(), OutboxMail.status == MailStatus.SENDING)
        .values(claimed_at=now)
    )
    started = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.claimed_by == worker(),
            OutboxMail.status == MailStatus.SENDING,
        )
        .values(send_started_at=now)
    )
    db.session.commit()
    return started.rowcount == 1


def release(*, stale: bool = False, of_workers: list[str] | None = None) -> int:
    """Release claims: lapsed ones (`stale`) or those of the named workers. Mails not yet
    handed over go back to the queue; handed-over ones are marked in doubt. Commits."""
    if stale:
        whose = OutboxMail.claimed_at < utcnow() - LEASE
    else:
        whose = OutboxMail.claimed_by.in_(of_workers or [])
    claimed = and_(OutboxMail.status == MailStatus.SENDING, whose)
    requeued = db.session.execute(
        update(OutboxMail)
        .where(claimed, OutboxMail.send_started_at.is_(None))
        .values(status=MailStatus.PENDING, claimed_by=None, claimed_at=None)
    ).rowcount
    doubted = db.session.execute(
        update(OutboxMail)
        .where(claimed, OutboxMail.send_started_at.is_not(None))
        .values(status=MailStatus.FAILED, claimed_by=None, last_error=IN_DOUBT)
    ).rowcount
    db.session.commit()
    return requeued + doubted


#: This worker hit an error while holding claims and may not have given them back yet.
holding_after_error = False


def release_own() -> int:
    """After an error: give back what this worker holds but has not handed over."""
    global holding_after_error
    db.session.rollback()
    released = release(of_workers=[worker()])
    holding_after_error = False
    return released


def release_dead_on_this_host() -> int:
    """At start: release the claims of workers on this host whose process is gone."""
    host = worker().split(":", 1)[0]
    holders = db.session.scalars(
        select(OutboxMail.claimed_by)
        .where(
            OutboxMail.status == MailStatus.SENDING,
            OutboxMail.claimed_by.like(f"{host}:%"),
        )
        .distinct()
    ).all()
    dead = [holder for holder in holders if holder != worker() and not _alive(holder)]
    return release(of_workers=dead) if dead else 0


def _alive(worker: str) -> bool:
    try:
        os.kill(int(worker.split(":")[1]), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, IndexError):
        return True
    return True


#: Mails this process handed to the SMTP server whose result the database has not taken yet
#: (it was away); recorded as sent first thing when it is back.
unrecorded: set[int] = set()


def record_unrecorded() -> None:
    for mail_id in sorted(unrecorded):
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id)
            .values(status=MailStatus.SENT, sent_at=utcnow(), claimed_by=None, last_error="")
        )
    db.session.commit()
    unrecorded.clear()
