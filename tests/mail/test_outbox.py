"""The outbox delivers every mail exactly once, keeps failed mail, and retries with backoff."""

import threading
from datetime import timedelta

from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select, update

from core.db import db, utcnow
from mail.delivery import deliver_all_due, deliver_batch
from mail.models import MailStatus, OutboxMail
from mail.services import Addressee, queue_mail, queue_mails
from tests.conftest import csrf_token_from
from tests.helpers import count


def queue_logins(n: int, language: str = "nl") -> None:
    for i in range(n):
        queue_mail(f"inwoner{i}@example.nl", "login", language, name="", link=f"L{i}", minutes=15)
    db.session.commit()


def test_two_workers_deliver_each_mail_exactly_once(app, smtp_server):
    queue_logins(60)
    start = threading.Barrier(2)

    def worker():
        with app.app_context():
            start.wait()
            deliver_all_due()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recipients = [m["To"] for m in smtp_server.inbox.messages]
    assert sorted(recipients) == sorted(f"inwoner{i}@example.nl" for i in range(60))
    statuses = db.session.scalars(select(OutboxMail.status)).all()
    assert set(statuses) == {MailStatus.SENT}


def test_mail_waits_while_smtp_is_down_and_goes_once_it_is_up(make_app, smtp_server):
    down = make_app()  # MAIL_PORT 9: nothing listens
    with down.app_context():
        queue_logins(1)
        deliver_batch()
        mail = db.session.scalars(select(OutboxMail)).one()
        assert (mail.status, mail.attempts) == (MailStatus.PENDING, 1)
        assert mail.send_after > utcnow() + timedelta(seconds=50)  # backoff: not due yet
        assert "Connection refused" in mail.last_error or "Errno" in mail.last_error
        assert deliver_batch() is False
        move_clock_past_backoff()
    up = make_app(MAIL_PORT=smtp_server.port)
    with up.app_context():
        deliver_all_due()
        mail = db.session.scalars(select(OutboxMail)).one()
        assert (mail.status, mail.attempts) == (MailStatus.SENT, 2)
    assert len(smtp_server.inbox.messages) == 1


def move_clock_past_backoff() -> None:
    db.session.execute(update(OutboxMail).values(send_after=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_after_the_last_attempt_a_mail_is_failed_and_shown_to_officials(login_as, client):
    queue_logins(1)
    for _ in range(8):
        deliver_batch()
        move_clock_past_backoff()
    mail = db.session.scalars(select(OutboxMail)).one()
    assert (mail.status, mail.attempts) == (MailStatus.FAILED, 8)
    login_as("official")
    page = client.get("/mail/outbox")
    assert "Mislukt" in page.text and "inwoner0@example.nl" in page.text
    response = client.post(
        f"/mail/outbox/{mail.id}/retry",
        data={"csrf_token": csrf_token_from(page.text)},
        follow_redirects=True,
    )
    assert "De mail wordt opnieuw verstuurd." in response.text
    db.session.expire_all()
    assert (mail.status, mail.attempts) == (MailStatus.PENDING, 0)


def test_mail_is_only_queued_with_its_transaction(app):
    queue_mail("a@example.nl", "login", "nl", name="", link="L", minutes=15)
    db.session.rollback()
    assert count(OutboxMail) == 0


def test_mail_is_written_in_the_recipients_language(app, smtp_server):
    queue_logins(1, language="en")
    deliver_all_due()
    [message] = smtp_server.inbox.messages
    assert message["Subject"] == "Your login link for Naoberpanel"
    assert "Gemeente Midden-Drenthe" in message.get_body(("plain",)).get_content()
    mail_id = db.session.scalar(select(OutboxMail.id))
    assert message["Message-ID"].strip().startswith(f"<outbox-{mail_id}-")


def test_a_claim_left_by_a_dead_worker_is_released(app, smtp_server):
    queue_logins(1)
    db.session.execute(
        update(OutboxMail).values(
            status=MailStatus.SENDING, claimed_at=utcnow() - timedelta(minutes=11)
        )
    )
    db.session.commit()
    deliver_all_due()
    assert len(smtp_server.inbox.messages) == 1


def test_console_backend_writes_the_mail_to_the_log(make_app, caplog):
    app = make_app(MAIL_BACKEND="console")
    with app.app_context():
        queue_logins(1)
        deliver_all_due()
    assert "mail to inwoner0@example.nl" in caplog.text and "L0" in caplog.text


def test_cli_sends_what_is_due(app, smtp_server):
    queue_logins(3)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0 and len(smtp_server.inbox.messages) == 3


def test_a_live_workers_claim_is_not_taken_over(app, smtp_server):
    """A slow batch renews its claim per mail, so nobody releases and resends it."""
    from mail.delivery import claim_due_mails, deliver_one, release_stale_claims
    from mail.transports import transport_for

    queue_logins(2)
    first, second = claim_due_mails(10)
    with transport_for(app.config) as transport:
        deliver_one(transport, first)
        # Time passes over a slow SMTP server: the second claim looks stale to another
        # worker, which releases it and sends it itself.
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == second)
            .values(claimed_at=utcnow() - timedelta(minutes=11))
        )
        db.session.commit()
        release_stale_claims()
        deliver_all_due()
        deliver_one(transport, second)  # the slow worker comes back: it must not send again
    assert sorted(m["To"] for m in smtp_server.inbox.messages) == [
        "inwoner0@example.nl",
        "inwoner1@example.nl",
    ]


def test_a_login_mail_that_expired_is_not_sent(app, smtp_server):
    queue_mail(
        "laat@example.nl",
        "login",
        "nl",
        expires_at=utcnow() - timedelta(seconds=1),
        name="",
        link="L",
        minutes=15,
    )
    db.session.commit()
    deliver_all_due()
    assert smtp_server.inbox.messages == []
    assert db.session.scalars(select(OutboxMail.status)).one() is MailStatus.FAILED


def test_a_permanent_refusal_fails_at_once(app, smtp_server):
    async def refuse(server, session, envelope):
        return "550 No such user here"

    smtp_server.handler.handle_DATA = refuse
    queue_logins(1)
    deliver_all_due()
    mail = db.session.scalars(select(OutboxMail)).one()
    assert (mail.status, mail.attempts) == (MailStatus.FAILED, 1)
    assert "550" in mail.last_error


MAIL_COLUMNS = (OutboxMail.recipient, OutboxMail.kind, OutboxMail.subject)
BODIES = (OutboxMail.body_text, OutboxMail.body_html, OutboxMail.expires_at)


def queued_rows() -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(select(*MAIL_COLUMNS, *BODIES).order_by(OutboxMail.id))
    ]


LOGINS = [
    Addressee(f"{language}{n}@example.nl", language, {"name": name, "link": f"https://x/{n}"})
    for language in ("nl", "en")
    for n, name in enumerate(["", "Jan & Marie <de Vries>", "O'Neill", "Bea"])
]


def test_mails_queued_together_are_the_mails_queued_one_by_one(app, caplog):
    def shared(language):
        return {"minutes": 15}

    expires = utcnow() + timedelta(minutes=15)
    for addressee in LOGINS:
        queue_mail(
            addressee.email, "login", addressee.language, expires, minutes=15, **addressee.personal
        )
    one_by_one = queued_rows()
    db.session.rollback()
    assert queue_mails("login", LOGINS, shared, expires_at=expires) == len(LOGINS)
    db.session.commit()
    assert queued_rows() == one_by_one
    assert "Jan &amp; Marie &lt;de Vries&gt;" in one_by_one[1][4]  # escaped in HTML only
    assert "Jan & Marie <de Vries>" in one_by_one[1][3]
    assert "rendered per mail" not in caplog.text  # filled in, not rendered whole


def test_a_template_that_changes_a_personal_text_gets_each_mail_rendered_whole(
    app, caplog, monkeypatch
):
    shouting = {
        "emails/shout.subject.txt": "{{ name|upper }}",
        "emails/shout.txt": "{{ greeting(name) }} {{ link|length }}",
        "emails/shout.html": "<p>{{ name|title }}</p>",
    }
    loader = ChoiceLoader([DictLoader(shouting), app.jinja_env.loader])
    monkeypatch.setattr(app.jinja_env, "loader", loader)
    for addressee in LOGINS:
        queue_mail(addressee.email, "shout", addressee.language, **addressee.personal)
    one_by_one = queued_rows()
    db.session.rollback()
    queue_mails("shout", LOGINS, lambda language: {})
    assert queued_rows() == one_by_one
    assert one_by_one[2][2] == "O'NEILL"
    assert "does not take placeholders" in caplog.text
