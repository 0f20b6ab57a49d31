"""Running the analysis of a survey wave: load its respondents, margins, indicators and
clusters, call `analysis`, and store what passed disclosure control.

A run happens in a background job (when a survey closes, or when an official asks again)
or from `flask analysis run`. Pages read the stored figures and never recompute.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Result, Select, case, func, null, or_, select
from sqlalchemy.orm import defer

from accounts.models import Account
from analysis.disclosure import rounded_count
from analysis.indicators import DEFINITIONS, Indicator, in_three_categories
from analysis.indicators import load as load_indicators
from analysis.pipeline import Estimated, Record, Settings, Wave, analyse
from analysis.report import FORMAT as REPORT_FORMAT
from analysis.report import report
from analysis.scheme import NoPopulation
from analysis.weighting import EmptyCell
from audit.services import record
from core.cache import cached
from core.db import db, utcnow
from fieldwork.answering import questionnaire_of
from fieldwork.models import AnonymousResponse, Response, ResponseStatus
from jobs.models import Job, JobStatus
from jobs.services import enqueue
from panel.models import Respondent
from population.models import MarginCell, MarginImport
from results.files import (
    indicators_json,
    population_cells,
    record_from_row,
    settings_from_json,
    settings_json,
)
from results.models import (
    AnalysisRun,
    AreaKind,
    ClusterSnapshot,
    ResultFigure,
    RunStatus,
    VillageCluster,
)
from surveys.definition import Question, QuestionType
from surveys.models import QuestionnaireVersion, Survey, SurveyKind, SurveyStatus
from villages.models import Village

log = logging.getLogger(__name__)

RUN_JOB = "results.run_analysis"
#: Surveys whose waves can be analysed and compared.
FINISHED = (SurveyStatus.CLOSED, SurveyStatus.ARCHIVED)


class CannotAnalyse(ValueError):
    """A wave without what the analysis needs. `reason` names it for the page (which words
    it in the reader's language); the message is for logs and the command line."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotConverged(CannotAnalyse):
    """Weights that miss a margin would publish figures leaning towards who answered."""

    def __init__(self, gaps: list[dict[str, Any]]) -> None:
        super().__init__("not_converged", f"the weights miss {len(gaps)} margin cells")
        self.gaps = gaps


#: A margin cell off by less than this share is not shown among the gaps of a failed run.
SHOWN_GAP = 0.0005


def ensure_converged(estimated: Estimated) -> None:
    """Refuse a wave whose weights do not meet every margin; say how far off each cell is,
    the worst first."""
    result = estimated.weighting.result
    if result.converged:
        return
    ordered = sorted(result.gaps, key=lambda gap: -abs(gap.relative))
    shown = [gap for gap in ordered if abs(gap.relative) >= SHOWN_GAP] or ordered[:5]
    raise NotConverged(
        [
            {
                "margin": gap.margin,
                "cell": gap.cell,
                "population": round(gap.population, 1),
                "weighted": round(gap.weighted, 1),
                "relative": round(gap.relative, 4),
            }
            for gap in shown
        ]
    )


@dataclass(frozen=True)
class WaveInput:
    """Everything a run takes from the database, in the form `flask analysis compute`
    reads from files."""

    records: list[Record]
    population: dict[tuple[str, str, str], float]
    indicators: list[Indicator]
    codes: list[str]
    margin_import: MarginImport
    #: Completed responses left out: no village or age band to weigh them by.
    left_out: int
    #: Responses left out because the margins do not hold their village.
    without_margins: int
    #: A hash of every completed response's id (runs before the records hash had only this).
    digest: str
    #: A hash of the records the run uses (ids, village, age band, sex, coded answers), to
    #: tell when what enters the figures changed.
    records_digest: str


# Starting a run -----------------------------------------------------------------------------


def request_run(survey: Survey, trigger: str, by: Account | None = None) -> AnalysisRun | None:
    """Queue a run, unless one is already waiting or running (a double click, a second
    close): then that one. None when the questionnaire feeds no indicator and is no
    village vision (results.vision): there is nothing to compute, and a run could only
    fail. Only for a closed survey (CannotAnalyse otherwise)."""
    ensure_finished(survey)
    if not feeds_indicators(survey) and survey.kind is not SurveyKind.VILLAGE_VISION:
        log.info("Survey %s feeds no indicator: no analysis run", survey.id)
        return None
    waiting = db.session.scalar(
        select(AnalysisRun)
        .join(Job, Job.id == AnalysisRun.job_id)
        .where(
            AnalysisRun.survey_id == survey.id,
            AnalysisRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]),
            Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
    )
    if waiting is not None:
        return waiting
    _give_up_abandoned_runs(survey)
    run = AnalysisRun(survey=survey, trigger=trigger, requested_by_id=by.id if by else None)
    db.session.add(run)
    db.session.flush()
    run.job_id = enqueue(RUN_JOB, run_id=run.id).id
    record("analysis.run_requested", survey, run=run.id, trigger=trigger)
    return run


def run_now(survey: Survey, trigger: str = "cli") -> AnalysisRun:
    """A run computed in this transaction (the command line, the demo), not in a job."""
    run = AnalysisRun(survey=survey, trigger=trigger)
    db.session.add(run)
    db.session.flush()
    return run_analysis(run)


def _give_up_abandoned_runs(survey: Survey) -> None:
    """Runs still waiting whose job is over or gone (a worker that died): failed."""
    abandoned = db.session.scalars(
        select(AnalysisRun).where(
            AnalysisRun.survey_id == survey.id,
            AnalysisRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]),
            AnalysisRun.job_id.is_not(None),
        )
    )
    for run in abandoned:
        run.fail("the background job stopped before the run finished", utcnow())


def run_analysis(run: AnalysisRun) -> AnalysisRun:
    """Compute and store the run's figures, or record why it could not. Flushes only."""
    run.start()
    survey = run.survey
    if survey.kind is SurveyKind.VILLAGE_VISION:
        from results.vision import run_village_vision  # it reads this module

        return run_village_vision(run)
    try:
        ensure_finished(survey)
        settings = settings_for(survey)
        current = wave_input(survey)
        ensure_same_responses(survey, current)
        ensure_same_method(survey)
        estimated = analyse(Wave(current.records, current.population), current.indicators, settings)
        ensure_converged(estimated)
        previous_run = previous_published_run(survey)
        previous, previous_settings = _previous_estimated(previous_run, current.indicators)
        output = report(estimated, current.indicators, settings, previous, previous_settings)
    except (CannotAnalyse, NoPopulation, EmptyCell) as error:
        run.fail(str(error), utcnow())
        gaps = {"gaps": error.gaps} if isinstance(error, NotConverged) else {}
        run.settings = {"failure": getattr(error, "reason", "margins")} | gaps
        log.warning("Analysis run %s of survey %s failed: %s", run.id, survey.id, error)
        return run
    run.margin_import_id = current.margin_import.id
    run.reference_date = current.margin_import.reference_date
    run.previous_survey_id = previous_run.survey_id if previous is not None else None
    run.settings = _run_settings(settings, current)
    store_figures(run, output)
    run.succeed(output, utcnow())
    log.info("Analysis run %s of survey %s: %s figures", run.id, survey.id, len(run.figures))
    return run


def ensure_finished(survey: Survey) -> None:
    """Figures of a wave still answering would change with each late answer: comparing two
    such runs would show what that one resident said."""
    if survey.status not in FINISHED:
        raise CannotAnalyse(
            "still_open", "the survey is still open: its figures are computed once it closes"
        )


def settings_for(survey: Survey) -> Settings:
    """The settings of the wave's first published (released) run, so a rerun never
    publishes another cut of the same answers (new clusters, a lower threshold) that, set
    beside the first, would give away a hidden village; the current settings until then,
    with the clusters the wave closed with (docs/methods.md)."""
    first = first_published_run(survey)
    return settings_from_json(first.settings) if first else wave_settings(survey)


def first_published_run(survey: Survey) -> AnalysisRun | None:
    """The wave's first run released to the associations: its cut of the answers is public."""
    return db.session.scalar(
        runs()
        .where(AnalysisRun.survey_id == survey.id, AnalysisRun.released_at.is_not(None))
        .order_by(AnalysisRun.released_at, AnalysisRun.id)
        .limit(1)
    )


def ensure_same_responses(survey: Survey, current: WaveInput) -> None:
    """A rerun on other records than the published figures (a response removed or
    corrected since, a village left out by other margins) would show, beside them, just
    what changed: those residents' answers. Runs published before the records hash compare
    the ids of all responses."""
    first = first_published_run(survey)
    if first is None:
        return
    if "records" in first.settings:
        same = first.settings["records"] == current.records_digest
    else:
        same = first.settings.get("responses", current.digest) == current.digest
    if not same:
        raise CannotAnalyse(
            "answers_changed",
            "the answers changed since the figures were first published; computing again "
            "would show the difference, so the published figures stay",
        )


def ensure_same_method(survey: Survey) -> None:
    """Figures first published by an earlier method (another weighting) stay: the same
    answers weighted twice, both public, could be set against each other."""
    first = first_published_run(survey)
    if first is not None and (first.output or {}).get("format") != REPORT_FORMAT:
        raise CannotAnalyse(
            "method_changed",
            "the figures were first published by an earlier method; they stay as published",
        )


def _run_settings(settings: Settings, current: WaveInput) -> dict[str, Any]:
    return {
        **settings_json(settings),
        "indicators": indicators_json(current.indicators),
        "left_out": current.left_out,
        "without_margins": current.without_margins,
        "responses": current.digest,
        "records": current.records_digest,
    }


def _previous_estimated(
    previous_run: AnalysisRun | None, indicators: Sequence[Indicator]
) -> tuple[Estimated | None, Settings | None]:
    """The previous wave, recomputed as its published run computed it (its margins and
    settings): the comparison needs its respondents, not its rounded figures."""
    if previous_run is None:
        return None, None
    margins = db.session.get(MarginImport, previous_run.margin_import_id or -1)
    settings = settings_from_json(previous_run.settings)
    try:
        previous = wave_input(previous_run.survey, margins)
    except CannotAnalyse:
        return None, None
    shared = [i for i in indicators if i.code in {p.code for p in previous.indicators}]
    try:
        wave = Wave(previous.records, previous.population)
        return analyse(wave, shared, settings), settings
    except (NoPopulation, EmptyCell):
        return None, None


# The inputs ---------------------------------------------------------------------------------


def wave_input(survey: Survey, margin_import: MarginImport | None = None) -> WaveInput:
    """The wave's respondents, margins (unless given, those it was first published with,
    else those of its reference date) and indicators."""
    indicators = survey_indicators(survey)
    if not indicators:
        raise CannotAnalyse(
            "no_indicators", "the questionnaire has no questions that feed an indicator"
        )
    codes = sorted({code for indicator in indicators for code in indicator.questions})
    weighable, left_out, digest = _weighable(survey)
    if not weighable:
        raise CannotAnalyse("no_responses", "no completed responses")
    margin_import = margin_import or wave_margins(survey)
    population = population_of(margin_import)
    records = [(response_id, record_from_row(row, codes)) for response_id, row in weighable]
    known = {village for village, _, _ in population}
    used = [(response_id, r) for response_id, r in records if r.village in known]
    return WaveInput(
        records=[record for _, record in records],
        population=population,
        indicators=indicators,
        codes=codes,
        margin_import=margin_import,
        left_out=left_out,
        without_margins=len(records) - len(used),
        digest=digest,
        records_digest=records_digest(used, codes),
    )


def records_digest(used: Sequence[tuple[Any, Record]], codes: Sequence[str]) -> str:
    """A hash of what of each record enters the figures, with its response id."""
    digest = hashlib.sha256()
    for response_id, r in used:
        answers = [r.answers[code] for code in codes]
        line = [str(response_id), r.key, r.village, r.age_band, r.sex, answers]
        digest.update(json.dumps(line, ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()


def wave_margins(survey: Survey) -> MarginImport:
    """The margins a run of the wave weighs to. Once published, those of the first
    published run: other margins (made up to weigh one small village many times over)
    would give other figures of the same answers, which set beside the published ones
    could give away a hidden village. Until then those of its reference date."""
    first = first_published_run(survey)
    if first is not None:
        frozen = db.session.get(MarginImport, first.margin_import_id or -1)
        if frozen is None:
            raise CannotAnalyse(
                "margins_gone",
                "the population margins the figures were first published with are gone",
            )
        return frozen
    current = margins_for_wave(survey)
    if current is None:
        raise CannotAnalyse("no_margins", "no population margins have been imported")
    return current


def kept_margins(survey: Survey, published: AnalysisRun | None) -> AnalysisRun | None:
    """A published run of the wave (all are weighted to the same margins), when those
    margins are no longer the ones of the wave's reference date (margins imported since):
    the page says they are kept."""
    current = margins_for_wave(survey) if published is not None else None
    return margins_kept_by(published, current.id if current else None)


def margins_kept_by(published: AnalysisRun | None, current: int | None) -> AnalysisRun | None:
    """`kept_margins`, given the id of `margins_for_wave` (`wave_margins_id`)."""
    if published is None or current is None or published.margin_import_id == current:
        return None
    return published


def survey_indicators(survey: Survey) -> list[Indicator]:
    """The defined indicators the survey's questions feed, in the order they are defined."""
    questions = _questions(survey)
    chosen = _indicators_fed_by(questions)
    agree_scale = {
        code
        for q in questions
        if q.type in (QuestionType.LIKERT, QuestionType.LIKERT_GRID)
        for code in (q.code, *(item.code for item in q.items))
    }
    for indicator in chosen:
        if set(indicator.questions) & agree_scale and not in_three_categories(indicator):
            raise CannotAnalyse(
                "partial_category",
                f"indicator {indicator.code} counts part of an agree category: agree-scale "
                "answers are reported in three categories (disagree, neutral, agree)",
            )
    return [_with_dont_know(indicator, questions) for indicator in chosen]


def _with_dont_know(indicator: Indicator, questions: Sequence[Question]) -> Indicator:
    """The indicator leaving out exactly its questions' own "don't know" answers: the agree
    scale's, and the options the definition names, when the question offers them. Never a
    code of a mark or number: a 9 on a 1-10 mark counts."""
    asked = {
        code: question
        for question in questions
        for code in (question.code, *(item.code for item in question.items))
    }
    excluded: list[str] = []
    for code in indicator.questions:
        question = asked.get(code)
        if question is None:
            continue
        offered = set(question.answer_codes()) if question.type.is_closed else set()
        own = [c for c in indicator.excluded if c in offered]
        excluded += [*question.dont_know_codes(), *own]
    return replace(indicator, excluded=tuple(dict.fromkeys(excluded)))


def feeds_indicators(survey: Survey) -> bool:
    """Whether the survey has figures to compute: a village vision's questions feed no
    indicator (a summary of its answers is the village mirror's to give)."""
    return fed_by_questionnaire(survey, db.session.scalar(newest_frozen_version(survey.id)))


def newest_frozen_version(survey_id: Any) -> Select:
    """The id of the survey's newest questionnaire version if it is frozen; None while it
    is a draft (or there is none). `survey_id` may be a column, to read it with the survey."""
    return (
        select(case((QuestionnaireVersion.frozen_at.is_not(None), QuestionnaireVersion.id)))
        .where(QuestionnaireVersion.survey_id == survey_id)
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
    )


def fed_by_questionnaire(survey: Survey, frozen_version: int | None) -> bool:
    """`feeds_indicators`, given `newest_frozen_version`. A frozen version's questions and
    indicators never change (only its texts may), so its questionnaire is read and checked
    once, not on every results page; a draft may still change."""
    if frozen_version is None:
        return bool(_indicators_fed_by(_questions(survey)))
    return cached(
        "feeds_indicators", (frozen_version,), lambda: bool(_indicators_fed_by(_questions(survey)))
    )


def _questions(survey: Survey) -> list[Question]:
    version = survey.live_version or survey.current_version
    return questionnaire_of(version).questions() if version else []


def _indicators_fed_by(questions: Sequence[Question]) -> list[Indicator]:
    fed = {q.indicator for q in questions if q.indicator}
    return [indicator for indicator in all_indicators() if indicator.code in fed]


def all_indicators() -> list[Indicator]:
    return [i for path in sorted(DEFINITIONS.glob("*.json")) for i in load_indicators(path.stem)]


def respondent_rows(survey: Survey) -> tuple[list[dict[str, Any]], int, str]:
    """The completed responses as rows of the respondents file, how many were left out, and
    a hash of all their ids."""
    weighable, left_out, digest = _weighable(survey)
    return [row for _, row in weighable], left_out, digest


def _weighable(survey: Survey) -> tuple[list[tuple[Any, dict[str, Any]]], int, str]:
    """Each completed response's id and row, how many were left out, and a hash of all
    their ids. The key is the respondent's pseudonym, never anything that identifies them.
    An anonymous response without village or age band (coarsened away, see
    `fieldwork.anonymity`) is left out; one without sex counts as of unknown sex, as the
    weighting allows."""
    rows, left_out, ids = [], 0, hashlib.sha256()
    for response_id, answers, village, age_band, sex, pseudonym in _completed(survey):
        ids.update(f"{response_id}\n".encode())
        if village is None or age_band is None:
            left_out += 1
            continue
        row = {
            **answers,
            "respondent": None if survey.anonymous else pseudonym,
            "village": village,
            "age_band": age_band,
            "sex": sex if sex in ("female", "male") else "unknown",
        }
        rows.append((response_id, row))
    return rows, left_out, ids.hexdigest()


def _completed(survey: Survey) -> Result:
    """(id, answers, village name, age band, sex, pseudonym) of each completed response."""
    if survey.anonymous:
        return db.session.execute(
            select(
                AnonymousResponse.id,
                AnonymousResponse.answers,
                Village.name,
                AnonymousResponse.age_band,
                AnonymousResponse.sex,
                null(),
            )
            .outerjoin(Village, Village.id == AnonymousResponse.village_id)
            .where(AnonymousResponse.survey_id == survey.id)
            .order_by(AnonymousResponse.id)
        )
    return db.session.execute(
        select(
            Response.id,
            Response.answers,
            Village.name,
            Response.age_band,
            Response.sex,
            Respondent.pseudonym,
        )
        .outerjoin(Village, Village.id == Response.village_id)
        .outerjoin(Respondent, Respondent.id == Response.respondent_id)
        .where(Response.survey_id == survey.id, Response.status == ResponseStatus.COMPLETED)
        .order_by(Response.id)
    )


def margins_for_wave(survey: Survey) -> MarginImport | None:
    """The margins of the wave's reference date: the latest on or before the day it
    opened; the oldest import when none is that old (better than none at all)."""
    opened = survey.opens_on or date.max
    before = db.session.scalar(
        select(MarginImport)
        .where(MarginImport.reference_date <= opened)
        .order_by(MarginImport.reference_date.desc(), MarginImport.id.desc())
        .limit(1)
    )
    return before or db.session.scalar(
        select(MarginImport).order_by(MarginImport.reference_date, MarginImport.id).limit(1)
    )


def wave_margins_id(opens_on: Any) -> ColumnElement:
    """The id of `margins_for_wave` as an expression, to read with the survey (`opens_on`:
    its column)."""
    before = (
        select(MarginImport.id)
        .where(or_(opens_on.is_(None), MarginImport.reference_date <= opens_on))
        .order_by(MarginImport.reference_date.desc(), MarginImport.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    oldest = (
        select(MarginImport.id)
        .order_by(MarginImport.reference_date, MarginImport.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(before, oldest)


def population_of(margin_import: MarginImport) -> dict[tuple[str, str, str], float]:
    rows = db.session.execute(
        select(Village.name, MarginCell.age_band, MarginCell.sex, MarginCell.count)
        .join(Village, Village.id == MarginCell.village_id)
        .where(MarginCell.import_id == margin_import.id)
    )
    return population_cells(
        {(name, band.value, sex.value): count for name, band, sex, count in rows}
    )


def wave_settings(survey: Survey | None = None) -> Settings:
    """The current settings; a closed wave's clusters as they were when it closed."""
    kept = db.session.get(ClusterSnapshot, survey.id) if survey is not None else None
    clusters = db.session.scalars(select(VillageCluster).order_by(VillageCluster.name)).all()
    current = {c.name: tuple(v.name for v in c.villages) for c in clusters}
    return Settings(
        threshold=current_app.config["DISCLOSURE_THRESHOLD"],
        clusters=kept.clusters if kept else current,
    )


def previous_published_run(survey: Survey) -> AnalysisRun | None:
    previous = previous_wave(survey)
    return published_run(previous) if previous else None


def previous_wave(survey: Survey) -> Survey | None:
    """The latest finished survey of the same kind that closed before this one opened and
    shares an indicator with it."""
    if survey.opens_on is None:
        return None
    candidates = db.session.scalars(
        select(Survey)
        .where(
            Survey.id != survey.id,
            Survey.kind == survey.kind,
            Survey.status.in_(FINISHED),
            Survey.closes_on < survey.opens_on,
        )
        .order_by(Survey.closes_on.desc(), Survey.id.desc())
    )
    codes = {i.code for i in survey_indicators(survey)}
    return next((s for s in candidates if codes & {i.code for i in survey_indicators(s)}), None)


# Storing ------------------------------------------------------------------------------------


def store_figures(run: AnalysisRun, output: dict[str, Any]) -> None:
    villages = dict(db.session.execute(select(Village.name, Village.id)).tuples().all())
    for figure in output["figures"]:
        kind = AreaKind(figure["area_kind"])
        run.figures.append(
            ResultFigure(
                area_kind=kind,
                area=figure["area"],
                village_id=villages.get(figure["area"]) if kind is AreaKind.VILLAGE else None,
                subgroup=figure["subgroup"],
                indicator=figure["indicator"],
                status=figure["status"],
                n=figure["n"],
                value=figure["value"],
                low=figure["low"],
                high=figure["high"],
                indicative=figure["indicative"],
                shown_in_cluster=figure["shown_in_cluster"],
                versus_rest=figure["versus_rest"],
                change=figure["change"],
                dont_know=figure.get("dont_know"),
            )
        )
    db.session.flush()


# Reading ------------------------------------------------------------------------------------


def runs():
    """A select of runs without their output: the whole published document with every
    figure, parsed from JSON on each row read (~2 ms), while a page needs it for one run
    at most, and once (`results.tables.page_output`). Read on first use."""
    return select(AnalysisRun).options(defer(AnalysisRun.output))


def latest_run(survey: Survey) -> AnalysisRun | None:
    """The newest run of the survey, whatever its outcome."""
    return db.session.scalar(
        runs()
        .where(AnalysisRun.survey_id == survey.id)
        .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    )


def published_run(survey: Survey) -> AnalysisRun | None:
    """The newest run released to the associations: the one they see."""
    return db.session.scalar(
        runs()
        .where(AnalysisRun.survey_id == survey.id, AnalysisRun.released_at.is_not(None))
        .order_by(AnalysisRun.released_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    )


def computed_run(survey: Survey) -> AnalysisRun | None:
    """The newest run that succeeded, released or not: the one officials see."""
    return db.session.scalar(
        runs()
        .where(AnalysisRun.survey_id == survey.id, AnalysisRun.status == RunStatus.SUCCEEDED)
        .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class WaveRuns:
    """The runs of a wave the results page shows, as `latest_run`, `published_run`,
    `computed_run` and `first_published_run` choose them."""

    latest: AnalysisRun | None
    published: AnalysisRun | None
    computed: AnalysisRun | None
    first_published: AnalysisRun | None


def wave_runs_of(rows: Iterable[AnalysisRun]) -> WaveRuns:
    """The runs the results page shows, chosen from a wave's runs read at once (a wave has a
    handful: one per computation) as the four queries above choose them (a released run
    only: `published` and `first_published` of those)."""
    rows = list(rows)
    released = [run for run in rows if run.released_at is not None]
    succeeded = [run for run in rows if run.status is RunStatus.SUCCEEDED]
    return WaveRuns(
        latest=max(rows, key=lambda run: (run.created_at, run.id), default=None),
        published=max(released, key=lambda run: (run.released_at, run.id), default=None),
        # A run that succeeded has finished; should one lack the moment, it sorts last, as
        # NULL does in SQLite's descending order.
        computed=max(succeeded, key=_finished_then_id, default=None),
        first_published=min(released, key=lambda run: (run.released_at, run.id), default=None),
    )


def _finished_then_id(run: AnalysisRun) -> tuple:
    return (run.finished_at is not None, run.finished_at or date.min, run.id)


def figures_of(run: AnalysisRun, village_ids: frozenset[int] | None = None) -> list[ResultFigure]:
    """The run's figures; for an association (`village_ids`), only those of its own
    villages and the municipality as a whole (clusters of its villages too), chosen in
    the database."""
    if village_ids is None:
        return list(run.figures)
    own = select(Village.name).where(Village.id.in_(village_ids))
    own_clusters = select(ResultFigure.shown_in_cluster).where(
        ResultFigure.run_id == run.id,
        ResultFigure.area.in_(own),
        ResultFigure.shown_in_cluster.is_not(None),
    )
    return list(
        db.session.scalars(
            select(ResultFigure)
            .where(
                ResultFigure.run_id == run.id,
                or_(
                    ResultFigure.area_kind == AreaKind.MUNICIPALITY,
                    (ResultFigure.area_kind == AreaKind.VILLAGE)
                    & ResultFigure.village_id.in_(village_ids),
                    (ResultFigure.area_kind == AreaKind.CLUSTER)
                    & ResultFigure.area.in_(own_clusters),
                ),
            )
            .order_by(ResultFigure.id)
        )
    )


def finished_surveys() -> list[tuple[Survey, bool, bool]]:
    """Each closed survey, whether it has published (released) figures and whether it has
    computed ones (released or not); newest waves first."""
    runs = db.session.execute(
        select(AnalysisRun.survey_id, AnalysisRun.released_at).where(
            AnalysisRun.status == RunStatus.SUCCEEDED
        )
    ).all()
    published = {survey_id for survey_id, released_at in runs if released_at is not None}
    computed = {survey_id for survey_id, _ in runs}
    surveys = db.session.scalars(select(Survey).where(Survey.status.in_(FINISHED)))
    return sorted(
        ((survey, survey.id in published, survey.id in computed) for survey in surveys),
        key=lambda row: (row[0].opens_on or row[0].created_at.date(), row[0].id),
        reverse=True,
    )


def published_document(run: AnalysisRun, village_ids: frozenset[int] | None) -> dict[str, Any]:
    """The run's published document; for an association, only the figures it may see (and
    no weighting details of other villages)."""
    if village_ids is None:
        return {**run.output, "left_out": left_out(run)}
    visible = figures_of(run, village_ids)
    shown = {(f.area_kind.value, f.area, f.subgroup, f.indicator) for f in visible}
    own = {f.area for f in visible if f.area_kind is AreaKind.VILLAGE}
    weighting = dict(run.output["weighting"])
    weighting["villages"] = [v for v in weighting["villages"] if v["village"] in own]
    for listed in ("collapsed", "without_respondents"):
        weighting[listed] = [village for village in weighting[listed] if village in own]
    # Which villages are weighted together says each had fewer than `min_stratum`.
    pools = weighting.get("pooled", [])
    weighting["pooled"] = [[v for v in pool if v in own] for pool in pools if own & set(pool)]
    weighting.pop("without_margins", None)  # an exact count, for officials
    return {
        **run.output,
        "left_out": about(left_out(run)),
        "weighting": weighting,
        "figures": [
            f
            for f in run.output["figures"]
            if (f["area_kind"], f["area"], f["subgroup"], f["indicator"]) in shown
        ],
    }


def left_out(run: AnalysisRun) -> int:
    """Completed responses the run could not weigh: without village or age band, or of a
    village the margins do not hold. Never left out silently: the page and the document
    say how many."""
    settings = run.settings or {}
    without_margins = settings.get("without_margins")
    if without_margins is None:  # runs from before it was stored
        without_margins = (run.output or {}).get("weighting", {}).get("without_margins", 0)
    return settings.get("left_out", 0) + without_margins


def about(count: int) -> int:
    """A count for the associations, rounded to 5 like every count they see (rule 4); a
    few (1 to 7) read as 5, so that some are never rounded to none."""
    return max(rounded_count(count), 5) if count else 0
