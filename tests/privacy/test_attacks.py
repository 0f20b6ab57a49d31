"""Attacks on the anonymity of residents, performed as an official or a database reader
would, asserted to fail (issue 15, items 1 and 4). The storage attacks (quasi-identifier
joins, superseded rows) are in test_attacks_storage.py."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from scipy.stats import spearmanr

from core.dates import local_today
from core.db import db, utcnow
from fieldwork import invitations
from fieldwork.models import AnonymousResponse, Invitation, Response
from panel.models import Channel, Member
from surveys.models import Survey, SurveyStatus
from surveys.services import create_survey
from surveys.templates import load_template
from tests.conftest import csrf_token_from
from tests.helpers import count
from tests.results.test_quotes import questionnaire
from villages.queries import village_by_name


@pytest.fixture
def official(client, login_as):
    account = login_as("official")
    with client.session_transaction() as session:
        session["language"] = "en"
    return account


def answer(survey: Survey, text: str, village_id: int | None = None) -> Response:
    """A resident sends a response with an open answer, stored where sending stores it: an
    anonymous survey's apart from any member (fieldwork.answering.submit)."""
    model = AnonymousResponse if survey.anonymous else Response
    response = model(
        survey_id=survey.id,
        version_id=survey.live_version.id,
        channel=Channel.WEB,
        village_id=village_id,
        answers={"WOON": "1", "WENS": text},
    )
    if model is Response:
        response.complete(utcnow())
    db.session.add(response)
    db.session.commit()
    return response


# The quote-timing attack ----------------------------------------------------------------------


@pytest.fixture
def anonymous_survey(app):
    survey = create_survey(questionnaire(), by=None)
    survey.anonymous = True
    survey.publish(local_today() - timedelta(days=1), local_today() + timedelta(days=9), utcnow())
    db.session.commit()
    return survey


def open_answers_on(page: str) -> list[str]:
    return re.findall(r'name="response_id" value="([^"]+)"', page)


def test_watching_quotes_while_a_survey_is_open_shows_no_new_answer(
    client, official, anonymous_survey
):
    page = f"/surveys/{anonymous_survey.id}/quotes"
    for n in range(12):
        before = client.get(page).text
        sent = answer(anonymous_survey, f"Antwoord nummer {n} van de Dorpsstraat.")
        after = client.get(page).text
        assert sent.id not in after and f"nummer {n} " not in after
        assert open_answers_on(before) == open_answers_on(after) == []
    assert "can be read once the survey is closed" in after
    new = f"/surveys/{anonymous_survey.id}/quotes/new?response_id={sent.id}&question=WENS"
    assert client.get(new).status_code == 404


def test_after_closing_with_too_few_responses_no_answer_shows(client, official, anonymous_survey):
    sent = [answer(anonymous_survey, f"Alleen ik woon aan weg {n}.") for n in range(9)]
    anonymous_survey.close()
    db.session.commit()

    page = client.get(f"/surveys/{anonymous_survey.id}/quotes").text
    assert open_answers_on(page) == [] and "Alleen ik woon" not in page
    assert "fewer than 10 people completed the questionnaire" in page
    new = f"/surveys/{anonymous_survey.id}/quotes/new?response_id={sent[0].id}&question=WENS"
    assert client.get(new).status_code == 404

    answer(anonymous_survey, "De tiende.")  # a late paper response entered after closing
    page = client.get(f"/surveys/{anonymous_survey.id}/quotes").text
    assert len(open_answers_on(page)) == 10  # with the threshold reached they can be read


# The id-correlation attack --------------------------------------------------------------------


def test_respondent_ids_cannot_be_told_from_member_ids(app, make_member):
    members = [make_member("Orvelte", birth_year=1950 + n % 50) for n in range(200)]
    member_ids = [m.id for m in members]
    respondent_ids = [m.respondent_id for m in members]

    rho = spearmanr(member_ids, respondent_ids).statistic
    assert abs(rho) < 0.25  # random: |rho| > 0.25 has a chance of about 1 in 2,000
    differences = {r - m for r, m in zip(respondent_ids, member_ids, strict=True)}
    assert len(differences) > 190  # no constant offset
    steps = {b - a for a, b in zip(respondent_ids, respondent_ids[1:], strict=False)}
    assert len(steps) > 190  # no serial with a stride
    assert max(respondent_ids) > 1000 * max(member_ids)  # drawn from a wide range
    # Nor can they be joined on a time: respondents keep none.
    assert "created_at" not in {c["name"] for c in sa.inspect(db.engine).get_columns("respondents")}


# The export attack -----------------------------------------------------------------------------


def test_an_export_gives_no_time_of_taking_part_in_an_anonymous_survey(
    client, official, make_member, seeded
):
    member = make_member("Orvelte", email="geesje@example.nl")
    today = local_today()
    anonymous = create_survey(load_template("leefbaarheid"), by=None)
    anonymous.title, anonymous.anonymous = "Anoniem onderzoek", True
    named = create_survey(load_template("leefbaarheid"), by=None)
    named.title = "Pseudoniem onderzoek"
    for survey in (anonymous, named):
        survey.publish(today - timedelta(days=5), today + timedelta(days=5), utcnow())
    answered_at = utcnow() - timedelta(minutes=3)
    for survey in (anonymous, named):
        db.session.add(
            Invitation(survey=survey, member=member, invited_at=utcnow(), completed_at=answered_at)
        )
    db.session.commit()

    page = client.get(f"/panel/members/{member.id}?reason=support").text
    exported = client.post(
        f"/panel/members/{member.id}/export.json", data={"csrf_token": csrf_token_from(page)}
    )
    assert exported.status_code == 200
    data = json.loads(exported.text)
    assert data["surveys"] == [
        {"title": "Pseudoniem onderzoek", "took_part": True, "answered_at": answered_at.isoformat()}
    ]
    assert "Anoniem onderzoek" not in exported.text

    # The member's own export says they took part, never when.
    from panel.me_services import surveys_taken_part_in

    own = surveys_taken_part_in(db.session.get(Member, member.id))
    assert {"title": "Anoniem onderzoek", "took_part": True} in own


# The single-member village attack --------------------------------------------------------------


def test_an_anonymous_survey_cannot_be_published_for_a_village_of_one(
    client, official, make_member, seeded
):
    lonely = make_member("Orvelte")
    survey = create_survey(load_template("leefbaarheid"), by=None, villages=[lonely.village])
    survey.anonymous = True
    db.session.commit()
    today = local_today()
    url = f"/surveys/{survey.id}/publish"
    page = client.get(url, query_string={"opens_on": today, "closes_on": today + timedelta(9)})
    assert "Orvelte: 1 member to invite." in page.text
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page.text),
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=9)).isoformat(),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).status is SurveyStatus.DRAFT


def test_an_anonymous_survey_published_anyway_sends_nothing_to_a_village_of_one(
    client, official, make_member, seeded
):
    """Published behind the application's back (or before the rule): still no mail."""
    lonely = make_member("Orvelte")
    crowd = [make_member("Beilen") for _ in range(10)]
    today = local_today()
    survey = create_survey(
        load_template("leefbaarheid"),
        by=None,
        villages=[village_by_name("Orvelte"), village_by_name("Beilen")],
    )
    survey.anonymous = True
    survey.publish(today - timedelta(days=1), today + timedelta(days=9), utcnow())
    db.session.commit()

    assert invitations.send_invitations(survey.id, today, lambda *a: None) == 10
    invited = set(db.session.scalars(sa.select(Invitation.member_id)))
    assert lonely.id not in invited and invited == {m.id for m in crowd}

    survey.villages = [village_by_name("Orvelte")]  # only the lonely village left
    db.session.commit()
    page = f"/surveys/{survey.id}/invitations"
    html = client.get(page).text
    response = client.post(page, data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 303 and response.location.endswith(page)
    assert count(Invitation) == 10
