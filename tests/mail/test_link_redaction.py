"""Sent mail keeps no key: the outbox row of a delivered login, invitation, sign-up or survey
mail holds no link that still opens anything, while the mail itself arrived with it."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from core.dates import local_today
from core.db import db, utcnow
from mail.delivery import deliver_all_due
from mail.models import MailStatus, OutboxMail
from mail.redaction import REMOVED
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from, start_session
from tests.helpers import wait_for_jobs
from villages.queries import village_by_name

URL = re.compile(r"https?://[^\s<>\"']+")
KINDS = {"login", "invitation", "confirm_sign_up", "survey_invitation"}


def post_page(client, path: str, data: dict):
    token = csrf_token_from(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **data})


@pytest.fixture
def link_mails(app, client, seeded, privacy_statement, make_account, make_member):
    """One mail of each kind that carries a key, each made through its real route."""
    privacy_statement()
    resident = make_member("Orvelte", email="inwoner@example.nl")
    official = make_account("official", email="ambtenaar@middendrenthe.example")
    survey = create_survey(load_template("leefbaarheid"), by=None, villages=[])
    survey.publish(local_today() - timedelta(days=1), local_today() + timedelta(days=20), utcnow())
    db.session.commit()

    post_page(client, "/login", {"email": official.email})
    orvelte = str(village_by_name("Orvelte").id)
    post_page(
        client,
        "/join",
        {"email": "nieuw@example.nl", "village": orvelte, "birth_year": "1970"}
        | {"sex": "female", "household": "single", "association_member": "no", "agree": "y"},
    )
    officials_browser = app.test_client()
    start_session(officials_browser, official)
    invite = {"email": "bestuur@orvelte.example", "name": "Bestuur", "role": "association"}
    post_page(officials_browser, "/people/invite", invite | {"village": orvelte, "language": "nl"})
    post_page(officials_browser, f"/surveys/{survey.id}/invitations", {})
    wait_for_jobs()
    assert {m.kind for m in db.session.scalars(select(OutboxMail))} == KINDS
    assert resident.account.email in {m.recipient for m in db.session.scalars(select(OutboxMail))}
    deliver_all_due()
    db.session.expire_all()
    return db.session.scalars(select(OutboxMail)).all()


def stored_paths(mail: OutboxMail) -> set[str]:
    urls = URL.findall(mail.body_text) + URL.findall(html.unescape(mail.body_html))
    return {urlsplit(url)._replace(scheme="", netloc="").geturl() for url in urls}


def test_no_url_left_in_a_sent_mail_opens_anything(app, link_mails, smtp_server):
    assert {m.status for m in link_mails} == {MailStatus.SENT}
    for mail in link_mails:
        assert REMOVED in mail.body_text and REMOVED in mail.body_html, mail.kind
        for path in stored_paths(mail):
            # Whoever reads the table tries every address it holds, pressing any button.
            thief = app.test_client()
            page = thief.get(path, follow_redirects=True)
            form = re.search(r'<form method="post" action="([^"]+)"', page.text.split("<main")[-1])
            if form and "csrf_token" in page.text:
                action = html.unescape(form.group(1))
                thief.post(action, data={"csrf_token": csrf_token_from(page.text)})
            with thief.session_transaction() as session:
                assert "account_id" not in session, (mail.kind, path)
            assert thief.get_cookie("enquete_link", path=path) is None, (mail.kind, path)


def test_the_mails_themselves_arrived_with_their_links(app, link_mails, smtp_server):
    arrived = [m.get_body(("plain",)).get_content() for m in smtp_server.inbox.messages]
    assert len(arrived) == len(link_mails)
    assert all(REMOVED not in text for text in arrived)
    paths = [p for text in arrived for p in re.findall(r"naoberpanel\.test(/\S+)", text)]
    for prefix in ("/login/", "/join/confirm/", "/enquete/"):
        [path, *_] = [p for p in paths if p.startswith(prefix)]
        assert app.test_client().get(path).status_code in (200, 303), path


def test_the_console_backend_still_shows_the_link(make_app, make_account, caplog):
    app = make_app(MAIL_BACKEND="console")
    with app.app_context():
        account = make_account("official", email="ontwikkelaar@example.nl")
        post_page(app.test_client(), "/login", {"email": account.email})
        wait_for_jobs()
        deliver_all_due()
        [mail] = db.session.scalars(select(OutboxMail)).all()
        assert "/login/" not in mail.body_text and REMOVED in mail.body_text
    assert re.search(r"http://naoberpanel\.test/login/[A-Za-z0-9_\-]{20,}", caplog.text)


def test_the_daily_purge_wipes_links_left_in_mail_sent_before(app, make_account):
    """Mail delivered before links were wiped at delivery: the first purge wipes them."""
    token = "k" * 43
    body = f"Log in: http://naoberpanel.test/login/{token}?next=/people/ My page: http://naoberpanel.test/me/"
    old = OutboxMail(recipient="a@example.nl", subject="Inloglink", kind="login")
    old.body_text, old.body_html = body, f'<a href="http://naoberpanel.test/login/{token}">'
    old.status, old.sent_at = MailStatus.SENT, utcnow() - timedelta(days=2)
    db.session.add(old)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    mail = db.session.get(OutboxMail, old.id)
    assert token not in mail.body_text + mail.body_html
    assert REMOVED in mail.body_text and "http://naoberpanel.test/me/" in mail.body_text
