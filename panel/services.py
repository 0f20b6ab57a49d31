"""Panel membership: registering members, pseudonyms and consent. Callers commit."""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from accounts.models import Account, Role
from accounts.services import grant_role
from audit.services import record
from core.dates import local_today
from core.db import db, utcnow
from panel.models import (
    AgeBand,
    Channel,
    Consent,
    ConsentKind,
    ContactDetails,
    Household,
    Member,
    PrivacyStatement,
    Respondent,
    Sex,
)
from villages.models import Village

log = logging.getLogger(__name__)

#: Pseudonym characters: no 0/O, 1/I/L, so they can be read aloud and typed back.
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PSEUDONYM_LENGTH = 10
OLDEST_AGE = 110
ADULT_AGE = 18


@dataclass(frozen=True)
class Profile:
    """What weighting and reporting need about a member, and nothing more."""

    village_id: int
    sex: Sex
    household: Household
    birth_year: int | None = None
    age_band: AgeBand | None = None
    association_member: bool | None = None

    def as_json(self) -> dict:
        return {
            "village_id": self.village_id,
            "sex": self.sex.value,
            "household": self.household.value,
            "birth_year": self.birth_year,
            "age_band": self.age_band.value if self.age_band else None,
            "association_member": self.association_member,
        }

    @classmethod
    def from_json(cls, data: dict) -> Profile:
        return cls(
            village_id=data["village_id"],
            sex=Sex(data["sex"]),
            household=Household(data["household"]),
            birth_year=data.get("birth_year"),
            age_band=AgeBand(data["age_band"]) if data.get("age_band") else None,
            association_member=data.get("association_member"),
        )


def birth_year_range(today: date | None = None) -> tuple[int, int]:
    """Oldest and youngest birth year a panel member (an adult) can have."""
    year = (today or local_today()).year
    return year - OLDEST_AGE, year - ADULT_AGE


#: Respondent ids are drawn from 1 .. 2**31 - 1, the range of an SQL integer.
LARGEST_RESPONDENT_ID = 2**31 - 1


def random_respondent_id() -> int:
    """A random id not yet taken: nothing about the member can be read from it."""
    while True:
        candidate = secrets.randbelow(LARGEST_RESPONDENT_ID) + 1
        if db.session.get(Respondent, candidate) is None:
            return candidate


def new_respondent() -> Respondent:
    pseudonym = "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))
    respondent = Respondent(id=random_respondent_id(), pseudonym=pseudonym)
    db.session.add(respondent)
    return respondent


def member_for(account: Account | None) -> Member | None:
    if account is None:
        return None
    return db.session.scalar(select(Member).where(Member.account_id == account.id))


def register_member(
    profile: Profile,
    channel: Channel,
    *,
    account: Account | None = None,
    contact: ContactDetails | None = None,
    statement: PrivacyStatement | None = None,
    association_contact: bool = False,
    batch_id: int | None = None,
    registered_by: Account | None = None,
    synthetic: bool = False,
) -> Member:
    """Make someone a panel member with a fresh pseudonym; web members get the resident role."""
    member = Member(
        respondent=new_respondent(),
        account=account,
        village_id=profile.village_id,
        channel=channel,
        sex=profile.sex,
        household=profile.household,
        birth_year=profile.birth_year,
        age_band=None if profile.birth_year else profile.age_band,
        association_member=profile.association_member,
        recruitment_batch_id=batch_id,
        registered_by_id=registered_by.id if registered_by else None,
        synthetic=synthetic,
        contact=contact,
    )
    db.session.add(member)
    if statement is not None:
        give_privacy_consent(member, statement)
    if association_contact:
        set_association_contact(member, True)
    if account is not None:
        village = db.session.get(Village, profile.village_id)
        grant_role(account, Role.RESIDENT, village, by=registered_by)
    db.session.flush()
    if not synthetic:
        record("member.joined", member, channel=channel.value, village=profile.village_id)
    return member


def update_profile(member: Member, profile: Profile) -> None:
    """Change a member's profile; moving village moves the resident role along."""
    if member.village_id != profile.village_id and member.account is not None:
        for grant in member.account.grants:
            if grant.role is Role.RESIDENT:
                grant.village_id = profile.village_id
    member.village_id = profile.village_id
    member.sex, member.household = profile.sex, profile.household
    member.birth_year = profile.birth_year
    member.age_band = None if profile.birth_year else profile.age_band
    member.association_member = profile.association_member
    db.session.flush()
    record("member.profile_changed", member)


def profile_of(member: Member) -> Profile:
    return Profile(
        village_id=member.village_id,
        sex=member.sex,
        household=member.household,
        birth_year=member.birth_year,
        age_band=member.age_band,
        association_member=member.association_member,
    )


# Consent ---------------------------------------------------------------------------------


def current_statement() -> PrivacyStatement | None:
    """The privacy statement in force: the highest published version."""
    return db.session.scalar(
        select(PrivacyStatement).order_by(PrivacyStatement.version.desc()).limit(1)
    )


def publish_statement(
    body_nl: str, body_en: str, changes_nl: str, changes_en: str, by: Account | None
) -> PrivacyStatement:
    """Publish a new version; every member is asked to agree again at their next visit."""
    previous = current_statement()
    statement = PrivacyStatement(
        version=(previous.version + 1) if previous else 1,
        body_nl=body_nl.strip(),
        body_en=body_en.strip(),
        changes_nl=changes_nl.strip(),
        changes_en=changes_en.strip(),
        published_by_id=by.id if by else None,
    )
    db.session.add(statement)
    db.session.flush()
    record("privacy_statement.published", statement, version=statement.version)
    log.info("Privacy statement version %s published", statement.version)
    return statement


def privacy_consent(member: Member) -> Consent | None:
    """The member's latest agreement to a privacy statement."""
    given = [c for c in member.consents if c.kind is ConsentKind.PRIVACY and not c.withdrawn_at]
    return max(given, key=lambda c: c.statement_version or 0, default=None)


def agreed_version(member: Member) -> int | None:
    consent = privacy_consent(member)
    return consent.statement_version if consent else None


def needs_consent(member: Member, statement: PrivacyStatement | None) -> bool:
    """True when the member has not agreed to the statement now in force."""
    if statement is None:
        return False
    return (agreed_version(member) or 0) < statement.version


def give_privacy_consent(member: Member, statement: PrivacyStatement) -> Consent:
    consent = Consent(kind=ConsentKind.PRIVACY, statement_version=statement.version)
    member.consents.append(consent)
    return consent


def association_contact_allowed(member: Member) -> bool:
    return any(
        c.kind is ConsentKind.ASSOCIATION_CONTACT and c.withdrawn_at is None
        for c in member.consents
    )


def set_association_contact(member: Member, wanted: bool) -> None:
    """Give or withdraw the separate consent to be contacted by the village association."""
    if wanted == association_contact_allowed(member):
        return
    if wanted:
        member.consents.append(Consent(kind=ConsentKind.ASSOCIATION_CONTACT))
    else:
        for consent in member.consents:
            if consent.kind is ConsentKind.ASSOCIATION_CONTACT and consent.withdrawn_at is None:
                consent.withdrawn_at = utcnow()


# Targets ---------------------------------------------------------------------------------


def default_recruitment_target() -> int:
    """Members a village needs so that the expected respondents reach the disclosure threshold."""
    config = current_app.config
    return math.ceil(config["DISCLOSURE_THRESHOLD"] / config["EXPECTED_RESPONSE_RATE"])


def recruitment_target(village: Village) -> int:
    return village.recruitment_target or default_recruitment_target()


def default_statement_text(language: str) -> str:
    """The platform's first privacy statement, which a municipality adapts before publishing."""
    path = Path(__file__).parent / "texts" / f"privacy_statement.{language}.txt"
    return path.read_text(encoding="utf-8")
