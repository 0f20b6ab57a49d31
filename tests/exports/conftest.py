"""A closed, computed wave whose respondents are panel members with contact details, one
answer that looks like a formula and one paper response; beside it a closed anonymous wave
with coarsened cells. Built once per run (`snapshot`)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts.services import get_or_create_account
from core.db import db
from fieldwork.models import AnonymousResponse, Response
from panel.models import Channel, ContactDetails, Household, Sex
from panel.services import Profile, current_statement, publish_statement, register_member
from tests.conftest import snapshot
from tests.results.test_services import run_now
from tests.waves import make_wave, new_margins, new_wave  # noqa: F401  (fixtures)
from villages.queries import village_by_name

FORMULA = '=HYPERLINK("http://evil.example","x")'
MEMBERS = 30
TEXT_CODE = "VERHUIZEN_WAAROM_other"


def members_with_contact_details() -> list:
    publish_statement("Privacyverklaring.", "Privacy statement.", "", "", by=None)
    beilen = village_by_name("Beilen")
    made = []
    for number in range(MEMBERS):
        account = get_or_create_account(f"bewoner{number}@example.nl")
        member = register_member(
            Profile(
                village_id=beilen.id, sex=Sex.FEMALE, household=Household.COUPLE, birth_year=1970
            ),
            Channel.WEB,
            account=account,
            contact=ContactDetails(
                name=f"Jantje Bewoner{number}",
                address=f"Dorpsstraat {number}",
                postcode="9411AB",
                town="Beilen",
                phone=f"0612345{number:03d}",
            ),
            statement=current_statement(),
        )
        made.append(member)
    db.session.flush()
    return [member.respondent for member in made]


def build() -> dict:
    new_margins()
    from tests.waves import POPULATION, village_named

    for name, people in POPULATION.items():
        village_named(name, people)
    respondents = members_with_contact_details()
    survey = new_wave(respondents=respondents)
    first = db.session.scalars(
        select(Response).where(Response.survey_id == survey.id).order_by(Response.id)
    ).all()
    # The "other, namely" text of the multiple choice, where the routing asks it.
    asked = next(r for r in first if r.answers.get("VERHUIZEN_WAAROM"))
    chosen = sorted(set(asked.answers["VERHUIZEN_WAAROM"]) | {"other"})
    asked.answers = {**asked.answers, "VERHUIZEN_WAAROM": chosen, TEXT_CODE: FORMULA}
    first[1].channel = Channel.PAPER
    db.session.commit()
    run_now(survey)
    hidden = new_wave(per_village={"Beilen": 40, "Hooghalen": 12}, anonymous=True, seed=2)
    for response in db.session.scalars(
        select(AnonymousResponse).where(AnonymousResponse.survey_id == hidden.id).limit(12)
    ):
        response.village_id, response.age_band = None, None  # coarsened away
    kept = db.session.scalars(
        select(AnonymousResponse).where(
            AnonymousResponse.survey_id == hidden.id, AnonymousResponse.village_id.is_not(None)
        )
    ).first()
    kept.channel = Channel.PAPER  # the only one on paper in its cell
    db.session.commit()
    return {"survey": survey.id, "anonymous": hidden.id, "text_code": TEXT_CODE}


snapshot("exported", build)


@pytest.fixture
def exported(app, request):
    """This test's own copy of the snapshot: the ids of its surveys."""
    from tests.conftest import snapshot_output

    return snapshot_output(request, "exported")


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"
