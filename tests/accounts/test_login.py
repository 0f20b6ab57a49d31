"""The magic-link front door, end to end through a real SMTP server."""

import re
import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import LoginToken
from accounts.services import issue_login_token
from audit.models import AuditEvent
from core.db import db
from jobs.models import Job
from mail.delivery import deliver_all_due
from mail.models import OutboxMail
from tests.conftest import csrf_token_from
from tests.helpers import count, wait_for_jobs

LINK = re.compile(r"http://naoberpanel\.test(/login/[A-Za-z0-9_\-]+(?:\?next=[^\s\"<]+)?)")


def request_link(client, email: str, next_path: str = "", **kwargs):
    token = csrf_token_from(client.get("/login", **kwargs).text)
    data = {"csrf_token": token, "email": email, "next": next_path}
    return client.post("/login", data=data, **kwargs)


def confirm(client, path: str):
    page = client.get(path)
    action = re.search(r'<form method="post" action="([^"]+)"', page.text.split("<main")[1])
    return client.post(
        action.group(1).replace("&amp;", "&"), data={"csrf_token": csrf_token_from(page.text)}
    )


def test_magic_link_login_end_to_end(app, client, make_account, smtp_server):
    account = make_account("official", email="anne@middendrenthe.example")
    response = request_link(client, "  Anne@MiddenDrenthe.example ", next_path="/people/")
    assert response.status_code == 200 and "Controleer uw mail" in response.text

    wait_for_jobs()
    deliver_all_due()
    [message] = smtp_server.inbox.messages
    assert message["To"] == "anne@middendrenthe.example"
    assert message["Subject"] == "Uw inloglink voor Naoberpanel"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    path = LINK.search(text).group(1)
    assert LINK.search(html).group(1).replace("&amp;", "&") == path
    assert "werkt één keer en 15 minuten lang" in text

    # A mail scanner opening the link twice uses nothing up.
    for _ in range(2):
        page = client.get(path)
        assert page.status_code == 200 and "Kies de knop om in te loggen" in page.text

    response = confirm(client, path)
    assert response.status_code == 303 and response.location == "/people/"
    assert account.email in client.get("/account").text
    db.session.expire_all()
    assert account.last_login_at is not None
    logins = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).all()
    assert [(e.actor_id, e.ip_address) for e in logins] == [(account.id, "127.0.0.1")]

    # The link works once.
    again = client.get(path)
    assert "Deze link werkt niet meer" in again.text
    other = client.application.test_client()
    assert "Deze link werkt niet meer" in confirm_invalid(other, path)


def confirm_invalid(client, path: str) -> str:
    token = csrf_token_from(client.get("/login").text)
    return client.post(path, data={"csrf_token": token}).text


def test_an_expired_link_is_refused_with_a_way_forward(app, client, make_account):
    account = make_account("resident")
    token, _ = issue_login_token(account, timedelta(minutes=-1))
    db.session.commit()
    page = client.get(f"/login/{token}")
    assert "Deze link werkt niet meer" in page.text and 'href="/login"' in page.text
    assert "Deze link werkt niet meer" in confirm_invalid(client, f"/login/{token}")
    assert client.get("/account").status_code == 302


def test_only_a_hash_of_the_token_is_stored(app, make_account):
    account = make_account("resident")
    token, _ = issue_login_token(account, timedelta(minutes=15))
    db.session.commit()
    stored = db.session.scalars(select(LoginToken)).one()
    assert len(token) >= 43  # 32 random bytes
    assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_unknown_addresses_get_the_same_answer(app, client, make_account):
    make_account("resident", email="known@example.nl")
    known = request_link(client, "known@example.nl")
    unknown = request_link(client, "unknown@example.nl")
    assert known.status_code == unknown.status_code == 200
    assert strip_tokens(known.text) == strip_tokens(unknown.text)
    wait_for_jobs()
    assert count(OutboxMail) == 1
    # The address asked for is personal data: it does not stay behind in the job.
    assert db.session.scalars(select(Job.params)).all() == [{}, {}]


def strip_tokens(html: str) -> str:
    return re.sub(r'value="[^"]{40,}"', "", html)


def test_unknown_addresses_take_as_long_as_known_ones(make_app, make_account):
    """Timing: the medians differ by less than the spread of either kind of request,
    with the job worker running beside the requests as it does in production."""
    app = make_app(RATELIMIT_ENABLED=False)
    client = app.test_client()
    with app.app_context():
        make_account("resident", email="known@example.nl")
    token = csrf_token_from(client.get("/login").text)
    timings = {"known@example.nl": [], "nobody@example.nl": []}
    for _ in range(60):  # interleaved; 25 let one noisy stretch of a shared machine move a median
        for email, samples in timings.items():
            start = time.perf_counter()
            client.post("/login", data={"csrf_token": token, "email": email})
            samples.append(time.perf_counter() - start)
    known, unknown = (statistics.median(s) for s in timings.values())
    noise = min(iqr(samples) for samples in timings.values())
    assert abs(known - unknown) <= noise, (known, unknown, noise)


def iqr(samples: list[float]) -> float:
    quartiles = statistics.quantiles(samples, n=4)
    return quartiles[2] - quartiles[0]


def test_login_links_use_base_url_not_the_host_header(app, client, make_account):
    make_account("resident", email="host@example.nl")
    request_link(client, "host@example.nl", base_url="http://evil.example")
    wait_for_jobs()
    mail = db.session.scalars(select(OutboxMail)).one()
    assert "http://naoberpanel.test/login/" in mail.body_text and "evil" not in mail.body_text


def test_next_may_only_be_a_local_path(app, client, make_account, smtp_server):
    make_account("official", email="next@example.nl")
    request_link(client, "next@example.nl", next_path="https://evil.example/")
    wait_for_jobs()
    deliver_all_due()
    path = LINK.search(smtp_server.inbox.messages[0].get_body(("plain",)).get_content()).group(1)
    assert confirm(client, path).location == "/overzicht"


def test_login_starts_a_fresh_session(app, client, make_account):
    account = make_account("resident")
    token, _ = issue_login_token(account, timedelta(minutes=5))
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    confirm(client, f"/login/{token}")
    with client.session_transaction() as session:
        assert "planted" not in session and session["account_id"] == account.id


def test_rate_limits_answer_with_a_friendly_message(make_app):
    client = make_app(LOGIN_LIMIT_PER_ADDRESS="3 per minute").test_client()
    emails = ["a@example.nl", "b@example.nl", "c@example.nl", "d@x.nl"]
    token = csrf_token_from(client.get("/login").text)
    statuses = [
        client.post("/login", data={"csrf_token": token, "email": e}).status_code for e in emails
    ]
    assert statuses == [200, 200, 200, 429]
    refused = client.post("/login", data={"csrf_token": token, "email": emails[-1]})
    assert "Even geduld" in refused.text and "wacht even" in refused.text


def test_invalid_email_shows_the_error_and_keeps_what_was_typed(client):
    token = csrf_token_from(client.get("/login").text)
    page = client.post("/login", data={"csrf_token": token, "email": "anne at beilen"})
    assert page.status_code == 200
    assert "Vul een e-mailadres in zoals naam@voorbeeld.nl." in page.text
    assert 'value="anne at beilen"' in page.text and 'aria-invalid="true"' in page.text
    assert "<title>Fout: Inloggen" in page.text


def test_logout_ends_the_session(client, login_as):
    login_as("resident")
    assert client.get("/account").status_code == 200
    token = csrf_token_from(client.get("/account").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/account").status_code == 302


def test_idle_sessions_expire(client, login_as):
    login_as("resident")
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60
    response = client.get("/account")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert "een tijd niets heeft gedaan" in client.get(response.location).text


def test_revoking_the_last_role_ends_access_and_login(client, login_as):
    account = login_as("official")
    account.grants.clear()
    db.session.commit()
    assert client.get("/people/").status_code == 403
    request_link(client, account.email)
    wait_for_jobs()
    assert count(OutboxMail) == 0


def test_a_double_click_on_the_login_button_does_no_harm(app, client, make_account):
    account = make_account("resident")
    token, _ = issue_login_token(account, timedelta(minutes=5))
    db.session.commit()
    page = client.get(f"/login/{token}?next=/account")
    data = {"csrf_token": csrf_token_from(page.text)}
    second_click = app.test_client()  # sent before the first answer came back: old cookie
    second_click.set_cookie("session", client.get_cookie("session").value)
    first = client.post(f"/login/{token}?next=/account", data=data)
    second = second_click.post(f"/login/{token}?next=/account", data=data)
    assert first.status_code == 303 and first.location == "/account"
    assert "Als u dat was, bent u al ingelogd" in second.text
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("evil", ["//evil.example/", "/\\evil.example", "https:evil.example"])
def test_next_on_the_link_itself_stays_on_this_site(app, client, make_account, evil):
    account = make_account("resident")
    token, _ = issue_login_token(account, timedelta(minutes=5))
    db.session.commit()
    page = client.get(f"/login/{token}")
    response = client.post(
        f"/login/{token}",
        query_string={"next": evil},
        data={"csrf_token": csrf_token_from(page.text)},
    )
    assert response.location == "/account"


def test_a_copied_session_cookie_dies_with_logout(app, client, login_as):
    login_as("resident")
    stolen = client.get_cookie("session").value
    token = csrf_token_from(client.get("/account").text)
    client.post("/logout", data={"csrf_token": token})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/account").status_code == 302


def test_the_session_cookie_is_written_when_the_session_changes_only(client, make_account):
    token, _ = issue_login_token(make_account("resident"), timedelta(minutes=5))
    db.session.commit()
    page = client.get(f"/login/{token}")
    client.post(f"/login/{token}", data={"csrf_token": csrf_token_from(page.text)})
    client.get("/account")
    assert "Set-Cookie" not in client.get("/account").headers
    with client.session_transaction() as session:
        session["seen"] -= 61
    refreshed = client.get("/account")
    assert refreshed.status_code == 200 and "Set-Cookie" in refreshed.headers


def test_sessions_end_after_twelve_hours_however_active(client, login_as):
    login_as("resident")
    with client.session_transaction() as session:
        session["since"] -= 12 * 3600 + 1
    assert client.get("/account").status_code == 302


def test_logging_in_uses_up_the_accounts_other_links(app, client, make_account):
    account = make_account("resident")
    first, _ = issue_login_token(account, timedelta(minutes=5))
    second, _ = issue_login_token(account, timedelta(hours=72))
    db.session.commit()
    confirm(client, f"/login/{first}")
    assert "Deze link werkt niet meer" in client.get(f"/login/{second}").text


def test_revoking_a_role_ends_the_holders_sessions(client, login_as, make_account):
    from accounts.services import revoke_grant

    make_account("official")  # someone must stay official
    account = login_as("official")
    grant_role_extra = make_account("volunteer", email=account.email)
    assert client.get("/people/").status_code == 200
    revoke_grant(grant_role_extra.grants[0])
    db.session.commit()
    assert client.get("/people/").status_code == 302


def test_strangers_asking_for_someones_links_do_not_lock_them_out(
    app, client, make_account, smtp_server
):
    """The attack: 20 requests for a named official's login links, from many addresses.
    Every request gets the usual answer, at most LOGIN_LIMIT_PER_EMAIL mails go out, and
    the official, asking from their own computer, still logs in with the newest link."""
    account = make_account("official", email="wethouder@middendrenthe.example")
    attacker = app.test_client()
    for i in range(20):
        attacker_ip = {"REMOTE_ADDR": f"198.51.100.{i}"}
        response = request_link(attacker, account.email, environ_base=attacker_ip)
        assert response.status_code == 200 and "Controleer uw mail" in response.text

    response = request_link(client, account.email, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 200 and "Controleer uw mail" in response.text
    wait_for_jobs()
    deliver_all_due()
    messages = smtp_server.inbox.messages
    assert len(messages) == 5  # the default LOGIN_LIMIT_PER_EMAIL: 5 per 15 minutes
    newest = LINK.search(messages[-1].get_body(("plain",)).get_content()).group(1)
    assert confirm(client, newest).status_code == 303
    with client.session_transaction() as session:
        assert session["account_id"] == account.id


def test_the_mail_limit_frees_up_after_its_window(app, client, make_account, smtp_server):
    account = make_account("official")
    for _ in range(6):
        request_link(client, account.email)
    wait_for_jobs()
    assert count(LoginToken) == 5
    for row in db.session.scalars(select(LoginToken)):
        row.created_at -= timedelta(minutes=16)
    db.session.commit()
    request_link(client, account.email)
    wait_for_jobs()
    assert count(LoginToken) == 6


def test_every_session_starts_through_the_audited_log_in():
    """`sessions.log_in` writes the audit event, so nothing else may put an account in a
    session (a new way to log in would otherwise go unrecorded)."""
    from pathlib import Path

    root = Path(__file__).parents[2]
    writers = set()
    for source in root.glob("*/**/*.py"):
        if source.parts[len(root.parts)] in {"tests", ".venv", "node_modules"}:
            continue
        if re.search(
            r"ACCOUNT_KEY\s*:|\[\s*(ACCOUNT_KEY|\"account_id\")\s*\]\s*=", source.read_text()
        ):
            writers.add(source.relative_to(root).as_posix())
    assert writers == {"accounts/sessions.py"}


@pytest.mark.parametrize("role", ["official", "association", "resident"])
def test_each_request_reads_the_account_with_its_roles_and_membership_at_once(
    client, login_as, make_member, role
):
    from tests.helpers import counted_queries

    account = login_as(role, village="Beilen" if role == "association" else None)
    if role == "resident":
        make_member(account=account)
    with counted_queries() as statements:
        page = client.get("/")
    assert page.status_code == 200 and "Mijn account" in page.text
    reads = [s for s in statements if "FROM accounts" in s or "role_grants" in s]
    assert len(reads) == 1, "\n".join(statements)
    assert not [s for s in statements if "FROM panel_members" in s]
