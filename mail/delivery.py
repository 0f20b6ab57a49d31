"""Deliver due mails from the outbox: exactly once across workers, retried with backoff."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from flask import Flask, current_app, has_request_context
from sqlalchemy import select

from core.background import PollingThread
from core.db import db, utcnow
from jobs.runner import run_urgent_jobs
from mail import leases
from mail.models import MailStatus, OutboxMail
from mail.redaction import wipe_links
from mail.transports import transport_for

log = logging.getLogger(__name__)

BATCH_SIZE = 50


def init_app(app: Flask) -> None:
    worker = PollingThread(app, "naoberpanel-mail", work_step, app.config["MAIL_POLL_SECONDS"])
    app.extensions["mail_worker"] = worker
    if app.config["MAIL_WEB_WORKER"]:
        app.before_request(worker.ensure_running)


def wake_worker() -> None:
    """After a commit that queued mail: deliver it now rather than at the next poll.

    Requests may start the thread; a command or job thread only wakes a running one
    (a command's thread would die with the command)."""
    if current_app.config["MAIL_WEB_WORKER"]:
        current_app.extensions["mail_worker"].wake(start=has_request_context())


def work_step() -> bool:
    """One round of the mail worker: urgent jobs first (they make login mails), then mail."""
    ran_jobs = run_urgent_jobs()
    if not _started:
        start_worker()
    return deliver_batch() or ran_jobs


def deliver_batch() -> bool:
    """Send up to one batch of due mails; False when nothing was due. On an error (the
    database or the mail server away) this worker gives back the mails it holds."""
    leases.record_unrecorded()
    if leases.holding_after_error:
        leases.release_own()
    release_stale_claims()
    mail_ids = claim_due_mails(BATCH_SIZE)
    if not mail_ids:
        return False
    try:
        with transport_for(current_app.config) as transport:
            for mail_id in mail_ids:
                deliver_one(transport, mail_id)
    except Exception:
        _give_back()
        raise
    return True


def _give_back() -> None:
    leases.holding_after_error = True
    try:
        leases.record_unrecorded()
        leases.release_own()
    except Exception:  # the database is still away: released at the next batch
        db.session.rollback()
        log.warning("Could not release this worker's mail claims yet")


_started = False


def start_worker() -> None:
    """Before a worker's first batch: free the claims of killed workers on this host."""
    global _started
    _started = True
    if released := leases.release_dead_on_this_host():
        log.warning("Released %s mail claim(s) of stopped workers", released)


def deliver_all_due() -> int:
    """Deliver until nothing is due; returns the number of batches."""
    batches = 0
    while deliver_batch():
        batches += 1
    return batches


def claim_due_mails(limit: int) -> list[int]:
    """Mark due mails as ours. Row locks on PostgreSQL keep workers off each other's rows;
    the conditional UPDATE makes the claim safe on SQLite too."""
    now = utcnow()
    candidates = db.session.scalars(
        select(OutboxMail.id)
        .where(OutboxMail.status == MailStatus.PENDING, OutboxMail.send_after <= now)
        .order_by(OutboxMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = leases.claim(list(candidates))
    db.session.commit()
    return claimed


def deliver_one(transport, mail_id: int) -> None:
    # The heartbeat renews the whole batch's claims, so a slow SMTP server never makes them
    # lapse (and another worker send them) while we still hold them; see mail.leases.
    if not leases.heartbeat_and_start(mail_id):
        log.warning("Mail %s was taken over by another worker; not sending it", mail_id)
        return
    mail = db.session.get_one(OutboxMail, mail_id)
    if mail.expires_at is not None and mail.expires_at <= utcnow():
        mail.status, mail.last_error = MailStatus.FAILED, "Expired before it could be delivered."
    else:
        try:
            transport.send(mail)
        except Exception as error:
            record_failed_attempt(mail, error)
        else:
            leases.unrecorded.add(mail.id)
            mail.status, mail.sent_at = MailStatus.SENT, utcnow()
            mail.attempts += 1
            wipe_links(mail)
            log.info("Mail %s (%s) sent", mail.id, mail.kind)
    mail.claimed_by = None
    db.session.commit()
    leases.unrecorded.discard(mail_id)


def record_failed_attempt(mail: OutboxMail, error: Exception) -> None:
    config = current_app.config
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    if mail.attempts >= config["MAIL_MAX_ATTEMPTS"] or is_permanent(error):
        mail.status = MailStatus.FAILED
        log.error("Mail %s (%s) failed for good: %s", mail.id, mail.kind, mail.last_error)
        return
    backoff = config["MAIL_RETRY_SECONDS"] * 2 ** (mail.attempts - 1)
    mail.status, mail.send_after = MailStatus.PENDING, utcnow() + timedelta(seconds=backoff)
    log.warning(
        "Mail %s attempt %s failed (%s), retry in %ss",
        mail.id,
        mail.attempts,
        mail.last_error,
        backoff,
    )


def is_permanent(error: Exception) -> bool:
    """An SMTP 5xx answer (no such mailbox, refused): trying again will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def release_stale_claims() -> None:
    """Claims whose lease lapsed: their worker stopped (see mail.leases)."""
    leases.release(stale=True)
