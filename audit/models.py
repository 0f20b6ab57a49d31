"""Audit events. Database triggers refuse every UPDATE and DELETE (see the migration)."""

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
    #: What happened, e.g. `login`, `role.granted`, `outbox.viewed`.
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    object_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Client address the request came from (after trusted proxies).
    ip_address: Mapped[str] = mapped_column(String(45), default="", server_default="")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} by {self.actor_id or 'system'}>"
