"""Accounts, role grants and login tokens. Nobody has a password."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow, value_enum
from villages.models import Village

if TYPE_CHECKING:
    from panel.models import Member


class Role(enum.Enum):
    RESIDENT = "resident"  #: panel member
    OFFICIAL = "official"  #: municipality staff: designs, invites, analyses, manages people
    ASSOCIATION = "association"  #: board member of a village association, scoped to villages
    VOLUNTEER = "volunteer"  #: enters paper questionnaires


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so one person has one account whatever they type.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    #: Language of the interface and of every mail sent to this account.
    language: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Raised to end every session of this account at once (revocation, logout everywhere).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="account",
        cascade="all, delete-orphan",
        order_by="RoleGrant.id",
        foreign_keys="RoleGrant.account_id",
    )
    #: The account's panel membership, if any: read only (written through Member.account),
    #: so that each request can load the account, its roles and its membership at once.
    member: Mapped[Member | None] = relationship(
        viewonly=True, foreign_keys="Member.account_id", uselist=False
    )

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.email!r}>"

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.grants}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def villages_for(self, role: Role) -> set[int]:
        return {g.village_id for g in self.grants if g.role is role and g.village_id is not None}


class RoleGrant(Base):
    """One role for one account, for associations limited to one village."""

    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("account_id", "role", "village_id", name="uq_role_grants_scope"),
        # NULLs are distinct in a unique constraint: unscoped grants need their own index.
        Index(
            "uq_role_grants_unscoped",
            "account_id",
            "role",
            unique=True,
            sqlite_where=text("village_id IS NULL"),
            postgresql_where=text("village_id IS NULL"),
        ),
        CheckConstraint(
            "(role = 'association') = (village_id IS NOT NULL) OR role = 'resident'",
            name="village_scope_fits_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(value_enum(Role, "role"))
    #: The village an association member speaks for (or a resident lives in).
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    account: Mapped[Account] = relationship(back_populates="grants", foreign_keys=[account_id])
    village: Mapped[Village | None] = relationship()

    def __repr__(self) -> str:
        return f"<RoleGrant {self.role.value} account={self.account_id} village={self.village_id}>"


class LoginToken(Base):
    """A magic link: only its hash is stored, it expires, and it works once."""

    __tablename__ = "login_tokens"
    __table_args__ = (Index("ix_login_tokens_account_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    #: SHA-256 of the random token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account] = relationship()

    def __repr__(self) -> str:
        return f"<LoginToken {self.id} account={self.account_id}>"

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
