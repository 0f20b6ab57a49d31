"""Two closed demo waves of the liveability survey (2025 and 2026) with synthetic answers
from the demo panel, analysed and released, so the results pages and the village mirror
have something to show: villages above and below the rest, changes between the waves.

The answers are made up but plausible: each resident has a mood (how they like their
village: the village's own lean plus their own), and the answers follow from it, from their
age and from the village's size. Those who want to move rate their village lower and feel
less at home; the young move more; the old manage less well online; small villages have
fewer facilities and more volunteers. A few villages change between the waves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import select

from core.dates import local_today
from core.db import db, utcnow
from fieldwork.answering import questionnaire_of
from fieldwork.models import Response
from panel.models import Channel, Member, MemberStatus
from population.representativeness import age_band_on
from results.clusters import take_snapshot
from results.models import RunStatus
from results.release import release_run
from results.services import run_now
from surveys.conditions import evaluate
from surveys.definition import Question, Questionnaire, QuestionType
from surveys.models import Survey
from surveys.services import create_survey
from surveys.templates import load_template
from villages.models import Village

DEMO_WAVE_TITLE = "Leefbaarheid 2026 (demo)"
PREVIOUS_WAVE_TITLE = "Leefbaarheid 2025 (demo)"
#: Fixed, so the demo waves are the same on every machine.
DEMO_SEED = 2026
#: Share of the active members invited who answer, per wave.
RESPONSE_RATES = (0.64, 0.6)


@dataclass(frozen=True)
class Resident:
    """What drives one resident's answers in one wave."""

    #: How they like their village, about -2..2: their village's lean plus their own.
    mood: float = 0.0
    age: int = 55
    #: Over 3,000 inhabitants: shops, school and bus at hand.
    large_village: bool = False
    #: The village's lean on single topics ("safety", "facilities", "future"), this wave.
    lean: dict[str, float] = field(default_factory=dict)
    #: Years since the first demo wave: online skills grow a little.
    years: int = 0


#: How residents of a village like it compared with the rest (in standard deviations of
#: the mood). Made up for the demo, so that some villages stand out on the mirror.
VILLAGE_MOOD = {
    "Westerbork": 0.45,
    "Nieuw-Balinge": 0.5,
    "Witteveen": 0.4,
    "Orvelte": 0.6,
    "Zwiggelte": 0.4,
    "Smilde": -0.55,
    "Bovensmilde": -0.4,
    "Hoogersmilde": -0.3,
    "Drijber": -0.3,
}
#: Topic leans per village in both waves, and what changed in the second (2026).
VILLAGE_LEAN = {
    "Beilen": {"safety": -0.45, "facilities": 0.2},
    "Smilde": {"safety": -0.2},
    "Westerbork": {"facilities": 0.3},
}
CHANGED_IN_SECOND_WAVE = {
    "Hoogersmilde": {"facilities": -0.6},  # the village shop closed
    "Nieuw-Balinge": {"future": 0.8},  # new houses are being built
    "Smilde": {"safety": -0.4},  # a series of burglaries
    "Westerbork": {"future": 0.8},
    "Beilen": {"facilities": 0.35},  # a new health centre opened
}
#: Agree-scale answers by topic: the mean on the 1-5 scale, and how often "don't know"
#: (9) is chosen, which depends on the item (no children, no care needed).
AGREE_ITEMS = {
    "SOC": (3.7, 0.03),
    "VOORZ_WINKEL": (3.3, 0.02),
    "VOORZ_SCHOOL": (3.6, 0.09),
    "VOORZ_DORPSHUIS": (3.8, 0.03),
    "VOORZ_OV": (2.7, 0.05),
    "VOORZ_ZORG": (3.4, 0.05),
    "VOORZ_SPORT": (3.6, 0.03),
    "VOORZ_SPELEN": (3.5, 0.07),
    "VOORZ_INTERNET": (3.5, 0.04),
    "OMG": (3.4, 0.02),
}
#: Facilities that depend on a village's size: a large village has them at hand.
AT_HAND = ("VOORZ_WINKEL", "VOORZ_SCHOOL", "VOORZ_OV", "VOORZ_ZORG", "VOORZ_SPORT")


#: Without a resident (tests and benchmarks that want a plain wave): fixed tendencies per
#: question, the same for everyone: weights per answer code (others drawn evenly).
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


def synthetic_answers(
    questionnaire: Questionnaire, rng: np.random.Generator, resident: Resident | None = None
) -> dict:
    """Made-up answers to the questions that feed an indicator, following the routing as a
    resident meets it: a routed question is answered only when its condition holds. They
    come from a child of `rng`, so they do not shift the caller's own draws (who answers).
    With a `resident`, the answers follow from their mood, age and village."""
    (rng,) = rng.spawn(1)
    answers: dict = {}
    for page in questionnaire.pages:
        if not evaluate(page.condition, answers):
            continue
        for question in page.questions:
            if question.indicator and evaluate(question.condition, answers):
                if resident is None:
                    answers.update(_plain(question, rng))
                else:
                    answers.update(_lived(question, rng, resident, answers))
    return answers


def _plain(question: Question, rng: np.random.Generator) -> dict:
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


def _lived(question: Question, rng: np.random.Generator, who: Resident, earlier: dict) -> dict:
    if question.type is QuestionType.LIKERT_GRID:
        return {item.code: _agree(item.code, rng, who, earlier) for item in question.items}
    if question.type is QuestionType.LIKERT:
        return {question.code: _agree(question.code, rng, who, earlier)}
    if question.type is QuestionType.MARK:
        mark = 7.4 + 0.75 * who.mood + rng.normal(0, 0.75)
        return {question.code: int(np.clip(round(mark), 1, 10))}
    codes = [option.code for option in question.options]
    if question.type is QuestionType.MULTIPLE and codes:
        return {question.code: _reasons(codes, rng, who)}
    choose = CHOICES.get(question.code)
    if question.type is not QuestionType.SINGLE or choose is None:
        return _plain(question, rng)
    code = choose(rng, who)
    return {question.code: code if code in codes else str(rng.choice(codes))}


def _agree(code: str, rng: np.random.Generator, who: Resident, earlier: dict) -> str:
    topic = next(key for key in (code, code.split("_")[0]) if key in AGREE_ITEMS)
    mean, dont_know = AGREE_ITEMS[topic]
    if rng.random() < dont_know:
        return "9"
    mean += 0.4 * who.mood
    if code.startswith("VOORZ"):
        mean += who.lean.get("facilities", 0.0)
        if code in AT_HAND:
            mean += 0.6 if who.large_village else -0.5
    if code.startswith("SOC") and not who.large_village:
        mean += 0.2  # people know each other in a small village
    if earlier.get("LEEF_CIJFER", 7) <= 5:
        mean -= 0.3
    return str(int(np.clip(round(mean + rng.normal(0, 0.75)), 1, 5)))


def _safety(rng: np.random.Generator, who: Resident) -> str:
    felt = 4.1 + 0.3 * who.mood + who.lean.get("safety", 0.0) + rng.normal(0, 0.7)
    return str(int(np.clip(round(felt), 1, 5)))


def _volunteers(rng: np.random.Generator, who: Resident) -> str:
    chance = 0.42 + (0.0 if who.large_village else 0.12) + (0.08 if 50 <= who.age < 75 else 0)
    if rng.random() >= chance:
        return "3"
    return "1" if rng.random() < 0.45 else "2"


def _member(rng: np.random.Generator, who: Resident) -> str:
    if rng.random() < 0.06:
        return "3"  # does not know
    chance = 0.3 if who.large_village else 0.6
    return "1" if rng.random() < chance + 0.1 * who.mood else "2"


def _future(rng: np.random.Generator, who: Resident) -> str:
    if rng.random() < 0.12:
        return "9"
    outlook = 0.35 * who.mood + who.lean.get("future", 0.0) + rng.normal(0, 1)
    return "1" if outlook > 0.9 else "3" if outlook < -0.8 else "2"


def _moving(rng: np.random.Generator, who: Resident) -> str:
    """Those who like their village less want to move more; so do the young."""
    if rng.random() < 0.07:
        return "9"  # does not know yet
    lean = -2.1 - 0.9 * who.mood + (1.0 if who.age < 35 else -0.3 if who.age >= 75 else 0)
    if rng.random() >= 1 / (1 + math.exp(-lean)):
        return "4"
    away = 0.5 if who.age < 35 else 0.3
    return str(rng.choice(["1", "2", "3"], p=[0.4, 0.6 - away, away]))


def _online(rng: np.random.Generator, who: Resident) -> str:
    manages = 0.95 if who.age < 65 else 0.8 if who.age < 75 else 0.55
    if rng.random() < min(manages + 0.08 * who.years, 0.98):
        return "1" if rng.random() < (0.75 if who.age < 65 else 0.45) else "2"
    return "3" if rng.random() < 0.55 else "4"


def _reasons(codes: list[str], rng: np.random.Generator, who: Resident) -> list[str]:
    weights = np.array([_reason_weight(code, who) for code in codes])
    count = int(rng.integers(1, min(3, len(codes)) + 1))
    chosen = rng.choice(codes, size=count, replace=False, p=weights / weights.sum())
    return sorted(chosen.tolist())


def _reason_weight(code: str, who: Resident) -> float:
    """Most move for a house that fits; the old also for care."""
    return 2.5 if code == "woning" else 1.5 if code == "zorg" and who.age >= 65 else 1.0


CHOICES = {
    "VEILIG": _safety,
    "VRIJWILLIG": _volunteers,
    "LID_DV": _member,
    "TOEKOMST": _future,
    "VERHUIZEN": _moving,
    "DIGITAAL": _online,
}


# The waves ----------------------------------------------------------------------------------


def seed_results_wave() -> int:
    """The two demo waves, once, each closed with the clusters of the moment, computed and
    released: the number of responses added."""
    if db.session.scalar(select(Survey.id).where(Survey.title == DEMO_WAVE_TITLE)):
        return 0
    opens_on = local_today() - timedelta(days=60)
    rng = np.random.default_rng(DEMO_SEED)
    own_mood = {}  # a resident's own lean stays from one wave to the next
    added = 0
    waves = [(PREVIOUS_WAVE_TITLE, opens_on - timedelta(days=364)), (DEMO_WAVE_TITLE, opens_on)]
    for years, (title, opened) in enumerate(waves):
        added += _seed_wave(title, opened, years, rng, own_mood)
    return added


def _seed_wave(title: str, opens_on: date, years: int, rng, own_mood: dict) -> int:
    definition = load_template("leefbaarheid")
    definition["title"] = {"nl": title}
    survey = create_survey(definition, by=None)
    survey.publish(opens_on, opens_on + timedelta(days=28), utcnow())
    questionnaire = questionnaire_of(survey.live_version)
    villages = {v.id: v for v in db.session.scalars(select(Village))}
    answered = [m for m in _invited(opens_on) if rng.random() < RESPONSE_RATES[years]]
    for member in answered:
        band = age_band_on(member.birth_year, member.age_band, opens_on)
        if band is None:
            continue
        mood = own_mood.setdefault(member.id, float(rng.normal(0, 0.85)))
        resident = _resident(member, villages[member.village_id], mood, years, opens_on)
        response = Response(
            survey_id=survey.id,
            version_id=survey.live_version.id,
            respondent_id=member.respondent_id,
            channel=Channel.WEB,
            village_id=member.village_id,
            age_band=band.value,
            sex=member.sex.value,
            answers=synthetic_answers(questionnaire, rng, resident),
        )
        response.complete(datetime.combine(opens_on, time(12), tzinfo=UTC))
        db.session.add(response)
    survey.close()
    take_snapshot(survey)
    run = run_now(survey)
    if run.status is RunStatus.SUCCEEDED:
        release_run(run, by=None)
    return len(answered)


def _invited(opens_on: date) -> list[Member]:
    """The synthetic members who were in the panel when the wave opened."""
    opened = datetime.combine(opens_on, time(0), tzinfo=UTC)
    members = db.session.scalars(
        select(Member).where(Member.synthetic.is_(True)).order_by(Member.id)
    ).all()
    return [
        m
        for m in members
        if m.joined_at <= opened and (m.status is MemberStatus.ACTIVE or m.left_at > opened)
    ]


def _resident(member: Member, village: Village, mood: float, years: int, on: date) -> Resident:
    lean = dict(VILLAGE_LEAN.get(village.name, {}))
    if years:
        for topic, shift in CHANGED_IN_SECOND_WAVE.get(village.name, {}).items():
            lean[topic] = lean.get(topic, 0.0) + shift
    band = age_band_on(member.birth_year, member.age_band, on)
    low, high = band.bounds
    age = on.year - member.birth_year if member.birth_year else (low + (high or 85)) // 2
    return Resident(
        mood=VILLAGE_MOOD.get(village.name, 0.0) + mood,
        age=age,
        large_village=(village.population or 0) > 3000,
        lean=lean,
        years=years,
    )
