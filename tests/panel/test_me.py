"""A member's own pages under /me: profile, pause, leave, export and deletion (AVG rights)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from accounts.models import Account, LoginToken, Role, RoleGrant
from accounts.services import issue_login_token
from audit.models import AuditEvent
from core.db import db, utcnow
from mail.models import OutboxMail
from mail.services import queue_mail
from panel.models import (
    AgeBand,
    ConsentKind,
    ContactDetails,
    Household,
    Member,
    MemberStatus,
    Respondent,
    Sex,
    SignUp,
)
from panel.services import set_association_contact
from tests.conftest import csrf_token_from, start_session
from tests.helpers import count, every_row_as_text

PAGES = ["/me/", "/me/profile", "/me/pause", "/me/leave", "/me/export", "/me/export.json"]
PAGES += ["/me/delete"]
POSTS = [
    "/me/profile",
    "/me/pause",
    "/me/resume",
    "/me/association-contact",
    "/me/leave",
    "/me/rejoin",
    "/me/delete",
]

EMAIL = "jantje.bakker@example.nl"
NAME = "Jantje Bakker"
ADDRESS = "Brinkweg 12"
POSTCODE = "9441 PA"
PHONE = "0593-555123"


@pytest.fixture
def member(client, make_member, privacy_statement):
    """A logged-in web member of Orvelte who agreed to privacy statement version 1."""
    privacy_statement()
    member = make_member("Orvelte", email=EMAIL, birth_year=1956, household=Household.SINGLE)
    member.account.name = NAME
    db.session.commit()
    in_english(client, member.account)
    return member


def in_english(client, account) -> None:
    """Log in, reading English: the texts tests look for stay put when translations come."""
    start_session(client, account)
    with client.session_transaction() as session:
        session["language"] = "en"


def profile_data(**changes) -> dict:
    village_id = db.session.scalar(sa.text("SELECT id FROM villages WHERE name = 'Orvelte'"))
    data = {
        "village": str(village_id),
        "birth_year": "1956",
        "sex": "female",
        "household": "single",
        "association_member": "yes",
        "name": NAME,
    }
    return {**data, **changes}


def reload(member: Member) -> Member:
    db.session.expire_all()
    return db.session.get(Member, member.id)


def checked(html: str, name: str) -> str:
    """The value of the radio button of group `name` that is ticked."""
    return re.search(rf'<input checked[^>]* name="{name}"[^>]* value="([^"]+)"', html).group(1)


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


# Who may open what -----------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.location == f"/login?next={path}"


@pytest.mark.parametrize("role", ["official", "association", "volunteer", "resident"])
def test_accounts_without_membership_are_told_how_to_join(client, login_as, role):
    login_as(role, village="Orvelte" if role in ("association", "resident") else None)
    html = client.get("/me/").text
    assert "U bent geen lid van het inwonerspanel" in html
    assert 'href="/join"' in html
    for path in PAGES[1:]:
        response = client.get(path)
        assert response.status_code == 303 and response.location == "/me/", path


def test_member_pages_open(client, member):
    for path in PAGES:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("path", POSTS)
def test_posts_without_csrf_are_refused(client, member, path):
    assert client.post(path, data={"understood": "y"}).status_code == 400
    assert count(Member) == 1 and reload(member).status is MemberStatus.ACTIVE


# Overview and profile --------------------------------------------------------------------


def test_overview_shows_profile_status_consents_and_surveys(client, member):
    html = client.get("/me/").text
    for text in [EMAIL, NAME, "Orvelte", "1956", "Female", "Lives alone", "Active"]:
        assert text in html
    assert "You agreed to version 1" in html
    assert "No, your village association may not contact you." in html
    assert "You have not taken part in a survey yet." in html


def test_member_edits_profile_and_name(client, member, post_form):
    response = post_form(
        "/me/profile",
        data=profile_data(birth_year="", age_band="65-74", sex="male", name="  J. Bakker "),
    )
    assert response.status_code == 303 and response.location == "/me/"
    member = reload(member)
    assert (member.birth_year, member.age_band, member.sex) == (None, AgeBand.A65_74, Sex.MALE)
    assert member.association_member is True
    assert member.account.name == "J. Bakker"
    assert {"member.profile_changed", "account.name_changed"} <= set(actions())
    assert "Your details have been saved." in client.get("/me/").text


def test_profile_form_is_filled_in(client, member):
    html = client.get("/me/profile").text
    assert 'value="1956"' in html and f'value="{NAME}"' in html
    assert checked(html, "household") == "single" and checked(html, "sex") == "female"


def test_bad_birth_year_is_refused_and_typed_values_stay(client, member, post_form):
    response = post_form(
        "/me/profile", data=profile_data(birth_year="1850", sex="male", name="Nieuwe Naam")
    )
    assert response.status_code == 200
    assert "Enter a year of birth between" in response.text
    assert 'value="1850"' in response.text and 'value="Nieuwe Naam"' in response.text
    assert checked(response.text, "sex") == "male"
    assert reload(member).birth_year == 1956 and reload(member).sex is Sex.FEMALE


# Pause, leave, rejoin, consent -------------------------------------------------------------


def test_member_pauses_and_resumes_invitations(client, member, post_form):
    until = date.today() + timedelta(days=30)
    response = post_form("/me/pause", data={"until": until.isoformat()})
    assert response.status_code == 303
    member = reload(member)
    assert member.paused_until == until and not member.is_active(date.today())
    assert "Paused until" in client.get("/me/").text

    response = post_form("/me/pause", "/me/resume")
    assert response.status_code == 303
    assert reload(member).paused_until is None
    assert actions()[-2:] == ["member.paused", "member.resumed"]


@pytest.mark.parametrize(
    ("until", "message"),
    [
        ("", "Enter the date up to which you want a pause."),
        ("morgen", "Enter a date like 2026-11-28."),
        (date.today().isoformat(), "Enter a date after today."),
        ((date.today() - timedelta(days=3)).isoformat(), "Enter a date after today."),
        ((date.today() + timedelta(days=366)).isoformat(), "Enter a date no later than"),
    ],
)
def test_pause_dates_outside_the_next_year_are_refused(member, post_form, until, message):
    response = post_form("/me/pause", data={"until": until})
    assert response.status_code == 200
    assert message in response.text
    assert f'value="{until}"' in response.text
    assert reload(member).paused_until is None


def test_a_pause_of_exactly_one_year_is_allowed(member, post_form):
    until = date.today() + timedelta(days=365)
    assert post_form("/me/pause", data={"until": until.isoformat()}).status_code == 303
    assert reload(member).paused_until == until


def test_member_leaves_and_rejoins(client, member, post_form):
    page = client.get("/me/leave").text
    assert "you get no more invitations" in page and "join again" in page
    response = post_form("/me/leave")
    assert response.status_code == 303
    member = reload(member)
    assert member.status is MemberStatus.LEFT and member.left_at is not None
    html = client.get("/me/").text
    assert "You left the panel on" in html and "Join the panel again" in html
    assert client.get("/me/leave").status_code == 303  # leaving twice is not offered
    assert client.get("/me/pause").status_code == 303

    assert post_form("/me/", "/me/rejoin").status_code == 303
    member = reload(member)
    assert member.status is MemberStatus.ACTIVE and member.left_at is None
    assert actions()[-2:] == ["member.left", "member.rejoined"]


def test_member_gives_and_withdraws_association_contact(client, member, post_form):
    post_form("/me/", "/me/association-contact", data={"wanted": "y"})
    assert "Yes, your village association may contact you." in client.get("/me/").text
    post_form("/me/", "/me/association-contact")
    assert "No, your village association may not contact you." in client.get("/me/").text
    consents = [c for c in reload(member).consents if c.kind is ConsentKind.ASSOCIATION_CONTACT]
    assert len(consents) == 1 and consents[0].withdrawn_at is not None
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "consent.changed"))
    assert [e.detail["given"] for e in events] == [True, False]


# Everything stored, and deleting it --------------------------------------------------------


@pytest.fixture
def traces(member, post_form):
    """Leave the member's details everywhere they can be: contact data, consents, mails,
    a pending sign-up, a login link and entries in the audit log."""
    member.contact = ContactDetails(
        name=NAME, address=ADDRESS, postcode=POSTCODE, town="Orvelte", phone=PHONE
    )
    set_association_contact(member, True)
    queue_mail(EMAIL, "login", "nl", name=NAME, link="http://naoberpanel.test/x", minutes=15)
    db.session.add(
        SignUp(
            token_hash="a" * 64,
            email=EMAIL,
            village_id=member.village_id,
            profile={"village_id": member.village_id, "sex": "male", "household": "single"},
            statement_version=1,
            expires_at=utcnow() + timedelta(days=7),
        )
    )
    issue_login_token(member.account, timedelta(minutes=15))
    db.session.commit()
    post_form("/me/profile", data=profile_data(name=NAME))
    post_form("/me/pause", data={"until": (date.today() + timedelta(days=9)).isoformat()})
    return member


def test_json_export_holds_everything(client, traces):
    response = client.get("/me/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    data = json.loads(response.text)
    assert data["account"] | {"created_at": None} == {
        "id": traces.account.id,
        "email": EMAIL,
        "name": NAME,
        "language": "nl",
        "created_at": None,
        "last_login_at": None,
    }
    assert [(r["role"], r["village"]) for r in data["roles"]] == [("resident", "Orvelte")]
    member = data["member"]
    assert member["pseudonym"] == traces.respondent.pseudonym
    assert (member["village"], member["birth_year"], member["sex"]) == ("Orvelte", 1956, "female")
    assert (member["household"], member["association_member"]) == ("single", True)
    assert (member["status"], member["channel"], member["left_at"]) == ("active", "web", None)
    assert member["paused_until"] == (date.today() + timedelta(days=9)).isoformat()
    assert member["contact_details"] == {
        "name": NAME,
        "address": ADDRESS,
        "postcode": POSTCODE,
        "town": "Orvelte",
        "phone": PHONE,
    }
    assert [(c["kind"], c["statement_version"]) for c in member["consents"]] == [
        ("privacy", 1),
        ("association_contact", None),
    ]
    assert all(c["given_at"] for c in member["consents"])
    assert [(s["email"], s["village"]) for s in data["pending_sign_ups"]] == [(EMAIL, "Orvelte")]
    assert [(m["kind"], m["status"]) for m in data["mails"]] == [("login", "pending")]
    done = [event["action"] for event in data["activity"]]
    assert {"member.profile_changed", "member.paused"} <= set(done)
    assert data["surveys"] == []
    assert actions()[-1] == "member.exported"
    assert db.session.scalars(sa.select(AuditEvent.detail)).all()[-1] == {"format": "json"}


def test_export_page_shows_everything(client, traces):
    html = client.get("/me/export").text
    for text in [EMAIL, NAME, ADDRESS, POSTCODE, PHONE, traces.respondent.pseudonym]:
        assert text in html
    for text in ["Privacy statement, version 1", "Contact by your village association"]:
        assert text in html
    assert "Resident (panel member)" in html and "Lives alone" in html
    assert "Details changed" in html and "Invitations paused" in html
    assert "Login link" in html and "Waiting to be sent" in html
    # Readable words, not the codes the JSON file keeps.
    for code in ["member.profile_changed", "member.paused", "consent.changed", ">login<"]:
        assert code not in html
    assert actions()[-1] == "member.exported"


def test_every_mail_kind_has_a_readable_label():
    """A new mail must get a label, or the export page shows its code (audit actions: see
    tests/audit)."""
    from panel.me_labels import MAIL_KINDS

    subjects = Path(__file__).parents[2].glob("templates/emails/*.subject.txt")
    kinds = {path.name.removesuffix(".subject.txt") for path in subjects}
    assert kinds - set(MAIL_KINDS) == set()


def test_deletion_needs_the_box_ticked(client, member, post_form):
    page = client.get("/me/delete").text
    assert "stay in the statistics, anonymously" in page and "cannot be undone" in page
    assert 'heading-1">Delete my account</h1>' in page and "<title>Delete my account" in page
    response = post_form("/me/delete")
    assert response.status_code == 200
    assert "Tick the box to confirm" in response.text
    assert count(Member) == 1 and count(Account) == 1


def test_deletion_leaves_no_contact_data_anywhere(client, traces, post_form):
    before = every_row_as_text()
    for text in [EMAIL, NAME, ADDRESS, POSTCODE, PHONE]:
        assert text in before  # the search below can find what it looks for
    respondent_id, account_id = traces.respondent_id, traces.account_id

    response = post_form("/me/delete", data={"understood": "y"})
    assert response.status_code == 303 and response.location == "/"

    after = every_row_as_text()
    for text in [EMAIL, NAME, ADDRESS, POSTCODE, PHONE, "jantje"]:
        assert text.lower() not in after.lower()
    assert db.session.get(Respondent, respondent_id) is not None
    assert count(Member) == count(ContactDetails) == count(Account) == 0
    assert count(RoleGrant) == count(LoginToken) == count(OutboxMail) == count(SignUp) == 0
    deleted = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "account.deleted"))
    assert deleted.object_id == str(account_id) and set(deleted.detail) == {"member"}
    assert "Your account and details have been deleted" in client.get("/").text
    assert client.get("/me/").status_code == 302  # the session has ended


def test_staff_keep_their_account_and_lose_only_the_membership(
    client, make_member, make_account, post_form
):
    member_id = make_member("Orvelte", email="ambtenaar@example.nl").id
    account = make_account("official", email="ambtenaar@example.nl")
    in_english(client, account)
    page = client.get("/me/delete").text
    assert "Your account stays" in page and "Delete my panel membership now" in page
    assert 'heading-1">Delete my panel membership</h1>' in page
    response = post_form("/me/delete", data={"understood": "y"})
    assert response.status_code == 303 and response.location == "/account"
    db.session.expire_all()
    assert db.session.get(Member, member_id) is None
    assert db.session.get(Account, account.id).roles == {Role.OFFICIAL}
    assert client.get("/account").status_code == 200  # still logged in
    assert "You are not a member of the resident panel" in client.get("/me/").text


def test_deletion_drops_a_login_link_still_waiting_to_be_made(make_app, make_member):
    from jobs.models import Job

    app = make_app(JOBS_WEB_WORKER=False)  # the job must still be waiting when we delete
    member = make_member("Orvelte", email=EMAIL)
    db.session.add(Job(name="accounts.send_login_link", params={"email": EMAIL}))
    db.session.add(Job(name="demo.count_villages", params={}))
    db.session.commit()
    client = app.test_client()
    in_english(client, member.account)
    token = csrf_token_from(client.get("/me/delete").text)
    response = client.post("/me/delete", data={"csrf_token": token, "understood": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalars(sa.select(Job.name)).all() == ["demo.count_villages"]


def test_deletion_drops_unsent_answers_and_pseudonymises_the_audit_trail(
    client, member, post_form, make_account
):
    from audit.services import REMOVED, pseudonym, record
    from fieldwork.models import Invitation, Response
    from panel.models import Channel
    from surveys.services import create_survey
    from tests.results.test_quotes import questionnaire

    surveys = [create_survey(questionnaire(), by=None) for _ in range(3)]
    anonymous, named, finished = surveys
    anonymous.anonymous = True
    for survey in surveys:
        survey.publish(date.today(), date.today() + timedelta(days=9), utcnow())

    def response(survey, sent: bool, pseudonymous: bool) -> Response:
        made = Response(
            survey_id=survey.id,
            version_id=survey.live_version.id,
            channel=Channel.WEB,
            respondent_id=member.respondent_id if pseudonymous else None,
            answers={"WENS": "Nog niet af"},
        )
        if sent:
            made.complete(utcnow())
        db.session.add(made)
        db.session.flush()
        db.session.add(Invitation(survey=survey, member=member, response_id=made.id))
        return made

    unsent = [response(anonymous, False, False).id, response(named, False, True).id]
    kept = response(finished, True, True).id
    official = make_account("official")
    record("member.viewed", member, actor_id=official.id, reason="other", explanation="Buurman")
    db.session.commit()
    post_form("/me/pause", data={"until": (date.today() + timedelta(days=9)).isoformat()})
    account_id = member.account.id

    assert post_form("/me/delete", data={"understood": "y"}).status_code == 303

    assert [db.session.get(Response, i) for i in unsent] == [None, None]
    assert db.session.get(Response, kept) is not None
    events = db.session.scalars(sa.select(AuditEvent)).all()
    assert account_id not in {e.actor_id for e in events}
    own = [e for e in events if e.actor_pseudonym == pseudonym("account", account_id)]
    assert {e.action for e in own} >= {"member.paused", "account.deleted"}
    assert {e.ip_address for e in own} == {pseudonym("ip", "127.0.0.1")}
    viewed = next(e for e in events if e.action == "member.viewed")
    assert viewed.actor_id == official.id and viewed.detail["explanation"] == REMOVED
