"""Housekeeping deletes what is past its retention, and nothing else."""

from datetime import timedelta

from sqlalchemy import select, update

from accounts.models import LoginToken
from accounts.services import issue_login_token
from core.db import db, utcnow
from jobs.models import Job, JobStatus
from mail.models import MailStatus, OutboxMail
from mail.services import queue_mail
from tests.helpers import count


def test_purge_removes_old_delivered_mail_spent_links_and_finished_jobs(app, make_account):
    account = make_account("resident")
    old, recent, pending = (
        queue_mail(f"{n}@example.nl", "login", "nl", name="", link="L", minutes=15)
        for n in ("old", "recent", "pending")
    )
    for mail, age in ((old, 31), (recent, 2)):
        mail.status, mail.sent_at = MailStatus.SENT, utcnow() - timedelta(days=age)
    issue_login_token(account, timedelta(minutes=-2 * 24 * 60))  # expired two days ago
    issue_login_token(account, timedelta(minutes=15))  # still usable: kept
    db.session.add_all(
        [
            Job(name="demo.count_villages", status=JobStatus.SUCCEEDED),
            Job(name="demo.count_villages", status=JobStatus.SUCCEEDED),
            Job(name="demo.count_villages", status=JobStatus.QUEUED),
        ]
    )
    db.session.commit()
    db.session.execute(
        update(Job)
        .where(Job.status == JobStatus.SUCCEEDED)
        .values(finished_at=utcnow() - timedelta(days=91))
    )
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["maintenance", "purge"])

    assert "Deleted 1 delivered mail(s), 1 login link(s), 2 job(s), 0 unconfirmed" in result.output
    recipients = set(db.session.scalars(select(OutboxMail.recipient)))
    assert recipients == {"recent@example.nl", "pending@example.nl"}
    assert count(LoginToken) == 1 and count(Job) == 1
