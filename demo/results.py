"""A closed demo wave of the liveability survey with synthetic answers from the demo panel,
analysed and released, so the results pages have something to show to officials and
associations alike."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import numpy as np
from sqlalchemy import select

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.answering import questionnaire_of
from fieldwork.models import Response
from panel.models import Channel, Member, MemberStatus
from population.representativeness import age_band_on
from results.models import RunStatus
from results.release import release_run
from results.services import run_now
from surveys.definition import Questionnaire, QuestionType
from surveys.models import Survey
from surveys.services import create_survey
from surveys.templates import load_template

DEMO_WAVE_TITLE = "Leefbaarheid 2026 (demo)"
#: Fixed, so the demo wave is the same on every machine.
DEMO_SEED = 2026
RESPONSE_RATE = 0.6


def synthetic_answers(questionnaire: Questionnaire, rng: np.random.Generator) -> dict:
    """Made-up answers to every question that feeds an indicator."""
    answers: dict = {}
    for question in questionnaire.questions():
        if not question.indicator:
            continue
        if question.type is QuestionType.LIKERT_GRID:
            for item in question.items:
                answers[item.code] = str(rng.choice(["1", "2", "3", "4", "4", "5", "9"]))
        elif question.type is QuestionType.MARK:
            answers[question.code] = int(rng.integers(5, 11))
        elif question.type is QuestionType.MULTIPLE:
            codes = [option.code for option in question.options]
            answers[question.code] = sorted(rng.choice(codes, size=2, replace=False).tolist())
        else:
            answers[question.code] = str(rng.choice([o.code for o in question.options]))
    return answers


def seed_results_wave() -> int:
    """The demo wave, once: returns the number of responses added."""
    if db.session.scalar(select(Survey.id).where(Survey.title == DEMO_WAVE_TITLE)):
        return 0
    definition = load_template("leefbaarheid")
    definition["title"] = {"nl": DEMO_WAVE_TITLE}
    survey = create_survey(definition, by=None)
    opens_on = local_today() - timedelta(days=60)
    survey.publish(opens_on, opens_on + timedelta(days=28), utcnow())
    questionnaire = questionnaire_of(survey.live_version)
    rng = np.random.default_rng(DEMO_SEED)
    members = db.session.scalars(
        select(Member)
        .where(Member.synthetic.is_(True), Member.status == MemberStatus.ACTIVE)
        .order_by(Member.id)
    ).all()
    answered = [member for member in members if rng.random() < RESPONSE_RATE]
    for member in answered:
        band = age_band_on(member.birth_year, member.age_band, opens_on)
        if band is None:
            continue
        response = Response(
            survey_id=survey.id,
            version_id=survey.live_version.id,
            respondent_id=member.respondent_id,
            channel=Channel.WEB,
            village_id=member.village_id,
            age_band=band.value,
            sex=member.sex.value,
            answers=synthetic_answers(questionnaire, rng),
        )
        response.complete(datetime.combine(opens_on, time(12), tzinfo=UTC))
        db.session.add(response)
    survey.close()
    run = run_now(survey)
    if run.status is RunStatus.SUCCEEDED:
        release_run(run, by=None)
    return len(answered)
