"""Write to the audit log. Part of the caller's transaction: no change without its record."""

from __future__ import annotations

import logging
from typing import Any

from flask import g, has_request_context, request

from audit.models import AuditEvent
from core.db import db

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
