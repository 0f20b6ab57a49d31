"""The outbox: one row per mail, written in the same transaction as the change that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow, value_enum


class MailStatus(enum.Enum):
    PENDING = "pending"  #: waiting for its first or next attempt
    SENDING = "sending"  #: claimed by a worker
    SENT = "sent"
    FAILED = "failed"  #: gave up after the maximum number of attempts


class OutboxMail(Base):
    __tablename__ = "outbox_mails"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_mails_due", "status", "send_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: Template the mail was made from, e.g. `login`; for officials' overview and tests.
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[MailStatus] = mapped_column(
        value_enum(MailStatus, "mail_status"), default=MailStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Not before this moment: pushed back after each failed attempt.
    send_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: When the claim was taken or last renewed (mail.leases).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The worker holding the claim ("host:pid:nonce").
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    #: Set just before the claimed mail is handed to the mail server: after a crash, in doubt.
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: After this a mail is pointless (its login link has expired): it is not sent any more.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.kind} {self.status.value}>"

    @property
    def message_id_local_part(self) -> str:
        return f"outbox-{self.id}-{int(self.created_at.timestamp())}"
