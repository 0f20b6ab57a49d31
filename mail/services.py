"""Queue mails. Rendered now, in the recipient's language, and stored with the transaction."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import delete, event, insert
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
    subject, text, html = _rendered(kind, language, context)
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


def _rendered(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text and HTML body of a mail of `kind` in `language`."""
    with force_locale(language):
        context = {
            "municipality": current_app.config["MUNICIPALITY_NAME"],
            "greeting": greeting,
            **context,
        }
        subject = render_template(f"emails/{kind}.subject.txt", **context).strip()
        text = render_template(f"emails/{kind}.txt", **context)
        html = render_template(f"emails/{kind}.html", subject=subject, **context)
    return subject, text, html


@dataclass(frozen=True)
class Addressee:
    """One recipient of a mail queued for many (queue_mails): the address, the language,
    and the values in the mail that are theirs alone (a name, a personal link)."""

    email: str
    language: str
    personal: dict[str, Any]


def queue_mails(
    kind: str,
    addressees: Sequence[Addressee],
    shared: Callable[[str], dict[str, Any]],
    expires_at: datetime | None = None,
) -> int:
    """Queue the same mail of `kind` to many addressees in one INSERT; returns how many.

    Byte for byte what `queue_mail` makes with `shared(language)` and the addressee's
    personal values as context, but rendered only once per language (and per set of
    personal values that are not text or empty, which templates may test): personal texts
    go in as placeholders and are put in place afterwards, escaped in HTML as Jinja would.
    The first mail of each rendering is checked against the mail rendered whole.
    """
    layouts: dict[tuple, _Layout] = {}
    rows = []
    for addressee in addressees:
        key = (addressee.language, *_fixed_values(addressee.personal))
        if key not in layouts:
            layouts[key] = _Layout.of(kind, addressee, shared(addressee.language))
        subject, text, html = layouts[key].fill(addressee.personal)
        rows.append(
            {
                "recipient": addressee.email,
                "subject": subject,
                "body_text": text,
                "body_html": html,
                "kind": kind,
                "expires_at": expires_at,
            }
        )
    if not rows:
        return 0
    # No RETURNING of the ids: it made PostgreSQL's insert several times slower.
    db.session.execute(insert(OutboxMail), rows)
    db.session.info[QUEUED_FLAG] = True
    log.info("%s mails (%s) queued", len(rows), kind)
    return len(rows)


def _takes_slot(value: Any) -> bool:
    """Text goes into the mail as it is; an empty text or another value (a number, which
    may choose a plural) is rendered as itself instead, once for each such value."""
    return isinstance(value, str) and value != ""


def _fixed_values(personal: dict[str, Any]) -> tuple:
    return tuple(sorted((key, value) for key, value in personal.items() if not _takes_slot(value)))


def _slot(name: str) -> str:
    """A placeholder that no template text contains and that escaping leaves alone."""
    return f"NAOBERPANELSLOT{name}X{secrets.token_hex(8)}"


@dataclass(frozen=True)
class _Layout:
    """One rendering of a mail for many addressees, with placeholders for their texts."""

    kind: str
    language: str
    shared: dict[str, Any]
    slots: dict[str, str]
    #: None: each mail is rendered whole, as the placeholders did not give the same mail
    #: (a template that filters or measures a personal text).
    parts: tuple[str, str, str] | None

    @classmethod
    def of(cls, kind: str, first: Addressee, shared: dict[str, Any]) -> _Layout:
        """The layout for mails like `first`'s, checked against `first`'s mail rendered whole."""
        slots = {key: _slot(key) for key, value in first.personal.items() if _takes_slot(value)}
        parts = _rendered(kind, first.language, {**shared, **first.personal, **slots})
        layout = cls(kind, first.language, shared, slots, parts)
        if layout.fill(first.personal) != layout.whole(first.personal):
            log.warning("Mail %s does not take placeholders: rendered per mail", kind)
            return replace(layout, parts=None)
        return layout

    def whole(self, personal: dict[str, Any]) -> tuple[str, str, str]:
        return _rendered(self.kind, self.language, {**self.shared, **personal})

    def fill(self, personal: dict[str, Any]) -> tuple[str, str, str]:
        if self.parts is None:
            return self.whole(personal)
        subject, text, html = self.parts
        for key, slot in self.slots.items():
            value = personal[key]
            subject = subject.replace(slot, value)
            text = text.replace(slot, value)
            html = html.replace(slot, escape(value))
        return subject, text, html


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
