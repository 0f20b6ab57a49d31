"""Fixtures for survey waves: synthetic answers to the liveability questionnaire, stored as
fieldwork stores them, and the population margins to weigh them by."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest

from core.db import db, utcnow
from demo.results import synthetic_answers
from fieldwork.answering import questionnaire_of
from fieldwork.models import AnonymousResponse, Response
from panel.models import AgeBand, Channel, Respondent, Sex
from population.models import MarginCell, MarginImport
from results.clusters import take_snapshot
from surveys.services import create_survey
from surveys.templates import load_template
from villages.models import VillageKind
from villages.queries import village_by_name
from villages.services import upsert_village

#: Respondents per village in a default wave: Orvelte too few to publish on its own.
WAVE = {"Beilen": 120, "Bovensmilde": 60, "Hooghalen": 25, "Orvelte": 4, "Eursinge": 6}
POPULATION = {"Beilen": 8000, "Bovensmilde": 2600, "Hooghalen": 900, "Orvelte": 80, "Eursinge": 150}
BANDS = [band.value for band in AgeBand]


def village_named(name: str, people: int):
    """The village, made with this population if it is not there yet."""
    village = village_by_name(name)
    if village is None:
        village = upsert_village(name, VillageKind.VILLAGE, people)
        db.session.commit()
    return village


@pytest.fixture
def make_margins(app):
    return new_margins


@pytest.fixture
def make_wave(app):
    return new_wave


def new_margins(reference_date: date = date(2026, 1, 1), population=None) -> MarginImport:
    margins = MarginImport(reference_date=reference_date, source="test")
    for name, people in (population or POPULATION).items():
        village = village_named(name, people)
        for band in AgeBand:
            for sex in (Sex.FEMALE, Sex.MALE):
                count = people // 10 + (7 if band is AgeBand.A75_PLUS else 0)
                margins.cells.append(
                    MarginCell(village_id=village.id, age_band=band, sex=sex, count=count)
                )
    db.session.add(margins)
    db.session.commit()
    return margins


def new_wave(
    per_village: dict[str, int] | None = None,
    opens_on: date = date(2026, 3, 1),
    seed: int = 1,
    anonymous: bool = False,
    respondents: list[Respondent] | None = None,
    close: bool = True,
):
    """A liveability survey, published and closed, with completed responses per village.
    `respondents`: pseudonyms to reuse (the same residents in a later wave)."""
    rng = np.random.default_rng(seed)
    for name, people in POPULATION.items():
        village_named(name, people)
    survey = create_survey(load_template("leefbaarheid"), by=None)
    survey.anonymous = anonymous
    survey.publish(opens_on, opens_on + timedelta(days=21), utcnow())
    questionnaire = questionnaire_of(survey.live_version)
    reused = list(respondents or [])
    counts = per_village or WAVE
    people = [
        reused.pop(0) if reused else Respondent(pseudonym=secrets.token_hex(8))
        for _ in range(sum(counts.values()))
    ]
    db.session.add_all(people)
    db.session.flush()  # once for all: their ids
    people.reverse()
    for name, count in counts.items():
        village = village_by_name(name)
        for _ in range(count):
            respondent = people.pop()
            cell = {
                "village_id": village.id,
                "age_band": str(rng.choice(BANDS)),
                "sex": str(
                    rng.choice(["female", "male"], p=[0.5, 0.5]) if rng.random() > 0.02 else "other"
                ),
            }
            answers = synthetic_answers(questionnaire, rng)
            version_id = survey.live_version.id
            if anonymous:  # kept apart, without times (fieldwork.answering.submit)
                db.session.add(
                    AnonymousResponse(
                        survey_id=survey.id,
                        version_id=version_id,
                        channel=Channel.WEB,
                        answers=answers,
                        **cell,
                    )
                )
                continue
            response = Response(
                survey_id=survey.id,
                version_id=version_id,
                respondent_id=respondent.id,
                channel=Channel.WEB,
                answers=answers,
                **cell,
            )
            response.complete(datetime.combine(opens_on, time(12), tzinfo=UTC))
            db.session.add(response)
    if close:
        survey.close()
        take_snapshot(survey)  # as surveys.services.close does
    db.session.commit()
    return survey
