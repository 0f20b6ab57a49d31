"""The audit log's one exception to append-only: on erasure an actor and client address
become keyed-hash pseudonyms, and after the retention addresses and free text go. The
database refuses every other change, also one that looks like it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from accounts.models import Account
from audit.models import AuditEvent
from audit.services import REMOVED, pseudonym, pseudonymise_actor, record
from core.db import db, utcnow

HASH = "h:" + "ab" * 20


def one_event(**fields) -> AuditEvent:
    event = record("member.viewed", None, actor_id=fields.pop("actor_id", None), **fields)
    db.session.commit()
    return event


def attempt(statement: str, **params) -> None:
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement), params)
    db.session.rollback()


def set_ip(event_id: int, address: str) -> None:
    db.session.execute(
        sa.text("UPDATE audit_events SET ip_address = :ip WHERE id = :id"),
        {"ip": address, "id": event_id},
    )
    db.session.commit()


@pytest.fixture
def gone(make_account) -> int:
    """The id of an account that no longer exists."""
    account = make_account("resident")
    account_id = account.id
    db.session.delete(account)
    db.session.commit()
    return account_id


def test_the_actor_of_an_erased_account_becomes_its_pseudonym(app, gone):
    event = one_event(actor_id=gone, reason="support", explanation="Belde over Jan")
    db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.id == event.id)
        .values(actor_id=None, actor_pseudonym=HASH)
    )
    db.session.commit()
    assert db.session.get(AuditEvent, event.id).actor_pseudonym == HASH


def test_a_living_accounts_events_cannot_be_pseudonymised(app, make_account):
    official = make_account("official")
    event = one_event(actor_id=official.id)
    attempt(
        "UPDATE audit_events SET actor_id = NULL, actor_pseudonym = :p WHERE id = :id",
        p=HASH,
        id=event.id,
    )


@pytest.mark.parametrize(
    "change",
    [
        "actor_id = NULL, actor_pseudonym = 'h:not-a-hash'",
        "actor_id = NULL",  # hiding who did it, without a pseudonym to check it by
        "actor_id = 12345",
        "action = 'nothing happened'",
        "object_id = '99'",
        "object_type = 'Survey'",
        "ip_address = 'h:not-a-hash'",
        "ip_address = '10.0.0.99'",
    ],
)
def test_every_other_change_is_refused(app, gone, change):
    event = one_event(actor_id=gone)
    set_ip(event.id, "")  # allowed; the changes below are not
    attempt(f"UPDATE audit_events SET {change} WHERE id = :id", id=event.id)


def test_the_created_time_and_detail_cannot_change(app, gone):
    event = one_event(actor_id=gone, reason="support", explanation="Belde over Jan")
    attempt(
        "UPDATE audit_events SET created_at = :at WHERE id = :id",
        at=utcnow() - timedelta(days=400),
        id=event.id,
    )
    for detail in ['{"reason": "other", "explanation": "Belde over Jan"}', '{"reason": "x"}']:
        attempt("UPDATE audit_events SET detail = :d WHERE id = :id", d=detail, id=event.id)


def test_only_the_explanation_can_be_removed_from_the_detail(app):
    event = one_event(reason="support", explanation="Belde over Jan")
    event.detail = {**event.detail, "explanation": REMOVED}
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(AuditEvent, event.id).detail == {
        "reason": "support",
        "explanation": REMOVED,
    }


def test_an_address_becomes_a_pseudonym_once_and_can_be_emptied(app):
    event = one_event()
    set_ip(event.id, "")  # the recorded "" (no request) stays ""
    db.session.execute(
        sa.insert(AuditEvent).values(action="login", detail={}, ip_address="192.0.2.7")
    )
    db.session.commit()
    event_id = db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "login"))
    set_ip(event_id, HASH)
    attempt(
        "UPDATE audit_events SET ip_address = :ip WHERE id = :id", ip="h:" + "cd" * 20, id=event_id
    )
    attempt("UPDATE audit_events SET ip_address = '192.0.2.7' WHERE id = :id", id=event_id)
    set_ip(event_id, "")


def test_deletion_stays_refused(app, gone):
    event = one_event(actor_id=gone)
    attempt("DELETE FROM audit_events WHERE id = :id", id=event.id)


def test_pseudonymise_actor_replaces_id_address_and_free_text(app, make_account):
    account = make_account("resident")
    account_id, since = account.id, account.created_at
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.23"}):
        record("login", account, actor_id=account_id)
        record("member.viewed", None, actor_id=account_id, explanation="Jan belde")
        db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        pseudonymise_actor(account_id, since)  # the account still exists
    db.session.rollback()

    db.session.delete(db.session.get(Account, account_id))
    db.session.flush()
    assert pseudonymise_actor(account_id, since) == 2
    db.session.commit()

    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action.in_(["login", "member.viewed"]))
        .order_by(AuditEvent.id)
    ).all()
    assert {e.actor_id for e in events} == {None}
    assert {e.actor_pseudonym for e in events} == {pseudonym("account", account_id)}
    assert {e.ip_address for e in events} == {pseudonym("ip", "198.51.100.23")}
    assert events[1].detail == {"explanation": REMOVED}
    assert "198.51.100.23" not in str([(e.ip_address, e.detail) for e in events])


def test_the_pseudonym_key_is_not_the_secret_key(app):
    import hashlib
    import hmac

    plain = hmac.new(app.config["SECRET_KEY"].encode(), b"account:7", hashlib.sha256)
    assert pseudonym("account", 7) != "h:" + plain.hexdigest()[:40]
    app.config["AUDIT_PSEUDONYM_KEY"] = "another key"
    assert pseudonym("account", 7) != pseudonym("ip", 7)


def test_purge_empties_old_addresses_and_free_text_and_keeps_the_events(app):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.5"}):
        old = record("member.viewed", None, actor_id=3, reason="other", explanation="Jan")
        recent = record("member.viewed", None, actor_id=3, reason="other", explanation="Piet")
        db.session.commit()
    # An old entry is inserted with a past time: the log refuses to change its time.
    db.session.execute(
        sa.insert(AuditEvent).values(
            created_at=utcnow() - timedelta(days=91),
            action="member.viewed",
            detail={"reason": "other", "explanation": "Klaas"},
            ip_address="203.0.113.6",
        )
    )
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["maintenance", "purge"])

    assert "emptied the address and free text of 1 old audit event(s)" in result.output
    rows = {
        e.detail["explanation"]: e.ip_address
        for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "member.viewed")
        )
    }
    assert rows == {"Jan": "203.0.113.5", "Piet": "203.0.113.5", REMOVED: ""}
    assert old.id and recent.id
