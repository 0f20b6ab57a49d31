"""Write to the audit log. Part of the caller's transaction: no change without its record."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, g, has_request_context, request
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db, utcnow

log = logging.getLogger(__name__)


def record(
    action: str,
    obj: Any = None,
    *,
    actor_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append an event; actor and client address default to the current request's."""
    if actor_id is None and has_request_context() and g.get("account") is not None:
        actor_id = g.account.id
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "") or "") if obj is not None else "",
        detail=detail,
        ip_address=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(event)
    log.info("Audit: %s on %s %s by %s", action, event.object_type, event.object_id, actor_id)
    return event


# Erasure and retention ----------------------------------------------------------------------
# The only changes the database lets through (migration 20261206_d91f4b7a2c03): what
# happened, to what and when stays; who did it and from where becomes a pseudonym.

#: Free text an official typed (why they looked a member up), after erasure or retention.
REMOVED = "[removed]"
PSEUDONYM_PREFIX = "h:"


def _pseudonym_key() -> bytes:
    """AUDIT_PSEUDONYM_KEY, or a key derived from SECRET_KEY for this one purpose: the
    SECRET_KEY itself also signs sessions and links, and must not double as this."""
    configured = current_app.config.get("AUDIT_PSEUDONYM_KEY")
    if configured:
        return configured.encode()
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"naoberpanel/audit-pseudonyms/v1", hashlib.sha256).digest()


def pseudonym(kind: str, value: object) -> str:
    """A keyed hash of `value`: the same for the same actor or address, so events still
    show what one (unknown) person did; only the key holder can test a guess."""
    digest = hmac.new(_pseudonym_key(), f"{kind}:{value}".encode(), hashlib.sha256)
    return PSEUDONYM_PREFIX + digest.hexdigest()[:40]


def _pseudonymous_address(address: str) -> str:
    if not address or address.startswith(PSEUDONYM_PREFIX):
        return address
    return pseudonym("ip", address)


def pseudonymise_actor(account_id: int, since: datetime) -> int:
    """Replace an erased account's id and client addresses in its events (since the account
    was made: SQLite may reuse an id) by pseudonyms, and its free-text explanations. Call
    after the account row is deleted and flushed: the database refuses it before."""
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == account_id, AuditEvent.created_at >= since)
    ).all()
    for event in events:
        event.actor_pseudonym = pseudonym("account", account_id)
        event.actor_id = None
        event.ip_address = _pseudonymous_address(event.ip_address)
        _scrub(event)
    db.session.flush()
    return len(events)


def scrub_free_text_about(obj_type: str, obj_id: object) -> int:
    """Remove the explanations officials typed when they looked up this (erased) member:
    they may name the person."""
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == obj_type, AuditEvent.object_id == str(obj_id)
        )
    ).all()
    changed = [event for event in events if _scrub(event)]
    db.session.flush()
    return len(changed)


def _scrub(event: AuditEvent) -> bool:
    if event.detail.get("explanation") in (None, "", REMOVED):
        return False
    event.detail = {**event.detail, "explanation": REMOVED}
    return True


def purge_expired(older_than: timedelta) -> int:
    """Retention: client addresses and free-text explanations of events older than this
    are emptied; the events themselves stay. Returns the number of events changed."""
    cutoff = utcnow() - older_than
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.created_at < cutoff, AuditEvent.ip_address != "")
    ).all()
    for event in events:
        event.ip_address = ""
    explained = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.created_at < cutoff, AuditEvent.action.in_(EXPLAINED_ACTIONS)
        )
    ).all()
    scrubbed = {event.id for event in explained if _scrub(event)}
    db.session.flush()
    return len({event.id for event in events} | scrubbed)


#: The events that carry an official's free-text explanation (panel.member_views._why).
EXPLAINED_ACTIONS = ("member.searched", "member.listed", "member.viewed")
