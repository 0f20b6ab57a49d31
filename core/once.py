"""One creation per form key: a double submit, also two simultaneous POSTs, makes one thing.

The key (core.forms.OnceForm) is stored under a UNIQUE constraint in the transaction that
creates the object. A second POST with the same key either finds the stored key (the first
has committed) or waits on the constraint and fails it (PostgreSQL), rolls back and then
finds it. On SQLite a POST's transaction holds the write lock from its start (core.db), so the
second POST finds the key. Views call this: it commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, db, utcnow


class FormSubmission(Base):
    __tablename__ = "form_submissions"
    __table_args__ = (UniqueConstraint("purpose", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the form creates ("survey.new", "recruitment.batch", …).
    purpose: Mapped[str] = mapped_column(String(40))
    #: The form's random key (core.forms.OnceForm).
    key: Mapped[str] = mapped_column(String(64))
    #: The id of what the form created; NULL only inside the creating transaction.
    object_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<FormSubmission {self.purpose} {self.object_id}>"


class HasId(Protocol):
    id: int


Made = TypeVar("Made", bound=HasId)


def create_once(purpose: str, key: str, create: Callable[[], Made]) -> tuple[int, bool]:
    """Call `create` and commit, unless a form with this key already did: then nothing is
    made. Returns the id of what the key made, and whether it was made now.

    Errors of `create` propagate with nothing committed (the caller's request rolls back).
    """
    if (made := _made(purpose, key)) is not None:
        return made, False
    entry = FormSubmission(purpose=purpose, key=key)
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request with this key was inserting it: it has committed (else we would
        # still wait on it), or rolled back (then the constraint would not have failed).
        db.session.rollback()
        made = _made(purpose, key)
        if made is None:
            raise
        return made, False
    entry.object_id = create().id
    db.session.commit()
    return entry.object_id, True


def _made(purpose: str, key: str) -> int | None:
    return db.session.scalar(
        select(FormSubmission.object_id).where(
            FormSubmission.purpose == purpose,
            FormSubmission.key == key,
            FormSubmission.object_id.is_not(None),
        )
    )
