"""Officials: audited member search, paper members, privacy statement versions and re-consent."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db
from panel.fatigue import exclusion_reason, may_invite, quarter_of
from panel.models import Channel, Member, MemberStatus
from panel.services import agreed_version
from tests.conftest import csrf_token_from, form_key_from, start_session
from tests.helpers import count
from villages.queries import village_by_name

ROLES = ["resident", "association", "volunteer", "official"]


def as_role(login_as, role):
    return (
        login_as(role, village="Orvelte") if role in ("association", "resident") else login_as(role)
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/panel/members", {"official", "volunteer"}),
        ("/panel/privacy", {"official"}),
        ("/panel/privacy/new", {"official"}),
        ("/panel/members/paper", {"official", "volunteer"}),
    ],
)
def test_role_matrix(client, login_as, seeded, privacy_statement, role, path, allowed):
    privacy_statement()
    as_role(login_as, role)
    assert client.get(path).status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("path", ["/panel/members", "/panel/members/paper", "/panel/privacy"])
def test_anonymous_visitors_go_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.location.startswith("/login?next=")


def search(client, query, reason="question", explanation=""):
    token = csrf_token_from(client.get("/panel/members").text)
    data = {"csrf_token": token, "query": query, "reason": reason, "explanation": explanation}
    return client.post("/panel/members", data=data)


def test_member_search_logs_who_why_and_what_but_no_contact_data(
    app, client, login_as, make_member
):
    official = login_as("official")
    member = make_member("Orvelte", email="truus@example.nl")
    page = search(client, "Truus@Example.nl", reason="correction", explanation="Verhuisd")
    assert page.status_code == 200 and "truus@example.nl" in page.text
    # The pseudonym that answers carry is never shown beside contact data.
    assert member.respondent.pseudonym not in page.text

    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    viewed = [e for e in events if e.action == "member.viewed"]
    assert len(viewed) == 1
    assert viewed[0].actor_id == official.id
    assert viewed[0].object_id == str(member.id)
    assert viewed[0].detail == {"reason": "correction", "explanation": "Verhuisd"}
    assert all("truus" not in str(e.detail) for e in events)


def test_opening_a_member_asks_why_first_and_logs_it(app, client, login_as, make_member):
    login_as("official")
    member = make_member(email="lid@example.nl")
    page = client.get(f"/panel/members/{member.id}")
    assert "lid@example.nl" not in page.text
    shown = client.post(
        f"/panel/members/{member.id}",
        data={"csrf_token": csrf_token_from(page.text), "reason": "bounce"},
    )
    assert shown.status_code == 200 and "lid@example.nl" in shown.text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.viewed"))
    assert event.detail["reason"] == "bounce"


@pytest.mark.parametrize(
    "explanation", ["mail van jan@example.nl", "belde 0593123456", "woont op 9441 AB"]
)
def test_contact_data_is_kept_out_of_the_explanation(
    app, client, login_as, make_member, explanation
):
    login_as("official")
    make_member(email="lid@example.nl")
    response = search(client, "lid@example.nl", reason="other", explanation=explanation)
    assert response.status_code == 422
    logged = select(AuditEvent).where(AuditEvent.action.in_(["member.searched", "member.viewed"]))
    assert not db.session.scalars(logged).all()


def test_opening_a_member_without_a_reason_asks_for_one(app, client, login_as, make_member):
    login_as("official")
    member = make_member()
    page = client.get(f"/panel/members/{member.id}")
    assert page.status_code == 200 and member.account.email not in page.text
    assert count(AuditEvent) == sum(1 for _ in db.session.scalars(select(AuditEvent.id)))
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "member.viewed")
    ).all()


def test_other_reason_needs_an_explanation(app, client, login_as, make_member):
    login_as("official")
    make_member(email="a@example.nl")
    response = search(client, "a@example.nl", reason="other")
    assert response.status_code == 422
    assert 'value="a@example.nl"' in response.text


def test_unknown_address_is_said_plainly(app, client, login_as):
    login_as("official")
    response = search(client, "niemand@example.nl")
    assert response.status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.searched"))
    assert event.detail["found"] is False and "niemand" not in str(event.detail)
    assert "Geen panellid past bij uw zoekopdracht." in response.text


def test_an_empty_search_says_what_to_enter(app, client, login_as):
    login_as("official")
    response = search(client, "  ")
    assert response.status_code == 422
    assert "Vul in wat u van het panellid weet: een naam, postcode, e-mailadres of" in (
        response.text
    )
    assert "Vul uw e-mailadres in" not in response.text
    assert audit("member.searched") == []


def audit(action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_a_volunteer_finds_the_paper_member_again(
    app, client, login_as, seeded, privacy_statement, make_member
):
    privacy_statement()
    make_member("Orvelte", email="jan@example.nl", name="Jan Hoving")  # online: not theirs
    login_as("volunteer")
    assert 'href="/panel/members"' in client.get("/panel/members/paper").text
    paper_form(client)
    geesje = db.session.scalar(select(Member).where(Member.channel == Channel.PAPER))
    number = geesje.respondent.pseudonym

    for query in ("hoving", "9441pc", "9441 P", number.lower()):
        page = search(client, query, reason="paper")
        assert page.status_code == 200, query
        assert "1 panellid gevonden" in page.text and "Geesje Hoving" in page.text, query
        assert number in page.text and "Brink 3, 9441 PC Orvelte" in page.text
        assert "Jan Hoving" not in page.text and "jan@example.nl" not in page.text
        assert f'action="/panel/members/{geesje.id}"' not in page.text  # no details for them
    assert search(client, "jan@example.nl").text.count("0 panelleden gevonden") == 1

    listed = audit("member.listed")
    assert [e.object_id for e in listed] == [str(geesje.id)] * 4
    searches = audit("member.searched")
    assert [e.detail["by"] for e in searches] == [
        "name",
        "postcode",
        "postcode",
        "respondent_number",
        "email",
    ]
    logged = str([e.detail for e in db.session.scalars(select(AuditEvent))])
    assert "oving" not in logged and "9441" not in logged and number not in logged
    token = csrf_token_from(client.get("/panel/members").text)
    opened = client.post(f"/panel/members/{geesje.id}", data={"csrf_token": token, "reason": "x"})
    assert opened.status_code == 403


def test_an_official_finds_members_by_name_postcode_and_number(
    app, client, login_as, seeded, privacy_statement, make_member
):
    privacy_statement()
    online = make_member("Orvelte", email="jan@example.nl", name="Jan Hoving")
    official = login_as("official")
    paper_form(client)
    paper = db.session.scalar(select(Member).where(Member.channel == Channel.PAPER))

    page = search(client, "Hoving", reason="correction").text
    assert "2 panelleden gevonden" in page
    assert "Jan Hoving" in page and "Geesje Hoving" in page
    assert paper.respondent.pseudonym in page
    # An online member's answers carry their number: it is never shown beside their name,
    # and cannot be searched for.
    assert online.respondent.pseudonym not in page
    assert "0 panelleden gevonden" in search(client, online.respondent.pseudonym).text
    assert [e.object_id for e in audit("member.listed")] == [str(online.id), str(paper.id)]

    # "Open" carries the reason given with the search: the details are logged with it.
    token = csrf_token_from(page)
    details = client.post(
        f"/panel/members/{online.id}",
        data={"csrf_token": token, "reason": "correction", "explanation": ""},
    )
    assert details.status_code == 200 and "jan@example.nl" in details.text
    viewed = audit("member.viewed")
    assert [(e.object_id, e.actor_id, e.detail["reason"]) for e in viewed] == [
        (str(online.id), official.id, "correction")
    ]

    # One exact match (a respondent number, an email address) opens the details at once.
    details = search(client, paper.respondent.pseudonym)
    assert "Brink 3" in details.text and "Panellid" in details.text
    assert audit("member.viewed")[-1].object_id == str(paper.id)


def test_the_paper_form_speaks_about_the_resident(app, client, login_as, seeded, privacy_statement):
    privacy_statement()
    login_as("volunteer")
    page = client.get("/panel/members/paper").text
    form = page.split('action="/panel/members/paper"', 1)[1].split("</form>", 1)[0]
    assert re.findall(r"\b(?:u|uw|ik|mijn|me)\b", form, flags=re.IGNORECASE) == []
    assert "Kies het dorp van de inwoner" in form
    assert "Met wie woont de inwoner?" in form
    response = paper_form(client, age_band="", birth_year="")
    assert "Vul het geboortejaar van de inwoner in, of kies de leeftijdsgroep." in response.text


def paper_form(client, key: dict | None = None, **overrides):
    """Fill in and send the paper form; `key` sends a form already shown (its CSRF token and
    form key) again, as a double click does."""
    if key is None:
        key = shown_paper_form(client)
    data = {
        **key,
        "name": "Geesje Hoving",
        "address": "Brink 3",
        "postcode": "9441 pc",
        "town": "Orvelte",
        "village": str(village_by_name("Orvelte").id),
        "birth_year": "",
        "age_band": "75+",
        "sex": "female",
        "household": "single",
        "agree": "y",
        **overrides,
    }
    return client.post(
        "/panel/members/paper", data={k: v for k, v in data.items() if v is not None}
    )


def shown_paper_form(client) -> dict:
    html = client.get("/panel/members/paper").text
    return {"csrf_token": csrf_token_from(html), **form_key_from(html)}


@pytest.mark.parametrize("role", ["official", "volunteer"])
def test_registering_a_paper_member(app, client, login_as, seeded, privacy_statement, role):
    privacy_statement()
    volunteer = login_as(role)
    response = paper_form(client)
    assert response.status_code == 303
    member = db.session.scalar(select(Member))
    assert member.channel is Channel.PAPER and member.account is None
    assert member.contact.name == "Geesje Hoving" and member.contact.postcode == "9441 PC"
    assert member.registered_by_id == volunteer.id
    assert member.age_band.value == "75+" and member.birth_year is None
    assert agreed_version(member) == 1
    assert member.respondent.pseudonym in client.get("/panel/members/paper").text


def test_a_double_click_registers_a_paper_member_once(
    app, client, login_as, seeded, privacy_statement
):
    privacy_statement()
    login_as("volunteer")
    shown = shown_paper_form(client)
    first, second = paper_form(client, shown), paper_form(client, shown)
    assert first.status_code == second.status_code == 303
    assert count(Member) == 1
    number = db.session.scalar(select(Member)).respondent.pseudonym
    assert number in client.get(second.location).text  # the number is shown again
    assert paper_form(client, name="Jan Hoving").status_code == 303  # a housemate
    assert count(Member) == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"postcode": "94"}, "postcode"), ({"name": ""}, "name"), ({"agree": None}, "agree")],
)
def test_paper_registration_errors_keep_the_form(
    app, client, login_as, seeded, privacy_statement, overrides, field
):
    privacy_statement()
    login_as("volunteer")
    response = paper_form(client, **overrides)
    assert response.status_code == 422 and f'href="#{field}"' in response.text
    assert 'value="Brink 3"' in response.text
    assert count(Member) == 0


def test_a_new_privacy_statement_asks_members_again(
    app, client, login_as, make_member, privacy_statement
):
    privacy_statement()
    member = make_member()
    official = login_as("official")
    token = csrf_token_from(client.get("/panel/privacy/new").text)
    response = client.post(
        "/panel/privacy/new",
        data={"csrf_token": token, "body_nl": "Nieuwe tekst.", "changes_nl": "Bewaartermijn."},
    )
    assert response.status_code == 303
    overview = client.get("/panel/privacy")
    assert f'href="/panel/members/{member.id}"' in overview.text

    start_session(client, member.account)
    response = client.get("/me/")
    assert response.status_code == 303 and response.location.startswith("/consent")
    # Leaving, exporting and deleting never wait for consent.
    assert client.get("/me/export").status_code == 200
    page = client.get(response.location)
    assert "Bewaartermijn." in page.text
    refused = client.post(response.location, data={"csrf_token": csrf_token_from(page.text)})
    assert refused.status_code == 422
    agreed = client.post(
        response.location, data={"csrf_token": csrf_token_from(page.text), "agree": "y"}
    )
    assert agreed.status_code == 303 and agreed.location == "/me/"
    db.session.refresh(member)
    assert agreed_version(member) == 2
    assert client.get("/me/").status_code == 200

    start_session(client, official)
    assert f'href="/panel/members/{member.id}"' not in client.get("/panel/privacy").text


def test_publishing_needs_the_changes(app, client, login_as):
    login_as("official")
    token = csrf_token_from(client.get("/panel/privacy/new").text)
    response = client.post("/panel/privacy/new", data={"csrf_token": token, "body_nl": "Tekst"})
    assert response.status_code == 422 and "Tekst" in response.text


def test_quarters():
    assert quarter_of(date(2026, 11, 28)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_of(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_of(date(2026, 6, 30)) == (date(2026, 4, 1), date(2026, 6, 30))


@pytest.mark.parametrize(
    ("invited", "paused", "left", "reason"),
    [
        (0, False, False, None),
        (3, False, False, None),
        (4, False, False, "fatigue"),
        (0, True, False, "paused"),
        (0, False, True, "left"),
    ],
)
def test_fatigue_rule(app, make_member, invited, paused, left, reason):
    today = date.today()
    member = make_member()
    if paused:
        member.paused_until = today + timedelta(days=3)
    if left:
        member.status = MemberStatus.LEFT
    assert exclusion_reason(member, invited, today) == reason
    assert may_invite(member, invited, today) is (reason is None)


def test_fatigue_limit_is_configurable(make_app, make_member):
    app = make_app(INVITATIONS_PER_QUARTER=6)
    with app.app_context():
        member = make_member()
        assert may_invite(member, 5, date.today())


def test_an_official_deletes_a_paper_member_on_request(app, client, login_as, make_member):
    from tests.helpers import every_row_as_text

    member = make_member("Orvelte", channel="paper", email=None, name="Geesje Hoving")
    member.contact.address, member.contact.phone = "Brink 3", "0593-123456"
    db.session.commit()
    respondent = member.respondent.pseudonym
    login_as("official")
    page = client.get(f"/panel/members/{member.id}/delete")
    refused = client.post(
        f"/panel/members/{member.id}/delete", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert refused.status_code == 422 and count(Member) == 1
    done = client.post(
        f"/panel/members/{member.id}/delete",
        data={"csrf_token": csrf_token_from(page.text), "requested": "y"},
    )
    assert done.status_code == 303 and count(Member) == 0
    stored = every_row_as_text()
    for text in ["Geesje", "Brink 3", "0593-123456"]:
        assert text not in stored
    assert respondent in stored  # the pseudonym stays, linked to nobody


def show_member(client, member):
    page = client.get(f"/panel/members/{member.id}")
    return client.post(
        f"/panel/members/{member.id}",
        data={"csrf_token": csrf_token_from(page.text), "reason": "rights"},
    )


def test_an_official_exports_a_paper_member_on_request(app, client, login_as, make_member):
    import json

    member = make_member("Orvelte", channel="paper", email=None, name="Geesje Hoving")
    login_as("official")
    page = show_member(client, member)
    response = client.post(
        f"/panel/members/{member.id}/export.json",
        data={"csrf_token": csrf_token_from(page.text)},
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.text)
    assert data["member"]["contact_details"]["name"] == "Geesje Hoving"
    assert data["member"]["pseudonym"] == member.respondent.pseudonym
    assert data["member"]["village"] == "Orvelte"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.exported"))
    assert event.object_id == str(member.id) and "Geesje" not in str(event.detail)
    assert client.post(f"/panel/members/{member.id}/export.json").status_code == 400  # CSRF


def test_an_official_takes_a_member_off_the_panel_on_request(app, client, login_as, make_member):
    member = make_member("Orvelte", channel="paper", email=None)
    login_as("official")
    page = show_member(client, member)
    response = client.post(
        f"/panel/members/{member.id}/leave", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert response.status_code == 303
    db.session.refresh(member)
    assert member.status is MemberStatus.LEFT and member.left_at is not None
    again = client.post(
        f"/panel/members/{member.id}/leave", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert again.status_code == 400


@pytest.mark.parametrize("role", ["resident", "association", "volunteer"])
@pytest.mark.parametrize("action", ["export.json", "leave", "delete"])
def test_only_officials_act_on_members(app, client, login_as, make_member, role, action):
    member = make_member("Orvelte", channel="paper", email=None)
    as_role(login_as, role)
    token = {"csrf_token": csrf_token_from(client.get("/").text)}
    assert client.post(f"/panel/members/{member.id}/{action}", data=token).status_code == 403
    assert client.post(f"/panel/members/{member.id}", data=token).status_code == 403
