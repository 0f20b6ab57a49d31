"""Bad input through the real routes: huge ids, control characters, lone surrogates, line
breaks in titles, markup in names. Nothing gives a server error, nothing with a control
character is stored, and what is stored is shown as text."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from accounts.models import Account, Role
from core.db import db
from core.input import CONTROL_CHARACTERS
from mail.models import OutboxMail
from mail.services import queue_mail
from results import clusters
from results.models import VillageCluster
from surveys.models import Survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from, form_key_from, start_session
from tests.helpers import count, every_row_as_text
from villages.queries import village_by_name

META_REFRESH = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
TOO_LARGE_IDS = (2**31, 2**63, 10**30)


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


@pytest.fixture
def world(app, make_member):
    """The demo villages and accounts (one per role), the template surveys, a cluster and a
    member: every kind of page has something to show."""
    from demo.panel import seed_privacy_statement, seed_template_surveys
    from demo.services import seed_accounts, seed_villages

    seed_villages()
    seed_accounts()
    seed_privacy_statement()
    seed_template_surveys()
    clusters.create_cluster("Zuid", [village_by_name("Orvelte"), village_by_name("Garminge")])
    db.session.commit()
    make_member("Orvelte")
    accounts = {
        Role.OFFICIAL: "ambtenaar@middendrenthe.example",
        Role.ASSOCIATION: "bestuur@orvelte.example",
        Role.VOLUNTEER: "vrijwilliger@middendrenthe.example",
        Role.RESIDENT: "inwoner.orvelte@example.nl",
    }
    return {
        role: db.session.scalar(select(Account).where(Account.email == email))
        for role, email in accounts.items()
    }


def log_in_for(client, app, endpoint: str, world) -> None:
    """As a role the view lets in: an official where allowed, else the first it names."""
    roles = getattr(app.view_functions[endpoint], "required_roles", None)
    if not roles:
        return
    role = Role.OFFICIAL if Role.OFFICIAL in roles else sorted(roles, key=lambda r: r.value)[0]
    start_session(client, world[role])


def existing_ids() -> dict[str, int]:
    from panel.models import Member

    return {
        "survey_id": db.session.scalar(select(Survey.id).order_by(Survey.id)),
        "cluster_id": db.session.scalar(select(VillageCluster.id)),
        "member_id": db.session.scalar(select(Member.id)),
        "village_id": village_by_name("Orvelte").id,
    }


def url_for_rule(rule, ids: dict[str, int], other: int = 1) -> str:
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        if kind == "IdConverter":
            values[name] = ids.get(name, other)
        elif kind == "AnyConverter":
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "up"
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def post_rules(app):
    """Every POST route; those that delete or close something last, so the others find it."""
    final = ("delete", "leave", "reopen", "withdraw", "duplicate", "replace")
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "POST" in rule.methods),
        key=lambda rule: (rule.endpoint.endswith(final), rule.rule),
    )


# --- ids beyond the database's integers ----------------------------------------------


def test_ids_too_large_for_the_database_are_pages_that_do_not_exist(client, app, world):
    id_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if any(type(c).__name__ == "IdConverter" for c in rule._converters.values())
    ]
    assert len(id_rules) >= 21
    for rule in id_rules:
        log_in_for(client, app, rule.endpoint, world)
        for too_large in TOO_LARGE_IDS:
            url = url_for_rule(rule, {}, other=too_large)
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(url, method=method)
            # 405 where another method's route has the same path: still no database query.
            assert response.status_code in (404, 405), (method, url, response.status_code)


def test_a_control_character_in_a_path_is_no_page(client, login_as):
    login_as("official")
    for path in ("/jobs/%00", "/enquete/abc%00def", "/login/%01x"):
        assert client.get(path).status_code == 404, path


# --- text fields --------------------------------------------------------------------------


def test_a_nul_byte_in_a_title_is_taken_out_not_a_server_error(client, login_as, english):
    login_as("official")
    response = client.post(
        "/surveys/new",
        data={
            **form_of(client, "/surveys/new"),
            "title": "Leefbaar\x00heid\x07 2027",
            "start": "blank",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Survey.title)) == "Leefbaarheid 2027"


def test_a_line_break_in_a_survey_title_becomes_a_space(client, login_as, english):
    login_as("official")
    client.post(
        "/surveys/new",
        data={
            **form_of(client, "/surveys/new"),
            "title": "Leefbaarheid\r\nBcc: all@example.nl",
            "start": "blank",
        },
    )
    survey = db.session.scalars(select(Survey)).one()
    assert survey.title == "Leefbaarheid Bcc: all@example.nl"
    assert survey.versions[0].definition["title"]["nl"] == survey.title


def test_a_mail_subject_is_one_line_even_for_an_old_title_with_line_breaks(app):
    """Titles stored before they were made single-line still give mails that can be sent."""
    link = "http://naoberpanel.test/x"
    mail = queue_mail(
        "lid@example.nl",
        "survey_invitation",
        "nl",
        title="Leefbaarheid\r\nBcc: x@example.nl",
        name="",
        introduction="",
        closes_on=date(2027, 1, 31),
        anonymous=False,
        link=link,
        my_page=link,
        unsubscribe=link,
    )
    db.session.commit()
    subject = db.session.get(OutboxMail, mail.id).subject
    assert "\n" not in subject and "\r" not in subject
    assert "Leefbaarheid Bcc: x@example.nl" in subject


def form_of(client, url: str) -> dict[str, str]:
    """What a browser sends with the form on `url`: its CSRF token and one-time form key."""
    html = client.get(url).text
    return {"csrf_token": csrf_token_from(html), **form_key_from(html)}


# --- imports ------------------------------------------------------------------------------


def import_questionnaire(client, text: str):
    return client.post(
        "/surveys/import", data={**form_of(client, "/surveys/import"), "pasted": text}
    )


def test_a_lone_surrogate_in_an_imported_questionnaire_is_refused(client, login_as, english):
    login_as("official")
    text = json.dumps(load_template("leefbaarheid")).replace('"nl": "', '"nl": "\\ud800', 1)
    response = import_questionnaire(client, text)
    assert response.status_code == 422
    assert "This is not valid JSON" in response.text
    assert count(Survey) == 0


def test_an_imported_title_is_made_one_line_and_control_characters_are_taken_out(
    client, login_as, english
):
    login_as("official")
    definition = load_template("leefbaarheid")
    definition["title"] = {"nl": "Leefbaarheid\n\u0000\u001b2027"}
    definition["pages"][0]["questions"][0]["text"]["nl"] += "\u0007"
    response = import_questionnaire(client, json.dumps(definition))
    assert response.status_code == 302
    survey = db.session.scalars(select(Survey)).one()
    assert survey.title == "Leefbaarheid 2027"
    assert not CONTROL_CHARACTERS.search(json.dumps(survey.versions[0].definition))


def test_a_refused_import_answers_422_with_the_problems(client, login_as, english):
    login_as("official")
    definition = load_template("leefbaarheid")
    definition["pages"][0]["questions"][0]["type"] = "no-such-type"
    response = import_questionnaire(client, json.dumps(definition))
    assert response.status_code == 422
    assert "is not a question type" in response.text
    assert count(Survey) == 0


@settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(words=st.text(max_size=12), number=st.integers(min_value=-(10**30), max_value=10**30))
def test_random_texts_and_numbers_in_an_import_are_stored_clean_or_refused(
    client, login_as, english, words, number
):
    """`words` may hold lone surrogates: json.dumps writes them as \\udxxx escapes."""
    login_as("official")
    definition = load_template("leefbaarheid")
    definition["title"]["nl"] += words
    definition["pages"][0]["questions"][0]["text"]["nl"] = words or "Vraag"
    definition["pages"][-1]["questions"][-1]["maximum"] = number
    before = count(Survey)
    response = import_questionnaire(client, json.dumps(definition))
    assert response.status_code in (302, 422)
    if any("\ud800" <= c <= "\udfff" for c in words):
        assert response.status_code == 422 and count(Survey) == before
    stored = json.dumps(
        [
            version.definition
            for survey in db.session.scalars(select(Survey))
            for version in survey.versions
        ],
        ensure_ascii=False,
    )
    assert not re.search(r"\\u00[01][0-9a-f]", stored) and not CONTROL_CHARACTERS.search(stored)


# --- markup in names ------------------------------------------------------------------------


def test_a_cluster_name_with_markup_is_shown_as_text_everywhere(
    client, login_as, make_village, english
):
    for name in ("Orvelte", "Garminge", "Hooghalen"):
        make_village(name)
    login_as("official")
    token = csrf_token_from(client.get("/analysis/clusters/new").text)
    ids = [str(village_by_name(n).id) for n in ("Orvelte", "Garminge")]
    saved = client.post(
        "/analysis/clusters/new",
        data={"csrf_token": token, "name": META_REFRESH[:80], "villages": ids},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    cluster = db.session.scalars(select(VillageCluster)).one()
    pages = [saved.text] + [
        client.get(f"/analysis/clusters/{cluster.id}/{page}").text for page in ("edit", "delete")
    ]
    for page in pages:
        assert "<meta http-equiv" not in page
    assert "&lt;meta http-equiv" in saved.text


# --- every form, random input -------------------------------------------------------------

FIELD_NAME = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')
NASTY_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(["\x00", "a\x00b", "\r\nBcc: x@example.nl", "\x1b[31m", "\u202e", ""])
HUGE_NUMBER = st.integers(min_value=2**31, max_value=10**40).map(str) | st.integers(
    max_value=-(2**31)
).map(str)
VALUE = NASTY_TEXT | HUGE_NUMBER


def form_fields(html: str) -> list[str]:
    names = set(FIELD_NAME.findall(html)) - {"csrf_token", "shown_at", "revision"}
    return sorted(names)


def post_randomly(client, url: str, token: str, fields: list[str]) -> None:
    """A few posts of random values for the form's fields (bounded: the suite stays fast)."""

    @settings(max_examples=2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({name: VALUE for name in fields}))
    def post(values):
        response = client.post(url, data={"csrf_token": token, **values})
        assert response.status_code < 500, (url, values, response.status_code)
        db.session.rollback()

    post()


def test_random_input_to_every_form_never_fails_and_stores_no_control_characters(
    client, app, world
):
    ids = existing_ids()
    start_session(client, world[Role.OFFICIAL])
    token = csrf_token_from(client.get("/surveys/new").text)
    for rule in post_rules(app):
        if rule.endpoint in ("accounts.logout",):
            continue
        log_in_for(client, app, rule.endpoint, world)
        url = url_for_rule(rule, ids)
        page = client.get(url) if "GET" in rule.methods else None
        html = page.text if page is not None and page.status_code == 200 else ""
        fields = form_fields(html) or ["name", "title", "text", "email", "size"]

        post_randomly(client, url, token, fields)
    stored = every_row_as_text()
    assert not re.search(r"\\x0[0-8]|\\x1[0-9a-f]|\\x7f", stored), "control character stored"
