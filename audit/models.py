"""Audit events. Database triggers refuse every DELETE, and every UPDATE but the narrow
one of erasure and retention: an erased actor and a client address replaced by a keyed-hash
pseudonym (or the address by nothing), a free-text explanation by "[removed]" (see the
migration 20261206_d91f4b7a2c03 and audit.services)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: Who acted; NULL for the system or an anonymous visitor. Deliberately no foreign key:
    #: deleting an account must neither change this log nor keep the person's details in it.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    #: Instead of `actor_id` once the actor's account is erased: a keyed hash of it
    #: (audit.services.pseudonym), the same for all of one actor's events.
    actor_pseudonym: Mapped[str | None] = mapped_column(String(42))
    #: What happened, e.g. `login`, `role.granted`, `outbox.viewed`.
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    object_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Client address the request came from (after trusted proxies); a pseudonym after
    #: the actor's erasure, "" after AUDIT_IP_RETENTION_DAYS.
    ip_address: Mapped[str] = mapped_column(String(45), default="", server_default="")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} by {self.actor_id or 'system'}>"
