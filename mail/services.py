"""Queue mails. Rendered now, in the recipient's language, and stored with the transaction."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from core.db import db, utcnow
from mail.models import MailStatus, OutboxMail

log = logging.getLogger(__name__)
QUEUED_FLAG = "naoberpanel.mail_queued"


def queue_mail(
    recipient: str,
    kind: str,
    language: str,
    expires_at: datetime | None = None,
    **context: Any,
) -> OutboxMail:
    """Render `templates/emails/<kind>.{txt,html}` and put the mail in the outbox."""
    with force_locale(language):
        context = {
            "municipality": current_app.config["MUNICIPALITY_NAME"],
            "greeting": greeting,
            **context,
        }
        subject = render_template(f"emails/{kind}.subject.txt", **context).strip()
        text = render_template(f"emails/{kind}.txt", **context)
        html = render_template(f"emails/{kind}.html", subject=subject, **context)
    mail = OutboxMail(
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        kind=kind,
        expires_at=expires_at,
    )
    db.session.add(mail)
    db.session.flush()
    db.session.info[QUEUED_FLAG] = True
    log.info("Mail %s (%s) queued", mail.id, kind)
    return mail


def greeting(name: str | None, reader: str | None = None) -> str:
    """The one way every mail opens: "Dear <name>," when we know the name, otherwise the
    reader by what they are to us (resident, official, association, volunteer)."""
    if name:
        return _("Dear %(name)s,", name=name)
    texts = {
        "resident": lambda: _("Dear resident,"),
        "official": lambda: _("Dear colleague,"),
        "association": lambda: _("Dear board member,"),
        "volunteer": lambda: _("Dear volunteer,"),
    }
    return texts[reader]() if reader in texts else _("Dear Naoberpanel user,")


@event.listens_for(Session, "after_commit")
def _wake_mail_worker(session: Session) -> None:
    if session.info.pop(QUEUED_FLAG, False):
        from mail.delivery import wake_worker

        wake_worker()


@event.listens_for(Session, "after_rollback")
def _forget_queued_mail(session: Session) -> None:
    session.info.pop(QUEUED_FLAG, None)


def purge_delivered(older_than: timedelta) -> int:
    """Delete sent mail (address, body and expired link) once it is old; returns the count.
    Links left in younger sent mail (from before they were wiped at delivery) are wiped."""
    from mail.redaction import wipe_links_of_sent_mail

    wipe_links_of_sent_mail()
    result = db.session.execute(
        delete(OutboxMail).where(
            OutboxMail.status == MailStatus.SENT, OutboxMail.sent_at < utcnow() - older_than
        )
    )
    return result.rowcount


def withdraw_pending(recipient: str, kinds: tuple[str, ...]) -> int:
    """Delete mails of these kinds to `recipient` that have not gone out yet (someone left
    the panel: their queued invitations and reminders must not arrive any more)."""
    result = db.session.execute(
        delete(OutboxMail).where(
            OutboxMail.recipient == recipient,
            OutboxMail.kind.in_(kinds),
            OutboxMail.status == MailStatus.PENDING,
        )
    )
    return result.rowcount
