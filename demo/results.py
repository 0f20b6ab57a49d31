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
from surveys.conditions import evaluate
from surveys.definition import Question, Questionnaire, QuestionType
from surveys.models import Survey
from surveys.services import create_survey
from surveys.templates import load_template

DEMO_WAVE_TITLE = "Leefbaarheid 2026 (demo)"
#: Fixed, so the demo wave is the same on every machine.
DEMO_SEED = 2026
RESPONSE_RATE = 0.6


#: What a rural panel tends to answer, per question of the liveability template: weights per
#: answer code (others are drawn evenly). Few "don't know"s, most residents staying put.
TENDENCIES: dict[str, dict[str, float]] = {
    "VEILIG": {"1": 1, "2": 3, "3": 12, "4": 55, "5": 29},
    "VRIJWILLIG": {"1": 30, "2": 25, "3": 45},
    "LID_DV": {"1": 45, "2": 48, "3": 7},
    "TOEKOMST": {"1": 22, "2": 48, "3": 20, "9": 10},
    "VERHUIZEN": {"1": 6, "2": 4, "3": 5, "4": 75, "9": 10},
    "DIGITAAL": {"1": 55, "2": 28, "3": 9, "4": 8},
}
#: The agree scale, "don't know" (9) rare.
AGREE = {"1": 4, "2": 10, "3": 22, "4": 44, "5": 17, "9": 3}


def synthetic_answers(questionnaire: Questionnaire, rng: np.random.Generator) -> dict:
    """Made-up answers to the questions that feed an indicator, following the routing as a
    resident meets it: a routed question is answered only when its condition holds. They
    come from a child of `rng`, so they do not shift the caller's own draws (who answers)."""
    (rng,) = rng.spawn(1)
    answers: dict = {}
    for page in questionnaire.pages:
        if not evaluate(page.condition, answers):
            continue
        for question in page.questions:
            if question.indicator and evaluate(question.condition, answers):
                answers.update(_answer(question, rng))
    return answers


def _answer(question: Question, rng: np.random.Generator) -> dict:
    if question.type is QuestionType.LIKERT_GRID:
        return {item.code: _drawn(AGREE, rng) for item in question.items}
    if question.type is QuestionType.LIKERT:
        return {question.code: _drawn(AGREE, rng)}
    if question.type is QuestionType.MARK:
        return {question.code: int(rng.choice([5, 6, 7, 7, 8, 8, 8, 9, 9, 10]))}
    if question.type is QuestionType.NUMBER:
        low, high = question.numeric_range()
        return {question.code: int(rng.integers(low or 0, (high or 10) + 1))}
    codes = [option.code for option in question.options]
    if question.type not in (QuestionType.SINGLE, QuestionType.MULTIPLE) or not codes:
        return {}  # open text and rankings feed no figure
    if question.type is QuestionType.MULTIPLE:
        chosen = rng.choice(codes, size=int(rng.integers(1, min(3, len(codes)) + 1)), replace=False)
        return {question.code: sorted(chosen.tolist())}
    weights = TENDENCIES.get(question.code, {})
    return {question.code: _drawn({code: weights.get(code, 1.0) for code in codes}, rng)}


def _drawn(weights: dict[str, float], rng: np.random.Generator) -> str:
    codes = list(weights)
    p = np.array([weights[code] for code in codes], dtype=float)
    return str(rng.choice(codes, p=p / p.sum()))


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
