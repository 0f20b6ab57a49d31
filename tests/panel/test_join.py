"""Joining the panel: open sign-up with double opt-in, letters with a code, bad input."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from accounts.models import Account, LoginToken, Role
from accounts.services import issue_login_token
from audit.models import AuditEvent
from core.db import db, utcnow
from mail.delivery import deliver_all_due
from mail.models import OutboxMail
from panel.join import purge_unconfirmed_sign_ups
from panel.models import ConsentKind, Member, SignUp
from panel.services import agreed_version, association_contact_allowed
from recruitment.codes import code_hash, formatted, generate
from recruitment.models import RecruitmentBatch, RecruitmentCode
from tests.conftest import csrf_token_from
from tests.helpers import count
from villages.queries import village_by_name

CONFIRM_LINK = re.compile(r"http://naoberpanel\.test(/join/confirm/[A-Za-z0-9_\-]+)")


@pytest.fixture
def ready(seeded, privacy_statement):
    return privacy_statement()


def answers(place="Orvelte", **overrides) -> dict:
    """The form as a resident fills it in; `village` in overrides is the raw value sent."""
    data = {
        "email": "Jan.Jansen@Example.nl ",
        "village": str(village_by_name(place).id),
        "birth_year": "1956",
        "sex": "male",
        "household": "couple",
        "association_member": "yes",
        "agree": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def sign_up(client, path="/join", **overrides):
    """Fill in and send the sign-up form at `path`."""
    token = csrf_token_from(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **answers(**overrides)})


def confirm_link(smtp_server) -> str:
    deliver_all_due()
    message = smtp_server.inbox.messages[-1]
    return CONFIRM_LINK.search(message.get_body(("plain",)).get_content()).group(1)


def press_button(client, path):
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"csrf_token": csrf_token_from(page.text)})


def test_open_sign_up_counts_only_after_the_address_is_confirmed(app, client, ready, smtp_server):
    response = sign_up(client, association_contact="y")
    assert response.status_code == 200
    assert count(Member) == 0 and count(SignUp) == 1

    path = confirm_link(smtp_server)
    message = smtp_server.inbox.messages[-1]
    assert message["To"] == "jan.jansen@example.nl"
    # A mail scanner opening the link changes nothing.
    client.get(path)
    assert count(Member) == 0

    response = press_button(client, path)
    assert response.status_code == 303 and response.location == "/me/"
    member = db.session.scalar(select(Member))
    assert member.village.name == "Orvelte" and member.birth_year == 1956
    assert member.account.email == "jan.jansen@example.nl"
    assert member.association_member is True
    assert agreed_version(member) == ready.version
    assert association_contact_allowed(member)
    assert Role.RESIDENT in member.account.roles
    assert count(SignUp) == 0
    assert client.get("/me/").status_code == 200  # logged in by confirming


def test_the_confirmation_link_works_once(app, client, ready, smtp_server):
    sign_up(client)
    path = confirm_link(smtp_server)
    assert press_button(client, path).status_code == 303
    again = client.get(path)
    assert again.status_code == 404
    assert count(Member) == 1


def test_a_double_submit_sends_one_mail(app, client, ready):
    sign_up(client)
    sign_up(client)
    assert count(SignUp) == 1
    assert count(OutboxMail) == 1


def test_signing_up_again_as_a_member_sends_an_already_member_mail(
    app, client, ready, make_member, smtp_server
):
    make_member("Orvelte", email="jan.jansen@example.nl")
    before = count(Member)
    response = sign_up(client)
    assert response.status_code == 200  # the same page as for a new address
    deliver_all_due()
    message = smtp_server.inbox.messages[-1]
    assert "/join/confirm/" not in message.get_body(("plain",)).get_content()
    assert "/login" in message.get_body(("plain",)).get_content()
    assert count(SignUp) == 0 and count(Member) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "jan@"}, "email"),
        ({"village": "999999"}, "village"),
        ({"village": ""}, "village"),
        ({"birth_year": "1850"}, "birth_year"),
        ({"birth_year": str(date.today().year - 10)}, "birth_year"),
        ({"birth_year": "negentien"}, "birth_year"),
        ({"birth_year": "", "age_band": None}, "birth_year"),
        ({"sex": None}, "sex"),
        ({"sex": "unknown"}, "sex"),
        ({"household": None}, "household"),
        ({"agree": None}, "agree"),
    ],
)
def test_bad_input_is_explained_and_keeps_what_was_typed(app, client, ready, overrides, field):
    response = sign_up(client, **overrides)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text or f'href="#{field}"' in response.text
    assert 'value="1956"' in response.text or "birth_year" in overrides
    if "email" not in overrides:
        assert 'value="Jan.Jansen@Example.nl"' in response.text
    assert count(SignUp) == 0


def test_a_neighbourhood_or_unknown_place_is_not_a_choice(app, client, ready):
    response = sign_up(client, village=str(village_by_name("Nagtegael").id))
    assert response.status_code == 422


def test_closed_villages_accept_only_letters(app, client, ready):
    village_by_name("Orvelte").open_sign_up = False
    db.session.commit()
    response = sign_up(client)
    assert response.status_code == 422
    assert 'id="village-error"' in response.text
    assert count(SignUp) == 0


def test_finding_the_village_by_postcode(app, client, ready):
    response = client.get("/join", query_string={"postcode": "9441 ab"})
    assert response.status_code == 200
    orvelte = village_by_name("Orvelte").id
    assert f'<option selected value="{orvelte}">' in response.text
    assert 'value="9441 ab"' in response.text

    several = client.get("/join", query_string={"postcode": "9437"})
    assert "Nieuw-Balinge, Mantinge, Balinge" in several.text
    assert "<option selected" not in several.text

    amsterdam = client.get("/join", query_string={"postcode": "1012 AB"})
    assert "Midden-Drenthe" in amsterdam.text.split('role="status"')[1]
    nonsense = client.get("/join", query_string={"postcode": "abc"})
    assert 'id="postcode-error"' in nonsense.text


def test_pressing_enter_in_the_sign_up_form_sends_the_sign_up(app, client, ready):
    """The postcode finder is a form of its own: the sign-up form's only button is its own."""
    page = client.get("/join").text
    sign_up_form = page.split('<form method="post"')[1].split("</form>")[0]
    assert sign_up_form.count('type="submit"') == 1


def test_unconfirmed_sign_ups_are_deleted_after_seven_days(app, client, ready):
    sign_up(client)
    assert purge_unconfirmed_sign_ups() == 0
    db.session.scalar(select(SignUp)).expires_at = utcnow() - timedelta(seconds=1)
    assert purge_unconfirmed_sign_ups() == 1
    db.session.commit()
    assert count(SignUp) == 0


def test_the_sign_up_expires_after_the_configured_days(app, client, ready):
    sign_up(client)
    expires = db.session.scalar(select(SignUp)).expires_at
    assert timedelta(days=6, hours=23) < expires - utcnow() <= timedelta(days=7)


def test_without_a_privacy_statement_nobody_can_sign_up(app, client, seeded):
    assert client.get("/join").status_code == 503


# --- letters with a code -------------------------------------------------------------------


def make_code(village="Orvelte", expires_on=None) -> str:
    batch = RecruitmentBatch(
        village=village_by_name(village),
        size=1,
        expires_on=expires_on or date.today() + timedelta(days=30),
    )
    code = generate()
    batch.codes.append(RecruitmentCode(code_hash=code_hash(code)))
    db.session.add(batch)
    db.session.commit()
    return formatted(code)


def test_a_letter_code_presets_the_village_and_is_used_once(app, client, ready, smtp_server):
    code = make_code("Hijken")
    village_by_name("Hijken").open_sign_up = False  # letters work even where sign-up is closed
    db.session.commit()
    typed = client.get("/join/code", query_string={"code": code.lower().replace("-", " ")})
    assert typed.status_code == 302 and typed.location == f"/join/{code}"

    page = client.get(f"/join/{code}")
    assert page.status_code == 200 and "Hijken" in page.text
    assert 'name="village"' in page.text and "<select" not in page.text.split("<main")[1]
    # The village comes from the code, whatever the form sends.
    response = sign_up(client, path=f"/join/{code}", place="Orvelte")
    assert response.status_code == 200
    press_button(client, confirm_link(smtp_server))

    member = db.session.scalar(select(Member))
    assert member.village.name == "Hijken"
    assert member.recruitment_batch_id is not None
    assert db.session.scalar(select(RecruitmentCode)).redeemed_at is not None
    assert client.get(f"/join/{code}").status_code == 422  # used


def test_two_sign_ups_with_one_letter_make_one_member(app, client, ready, smtp_server):
    code = make_code()
    sign_up(client, path=f"/join/{code}")
    first = confirm_link(smtp_server)
    sign_up(client, path=f"/join/{code}", email="buurvrouw@example.nl")
    second = confirm_link(smtp_server)
    assert press_button(client, first).status_code == 303
    assert client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").text)})
    response = press_button(client, second)
    assert response.status_code == 409
    assert count(Member) == 1


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("K7Q2-M9XH-4T", "malformed"),
        ("OOOO-OOOO-OOO", "malformed"),
        (None, "unknown"),
        ("expired", "expired"),
    ],
)
def test_a_bad_code_says_what_is_wrong(app, client, ready, typed, problem):
    if typed is None:  # well-formed, never issued
        typed = formatted(generate())
    elif typed == "expired":
        typed = make_code(expires_on=date.today() - timedelta(days=1))
    response = client.get("/join/code", query_string={"code": typed})
    assert response.status_code == 422
    assert f'value="{typed}"' in response.text  # what was typed stays
    assert 'id="code-error"' in response.text and 'href="#code"' in response.text
    direct = client.get(f"/join/{typed}")
    assert direct.status_code == 422


@pytest.mark.parametrize("role", ["official", "association", "volunteer"])
def test_a_confirmation_link_never_logs_in_as_staff(
    app, client, ready, make_account, smtp_server, role
):
    """The attack: anyone signs up a staff member's address at /join; the confirmation link
    (valid for days) must not open the staff account's rights."""
    village = "Orvelte" if role == "association" else None
    staff = make_account(role, email="jan.jansen@example.nl", village=village)
    sign_up(client)
    path = confirm_link(smtp_server)
    attacker = app.test_client()
    response = press_button(attacker, path)
    assert response.status_code == 303 and response.location.startswith("/login?next=")
    with attacker.session_transaction() as session:
        assert "account_id" not in session
    assert "Log in om verder te gaan" in attacker.get(response.location).text
    assert attacker.get("/account").status_code == 302
    assert attacker.get("/people/").status_code == 302
    account = db.session.get(Account, staff.id)
    db.session.refresh(account)
    assert Role.RESIDENT in account.roles  # the membership itself is confirmed
    assert db.session.scalar(select(Member)).account_id == staff.id
    assert "login" not in db.session.scalars(select(AuditEvent.action)).all()


def test_a_resident_confirmation_logs_in_audited_and_uses_up_login_links(
    app, client, ready, smtp_server
):
    account = Account(email="jan.jansen@example.nl")  # e.g. left the panel once
    db.session.add(account)
    db.session.flush()
    _token, older_link = issue_login_token(account, timedelta(minutes=15))
    db.session.commit()
    sign_up(client)
    path = confirm_link(smtp_server)
    assert press_button(client, path).location == "/me/"
    [login] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).all()
    assert login.actor_id == account.id and login.detail == {"via": "sign_up"}
    db.session.expire_all()
    assert db.session.get(LoginToken, older_link.id).used_at is not None


def test_consent_kinds_are_recorded_apart(app, client, ready, smtp_server):
    sign_up(client)
    press_button(client, confirm_link(smtp_server))
    member = db.session.scalar(select(Member))
    assert [c.kind for c in member.consents] == [ConsentKind.PRIVACY]


def test_one_letter_confirmed_in_two_places_at_once_makes_one_member(
    app, client, ready, smtp_server
):
    """Two households sign up with the same letter and confirm at the same moment."""
    import threading

    from panel.join import CodeAlreadyUsed, confirm_sign_up

    code = make_code()
    tokens = []
    for email in ("een@example.nl", "twee@example.nl"):
        sign_up(client, path=f"/join/{code}", email=email)
        tokens.append(confirm_link(smtp_server).rsplit("/", 1)[1])
    start, outcomes = threading.Barrier(2), []

    def confirm(token):
        with app.app_context():
            start.wait()
            try:
                confirm_sign_up(token)
                db.session.commit()
                outcomes.append("member")
            except CodeAlreadyUsed:
                db.session.rollback()
                outcomes.append("code used")

    threads = [threading.Thread(target=confirm, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["code used", "member"]
    assert count(Member) == 1


def test_two_sign_ups_for_one_address_confirmed_at_once_make_one_member(
    app, client, ready, smtp_server
):
    """Signed up twice (minutes apart), then both links pressed at the same moment: one
    member, and the other press gets a page, never a server error."""
    import threading

    paths = []
    for _ in range(2):
        sign_up(client)
        paths.append(confirm_link(smtp_server))
        db.session.query(SignUp).update({SignUp.created_at: utcnow() - timedelta(minutes=5)})
        db.session.commit()
    presses = []
    for path in paths:
        browser = app.test_client()
        token = csrf_token_from(browser.get(path).text)
        presses.append((browser, path, token))
    start, statuses = threading.Barrier(2), []

    def press(browser, path, token):
        start.wait()
        statuses.append(browser.post(path, data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=press, args=args) for args in presses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 500 not in statuses and 303 in statuses
    assert count(Member) == 1
