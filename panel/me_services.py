"""A member's own rights (AVG/GDPR): pause, leave, rejoin, export, delete. Callers commit."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import delete, func, select

from accounts.models import Account, LoginToken, Role
from accounts.services import normalise_email
from audit.models import AuditEvent
from audit.services import pseudonymise_actor, record, scrub_free_text_about
from core.db import db, utcnow
from jobs.models import Job, JobStatus
from mail.models import OutboxMail
from mail.services import withdraw_pending
from panel.models import Member, SignUp
from panel.services import Profile, member_for, set_association_contact, update_profile

log = logging.getLogger(__name__)

#: Invitations can be paused for at most this long at a time.
LONGEST_PAUSE = timedelta(days=365)


def surveys_taken_part_in(member: Member, *, by_official: bool = False) -> list[dict[str, Any]]:
    """The surveys this member answered, without the answers, newest first (anonymous last).

    For an anonymous survey only that the member took part, never when: the moment would
    single out the response sent then. An official's export (a request by letter or
    phone) leaves anonymous surveys out altogether: who took part in one is nobody's
    business but the member's.
    """
    from fieldwork import queries  # fieldwork builds on panel

    return [
        {"title": taken.title, "took_part": True}
        | ({"answered_at": taken.answered_at.isoformat()} if not taken.anonymous else {})
        for taken in queries.surveys_taken_part_in(member)
        if not (taken.anonymous and by_official)
    ]


# Profile, pause, leaving ---------------------------------------------------------------


def change_my_profile(member: Member, profile: Profile, name: str) -> None:
    """Save the profile a member edited, and the name on their account."""
    update_profile(member, profile)
    account = member.account
    if account is not None and account.name != name.strip():
        account.name = name.strip()
        record("account.name_changed", account)


def pause(member: Member, until: date) -> None:
    """No invitations up to and including `until`."""
    member.paused_until = until
    record("member.paused", member, until=until.isoformat())


def resume(member: Member) -> None:
    """Invitations welcome again from today."""
    member.paused_until = None
    record("member.resumed", member)


#: Mails about surveys, withdrawn from the outbox when a member leaves.
SURVEY_MAIL_KINDS = ("survey_invitation", "survey_reminder", "results_online")


def leave(member: Member, via: str = "my_details") -> None:
    """Leave the panel: no more invitations, and survey mails still waiting in the outbox
    are withdrawn; data stays until the account is deleted."""
    member.leave(utcnow())
    if member.account is not None:
        withdraw_pending(member.account.email, SURVEY_MAIL_KINDS)
    db.session.flush()
    record("member.left", member, via=via)
    log.info("Member %s left the panel (%s)", member.id, via)


def rejoin(member: Member) -> None:
    """Come back after leaving, with the same profile and pseudonym."""
    member.rejoin()
    db.session.flush()
    record("member.rejoined", member)


def set_my_association_contact(member: Member, wanted: bool) -> None:
    """Give or withdraw the consent to be contacted by the village association."""
    set_association_contact(member, wanted)
    db.session.flush()
    record("consent.changed", member, kind="association_contact", given=wanted)


# Everything stored about someone ---------------------------------------------------------


def personal_data(account: Account, *, by_official: bool = False) -> dict[str, Any]:
    """Everything stored about this account's holder, as plain values (dates, enums);
    `by_official`: for an official answering a request (surveys_taken_part_in)."""
    member = member_for(account)
    return {
        "account": {
            "id": account.id,
            "email": account.email,
            "name": account.name,
            "language": account.language,
            "created_at": account.created_at,
            "last_login_at": account.last_login_at,
        },
        "roles": [
            {
                "role": g.role,
                "village": g.village.name if g.village else None,
                "since": g.granted_at,
            }
            for g in account.grants
        ],
        "member": _member_data(member) if member else None,
        "pending_sign_ups": _sign_ups(account.email),
        "mails": _mails(account.email),
        "activity": _activity(account),
        "surveys": surveys_taken_part_in(member, by_official=by_official) if member else [],
    }


def member_personal_data(member: Member) -> dict[str, Any]:
    """Everything stored about a member, also one without a login (a paper member)."""
    if member.account is not None:
        return personal_data(member.account, by_official=True)
    return {
        "account": None,
        "roles": [],
        "member": _member_data(member),
        "pending_sign_ups": [],
        "mails": [],
        "activity": [],
        "surveys": surveys_taken_part_in(member, by_official=True),
    }


def _member_data(member: Member) -> dict[str, Any]:
    contact = member.contact
    return {
        "id": member.id,
        "pseudonym": member.respondent.pseudonym,
        "village": member.village.name,
        "birth_year": member.birth_year,
        "age_band": member.age_band,
        "sex": member.sex,
        "household": member.household,
        "association_member": member.association_member,
        "channel": member.channel,
        "status": member.status,
        "joined_at": member.joined_at,
        "left_at": member.left_at,
        "paused_until": member.paused_until,
        "recruitment_batch_id": member.recruitment_batch_id,
        "contact_details": {
            "name": contact.name,
            "address": contact.address,
            "postcode": contact.postcode,
            "town": contact.town,
            "phone": contact.phone,
        }
        if contact
        else None,
        "consents": [
            {
                "kind": c.kind,
                "statement_version": c.statement_version,
                "given_at": c.given_at,
                "withdrawn_at": c.withdrawn_at,
            }
            for c in member.consents
        ],
    }


def _sign_ups(email: str) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(SignUp).where(func.lower(SignUp.email) == email.lower()).order_by(SignUp.id)
    )
    return [
        {
            "email": s.email,
            "village": s.village.name,
            "language": s.language,
            "profile": s.profile,
            "association_contact": s.association_contact,
            "statement_version": s.statement_version,
            "created_at": s.created_at,
            "expires_at": s.expires_at,
        }
        for s in rows
    ]


def _mails(email: str) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(OutboxMail)
        .where(func.lower(OutboxMail.recipient) == email.lower())
        .order_by(OutboxMail.id)
    )
    return [
        {
            "kind": m.kind,
            "subject": m.subject,
            "status": m.status,
            "created_at": m.created_at,
            "sent_at": m.sent_at,
        }
        for m in rows
    ]


def _activity(account: Account) -> list[dict[str, Any]]:
    # Only since the account was made: SQLite may give a deleted account's id to a new one,
    # and the audit log keeps actor ids without a foreign key.
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.actor_id == account.id, AuditEvent.created_at >= account.created_at)
        .order_by(AuditEvent.id)
    )
    return [{"action": e.action, "at": e.created_at, "ip_address": e.ip_address} for e in rows]


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def as_json(data: dict[str, Any]) -> str:
    """The export as a JSON document: dates in ISO 8601, choices as their stored codes."""
    return json.dumps(data, default=_plain, ensure_ascii=False, indent=2)


# Deleting ------------------------------------------------------------------------------


def keeps_account(account: Account) -> bool:
    """Staff (officials, associations, volunteers) keep their account; only residents go."""
    return bool(account.roles - {Role.RESIDENT})


def delete_account(account: Account) -> bool:
    """Erase the panel membership, contact data and the link to the pseudonym, now.

    Residents lose their account too, with its mails, pending sign-ups and login links;
    staff keep their account without the resident role. Answers, which carry only the
    pseudonym, stay. Returns whether the account itself was deleted.
    """
    member = member_for(account)
    member_id = member.id if member else None
    email = account.email.lower()
    if member is not None:
        _erase_member(member)
    db.session.execute(delete(SignUp).where(func.lower(SignUp.email) == email))
    if keeps_account(account):
        _drop_resident_role(account)
        db.session.flush()
        record("member.deleted", account, member=member_id)
        return False
    record("account.deleted", account, member=member_id)
    db.session.execute(delete(OutboxMail).where(func.lower(OutboxMail.recipient) == email))
    db.session.execute(delete(LoginToken).where(LoginToken.account_id == account.id))
    _delete_queued_jobs_naming(email)
    account_id, since = account.id, account.created_at
    db.session.delete(account)  # role grants go with it
    db.session.flush()
    pseudonymise_actor(account_id, since)  # only now: the database checks it is gone
    log.info("Account %s and member %s deleted at their request", account.id, member_id)
    return True


def delete_member_on_request(member: Member) -> None:
    """An official deletes a member who asked by phone or letter (paper members cannot log
    in); the same erasure as the member's own, audit-logged with the official as actor."""
    if member.account is not None:
        delete_account(member.account)
        return
    member_id = member.id
    _erase_member(member)
    db.session.flush()
    record("member.deleted", None, member=member_id, on_request=True)


def _erase_member(member: Member) -> None:
    """Delete the member (contact details, consents and invitations go with it), the
    answers they had not sent yet, and the free text officials wrote when looking them
    up. Sent answers stay: they carry only the pseudonym, or nothing (anonymous)."""
    from fieldwork.models import Invitation, Response, ResponseStatus  # fieldwork builds on panel

    started = select(Invitation.response_id).where(
        Invitation.member_id == member.id, Invitation.response_id.is_not(None)
    )
    db.session.execute(
        delete(Response)
        .where(
            Response.status != ResponseStatus.COMPLETED,
            (Response.respondent_id == member.respondent_id) | Response.id.in_(started),
        )
        .execution_options(synchronize_session=False)
    )
    scrub_free_text_about("Member", member.id)
    db.session.delete(member)


def _drop_resident_role(account: Account) -> None:
    # Not `revoke_grant`: that ends every session, and this person stays logged in.
    for grant in [g for g in account.grants if g.role is Role.RESIDENT]:
        account.grants.remove(grant)


def _delete_queued_jobs_naming(email: str) -> None:
    # A login link asked for but not yet made holds the address in its parameters; finished
    # jobs with private parameters have already lost them (see jobs.runner).
    queued = db.session.scalars(
        select(Job).where(Job.status == JobStatus.QUEUED, Job.name == "accounts.send_login_link")
    )
    for job in queued:
        if normalise_email(str(job.params.get("email", ""))) == email:
            db.session.delete(job)
