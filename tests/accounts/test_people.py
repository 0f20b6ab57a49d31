"""Officials invite people, hand over a village, revoke roles; the CLI makes accounts."""

from sqlalchemy import select

from accounts.models import Account, Role, RoleGrant
from accounts.services import find_account
from audit.models import AuditEvent
from core.db import db
from mail.models import OutboxMail
from tests.conftest import csrf_token_from
from villages.queries import village_by_name


def post_page(client, path: str, data: dict):
    token = csrf_token_from(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **data})


def grants_of(email: str) -> list[tuple[str, str | None]]:
    account = db.session.scalars(select(Account).where(Account.email == email)).one()
    db.session.refresh(account)
    return [(g.role.value, g.village.name if g.village else None) for g in account.grants]


def test_official_invites_an_association_member(client, login_as, seeded):
    login_as("official")
    orvelte = village_by_name("Orvelte")
    response = post_page(
        client,
        "/people/invite",
        {
            "email": "Secretaris@Orvelte.example",
            "name": "Jan",
            "role": "association",
            "village": orvelte.id,
            "language": "nl",
        },
    )
    assert response.status_code == 303
    assert grants_of("secretaris@orvelte.example") == [("association", "Orvelte")]
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "invitation")).one()
    assert mail.recipient == "secretaris@orvelte.example"
    assert "voor dorpsbelangen van Orvelte" in mail.body_text
    assert "/login/" in mail.body_text and "72 uur" in mail.body_text
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "account.invited" in actions and "role.granted" in actions


def test_invite_errors_are_shown_and_nothing_typed_is_lost(client, login_as, seeded):
    login_as("official")
    response = post_page(
        client,
        "/people/invite",
        {
            "email": "bestuur@spier.example",
            "name": "Gerrit",
            "role": "association",
            "village": 0,
            "language": "nl",
        },
    )
    assert response.status_code == 200
    assert "Kies het dorp waarvoor dit bestuurslid spreekt." in response.text
    assert 'value="bestuur@spier.example"' in response.text and 'value="Gerrit"' in response.text
    assert find_account("bestuur@spier.example") is None


def test_handing_over_a_village_is_reviewed_then_done_at_once(
    client, login_as, make_account, seeded
):
    login_as("official")
    old_chair = make_account("association", email="oud@orvelte.example", village="Orvelte")
    make_account("association", email="penning@orvelte.example", village="Orvelte")
    make_account("association", email="bestuur@spier.example", village="Spier")
    data = {
        "village": village_by_name("Orvelte").id,
        "email": "Nieuw@Orvelte.example",
        "name": "",
        "language": "en",
    }
    review = post_page(client, "/people/hand-over", data)
    assert "Controleer de overdracht" in review.text
    assert "oud@orvelte.example" in review.text and "penning@orvelte.example" in review.text
    assert "bestuur@spier.example" not in review.text
    assert len(grants_of("oud@orvelte.example")) == 1  # nothing happened yet
    token = csrf_token_from(review.text)
    changed = client.post("/people/hand-over", data={"csrf_token": token, "change": "1", **data})
    assert 'value="Nieuw@Orvelte.example"' in changed.text  # back to the form, nothing lost
    response = client.post("/people/hand-over", data={"csrf_token": token, "confirm": "1", **data})
    assert response.status_code == 303
    holders = db.session.scalars(
        select(Account.email)
        .join(RoleGrant, RoleGrant.account_id == Account.id)
        .where(RoleGrant.role == Role.ASSOCIATION)
        .order_by(Account.email)
    ).all()
    assert holders == ["bestuur@spier.example", "nieuw@orvelte.example"]
    assert "2 persoon/personen hebben geen toegang meer" in client.get("/people/").text
    invitation = db.session.scalars(select(OutboxMail)).one()
    assert invitation.subject == "You are invited to Naoberpanel"  # in their language
    assert (
        old_chair.id
        in db.session.scalars(
            select(AuditEvent.object_id.cast(db.Integer)).where(AuditEvent.action == "role.revoked")
        ).all()
    )


def test_official_revokes_a_role(client, login_as, make_account, seeded):
    login_as("official")
    person = make_account("volunteer", email="hulp@example.nl")
    page = client.get(f"/people/{person.id}")
    assert "hulp@example.nl" in page.text
    grant_id = person.grants[0].id
    response = client.post(
        f"/people/{person.id}/grants/{grant_id}/revoke",
        data={"csrf_token": csrf_token_from(page.text)},
    )
    assert response.status_code == 303
    assert grants_of("hulp@example.nl") == []
    viewed = db.session.scalars(select(AuditEvent.action)).all()
    assert "person.viewed" in viewed and "role.revoked" in viewed


def test_people_page_lists_roles_and_last_login_and_is_audited(client, login_as, make_account):
    login_as("official")
    make_account("association", email="bestuur@hijken.example", village="Hijken")
    page = client.get("/people/?role=association").text
    assert "bestuur@hijken.example" in page and "(Hijken)" in page and "nooit" in page
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "people.viewed"


def test_cli_creates_accounts_with_roles_and_scopes(app, seeded):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Ambt@Example.nl", "--role", "official"])
    assert result.exit_code == 0 and "ambt@example.nl: official" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "b@example.nl",
            "--role",
            "association",
            "--village",
            "Elp",
            "--village",
            "Zuidveld",
        ]
    )
    assert result.exit_code == 0
    assert grants_of("b@example.nl") == [("association", "Elp"), ("association", "Zuidveld")]
    refused = runner.invoke(args=["users", "create", "c@example.nl", "--role", "association"])
    assert refused.exit_code != 0 and "needs at least one --village" in refused.output
    invalid = runner.invoke(args=["users", "create", "not-an-address", "--role", "volunteer"])
    assert invalid.exit_code != 0 and "EMAIL" in invalid.output
    listing = runner.invoke(args=["users", "list"]).output
    assert "b@example.nl" in listing and "association (Elp)" in listing


def test_officials_cannot_revoke_their_own_official_role(client, login_as):
    me = login_as("official")
    page = client.get(f"/people/{me.id}")
    response = client.post(
        f"/people/{me.id}/grants/{me.grants[0].id}/revoke",
        data={"csrf_token": csrf_token_from(page.text)},
        follow_redirects=True,
    )
    assert "U kunt uw eigen rol als medewerker niet intrekken" in response.text
    assert grants_of(me.email) == [("official", None)]


def test_the_last_official_role_cannot_be_revoked(app, make_account):
    from accounts.services import LastOfficialError, revoke_grant

    only = make_account("official")
    try:
        revoke_grant(only.grants[0])
    except LastOfficialError:
        db.session.rollback()
    else:
        raise AssertionError("the last official was revoked")
    assert grants_of(only.email) == [("official", None)]


def test_inviting_an_existing_account_adds_the_role(client, login_as, make_account, seeded):
    login_as("official")
    make_account("resident", email="piet@example.nl", village="Spier")
    post_page(
        client,
        "/people/invite",
        {
            "email": "piet@example.nl",
            "name": "",
            "role": "volunteer",
            "village": 0,
            "language": "nl",
        },
    )
    assert grants_of("piet@example.nl") == [("resident", "Spier"), ("volunteer", None)]


def test_the_person_page_offers_another_role_with_the_address_filled_in(client, login_as):
    login_as("official")
    person = find_account(login_as("volunteer").email)
    login_as("official")
    page = client.get(f"/people/{person.id}").text
    invite = client.get(f"/people/invite?email={person.email}").text
    assert "/people/invite?email=" in page
    assert f'value="{person.email}"' in invite
