"""Panel members, their profile, consent and contact data.

Contact data (email on the account; name and postal address in `ContactDetails`) is kept
apart from the profile, and answers will reference only a `Respondent`: a pseudonym that
the member row points to. Deleting a member cuts that link and leaves the pseudonym behind.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Account
from core.db import Base, UTCDateTime, utcnow, value_enum
from villages.models import Village


class Sex(enum.Enum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"  #: other, or prefers not to say


class AgeBand(enum.Enum):
    """The adult age bands of the population margins (CBS-style)."""

    A18_34 = "18-34"
    A35_49 = "35-49"
    A50_64 = "50-64"
    A65_74 = "65-74"
    A75_PLUS = "75+"

    @property
    def bounds(self) -> tuple[int, int | None]:
        low, _, high = self.value.rstrip("+").partition("-")
        return int(low), int(high) if high else None

    @classmethod
    def for_age(cls, age: int) -> AgeBand | None:
        for band in cls:
            low, high = band.bounds
            if age >= low and (high is None or age <= high):
                return band
        return None


class Household(enum.Enum):
    SINGLE = "single"
    COUPLE = "couple"
    COUPLE_WITH_CHILDREN = "couple_with_children"
    SINGLE_PARENT = "single_parent"
    OTHER = "other"


class Channel(enum.Enum):
    WEB = "web"
    PAPER = "paper"  #: answers on paper; registered by an official or volunteer


class MemberStatus(enum.Enum):
    ACTIVE = "active"
    LEFT = "left"  #: left the panel; kept for the record until the account is deleted


class ConsentKind(enum.Enum):
    PRIVACY = "privacy"  #: agrees to the privacy statement (a version)
    ASSOCIATION_CONTACT = "association_contact"  #: may be contacted by the village association


class MembershipStateError(ValueError):
    """A change of membership that does not fit the member's current status."""


class Respondent(Base):
    """The pseudonym answers will carry. It has no link back: members point to it."""

    __tablename__ = "respondents"

    #: Random (panel.services.new_respondent), never a serial: a serial advances with the
    #: members' ids and would link answers back to them. No time for the same reason.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, shown in exports instead of anything that identifies a person.
    pseudonym: Mapped[str] = mapped_column(String(16), unique=True)

    def __repr__(self) -> str:
        return f"<Respondent {self.pseudonym}>"


class Member(Base):
    """A resident in the panel: profile and status, no contact data."""

    __tablename__ = "panel_members"
    __table_args__ = (
        CheckConstraint(
            "birth_year IS NOT NULL OR age_band IS NOT NULL", name="birth_year_or_age_band"
        ),
        CheckConstraint(
            "(channel = 'web') = (account_id IS NOT NULL) OR status = 'left'",
            name="web_members_have_an_account",
        ),
        CheckConstraint("(status = 'left') = (left_at IS NOT NULL)", name="left_has_date"),
        Index("ix_panel_members_village_status", "village_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"), unique=True)
    #: The login of a web member. Paper members have none.
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), unique=True
    )
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    birth_year: Mapped[int | None]
    #: Given instead of a birth year by those who prefer not to say it.
    age_band: Mapped[AgeBand | None] = mapped_column(value_enum(AgeBand, "age_band"))
    sex: Mapped[Sex] = mapped_column(value_enum(Sex, "sex"))
    household: Mapped[Household] = mapped_column(value_enum(Household, "household"))
    #: Member of the village association: True, False, or None when not said.
    association_member: Mapped[bool | None]
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "channel"))
    status: Mapped[MemberStatus] = mapped_column(
        value_enum(MemberStatus, "member_status"), default=MemberStatus.ACTIVE
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: No invitations until and including this day.
    paused_until: Mapped[date | None] = mapped_column(Date())
    #: Generated demo data, never a real person.
    synthetic: Mapped[bool] = mapped_column(default=False, server_default=false())
    recruitment_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_batches.id", ondelete="SET NULL")
    )
    #: The official or volunteer who registered a paper member.
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    respondent: Mapped[Respondent] = relationship()
    account: Mapped[Account | None] = relationship(foreign_keys=[account_id])
    village: Mapped[Village] = relationship()
    contact: Mapped[ContactDetails | None] = relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="member",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Consent.id",
    )

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.status.value} village={self.village_id}>"

    def is_paused(self, today: date) -> bool:
        return self.paused_until is not None and today <= self.paused_until

    def is_active(self, today: date) -> bool:
        return self.status is MemberStatus.ACTIVE and not self.is_paused(today)

    def leave(self, now: datetime) -> None:
        """Leave the panel: no more invitations, and a pause no longer matters."""
        if self.status is MemberStatus.LEFT:
            raise MembershipStateError("already left")
        self.status, self.left_at, self.paused_until = MemberStatus.LEFT, now, None

    def rejoin(self) -> None:
        if self.status is not MemberStatus.LEFT:
            raise MembershipStateError("not left")
        self.status, self.left_at = MemberStatus.ACTIVE, None


class ContactDetails(Base):
    """Name and postal address of a member; the email address is on the account."""

    __tablename__ = "member_contacts"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("panel_members.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    postcode: Mapped[str] = mapped_column(String(7), default="", server_default="")
    town: Mapped[str] = mapped_column(String(80), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(20), default="", server_default="")

    member: Mapped[Member] = relationship(back_populates="contact")

    def __repr__(self) -> str:
        return f"<ContactDetails member={self.member_id}>"


class PrivacyStatement(Base):
    """A published version of the privacy statement; members agree to one version."""

    __tablename__ = "privacy_statements"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    body_nl: Mapped[str] = mapped_column(Text())
    body_en: Mapped[str] = mapped_column(Text(), default="", server_default="")
    #: What changed since the previous version, shown to members asked to agree again.
    changes_nl: Mapped[str] = mapped_column(Text(), default="", server_default="")
    changes_en: Mapped[str] = mapped_column(Text(), default="", server_default="")

    def __repr__(self) -> str:
        return f"<PrivacyStatement v{self.version}>"

    def body(self, language: str) -> str:
        return self.body_en if language == "en" and self.body_en else self.body_nl

    def changes(self, language: str) -> str:
        return self.changes_en if language == "en" and self.changes_en else self.changes_nl


class Consent(Base):
    """One consent given, and when it was withdrawn. Rows are kept as the record."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'privacy') = (statement_version IS NOT NULL)", name="privacy_has_version"
        ),
        Index("ix_consents_member_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_members.id", ondelete="CASCADE"))
    kind: Mapped[ConsentKind] = mapped_column(value_enum(ConsentKind, "consent_kind"))
    statement_version: Mapped[int | None] = mapped_column(ForeignKey("privacy_statements.version"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(back_populates="consents")

    def __repr__(self) -> str:
        return f"<Consent {self.kind.value} member={self.member_id} v={self.statement_version}>"


class SignUp(Base):
    """An open sign-up waiting for its email address to be confirmed (double opt-in).

    Nothing here counts as a member. Deleted on confirmation or after `SIGN_UP_DAYS`.
    """

    __tablename__ = "pending_sign_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the confirmation token in the mailed link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    language: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"))
    #: The profile as entered, applied when the address is confirmed.
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    statement_version: Mapped[int] = mapped_column(ForeignKey("privacy_statements.version"))
    association_contact: Mapped[bool] = mapped_column(default=False, server_default=false())
    recruitment_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_codes.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    village: Mapped[Village] = relationship()

    def __repr__(self) -> str:
        return f"<SignUp {self.id} village={self.village_id}>"
