"""Keys in sent mail are wiped: once a mail has left, its stored copy holds no usable link.

A login, invitation, sign-up confirmation, survey or unsubscribe link is a key by itself.
The outbox keeps delivered mail for MAIL_RETENTION_DAYS (for the officials' overview and
for support), so on delivery every link to a route that takes a `<token>` is replaced.
Which routes those are is read from the URL map, so a new kind of personal link is covered
without a list to keep up to date.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import or_, select

from core.db import db
from mail.models import MailStatus, OutboxMail

#: Shown in place of a wiped link; the stored copy is for Dutch-speaking staff.
REMOVED = "[link verwijderd]"
URL = re.compile(r"https?://[^\s<>\"']+")


def _secret_prefixes() -> tuple[str, ...]:
    return tuple(
        rule.rule.split("<token>")[0]
        for rule in current_app.url_map.iter_rules()
        if "token" in rule.arguments
    )


def redact(body: str) -> str:
    prefixes = _secret_prefixes()

    def replace(match: re.Match) -> str:
        return REMOVED if urlsplit(match.group(0)).path.startswith(prefixes) else match.group(0)

    return URL.sub(replace, body)


def wipe_links(mail: OutboxMail) -> None:
    """Replace every personal link in the stored bodies (after the mail was delivered)."""
    mail.body_text = redact(mail.body_text)
    mail.body_html = redact(mail.body_html)


def wipe_links_of_sent_mail() -> int:
    """Wipe the links of sent mail that still holds some (delivered before links were wiped
    at delivery). Wiped rows no longer match, so each row is rewritten once."""
    holds_link = [OutboxMail.body_text.contains(prefix) for prefix in _secret_prefixes()]
    mails = db.session.scalars(
        select(OutboxMail).where(OutboxMail.status == MailStatus.SENT, or_(*holds_link))
    ).all()
    for mail in mails:
        wipe_links(mail)
    return len(mails)
