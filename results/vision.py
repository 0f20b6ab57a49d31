"""The results of a village-vision survey (one village, questions that feed no indicator):
the distribution of every closed question, the priorities in order and the curated quotes.

Computed in the same background run as a wave's figures (`results.services.run_analysis`
hands a village vision to `run_village_vision`), stored as the run's output in its own
format, and so reviewed, released and read like any run. Only what passed disclosure
control is stored (analysis.vision): pages and downloads read it and never recompute.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app

from analysis.disclosure import DEFAULT_DOMINANCE, rounded_count
from analysis.vision import FORMAT, Question, Weighting, distribution, priorities, rake
from analysis.vision import unweighted as unweighted_weighting
from core.db import db, utcnow
from fieldwork.answering import questionnaire_of
from population.models import MarginImport
from results import services
from results.models import AnalysisRun
from results.tables import page_output
from surveys.answer_form import text_in
from surveys.definition import Question as Asked
from surveys.definition import QuestionType
from surveys.models import Survey, SurveyKind

log = logging.getLogger(__name__)

#: The agree scale in three categories and "don't know", as the liveability figures.
AGREE_CATEGORIES = {"1": "disagree", "2": "disagree", "3": "neutral", "4": "agree", "5": "agree"}
AGREE_CATEGORIES["9"] = "dont_know"
AGREE_ORDER = ("disagree", "neutral", "agree", "dont_know")
DISTRIBUTED = (
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.LIKERT,
    QuestionType.LIKERT_GRID,
)


def is_village_vision(survey: Survey) -> bool:
    return survey.kind is SurveyKind.VILLAGE_VISION


def has_figures(survey: Survey) -> bool:
    """Whether the survey gets computed results: a liveability wave or a village vision."""
    return is_village_vision(survey) or services.feeds_indicators(survey)


def has_figures_given(survey: Survey, frozen_version: int | None) -> bool:
    """`has_figures`, given the survey's `services.newest_frozen_version` read already."""
    return is_village_vision(survey) or services.fed_by_questionnaire(survey, frozen_version)


def kept_margins(survey: Survey, published: AnalysisRun | None) -> AnalysisRun | None:
    """As `services.kept_margins`; a village vision published unweighted keeps no margins."""
    if published is not None and published.margin_import_id is None:
        return None
    return services.kept_margins(survey, published)


def margins_kept_by(published: AnalysisRun | None, current: int | None) -> AnalysisRun | None:
    """`kept_margins`, given the id of the wave's margins now (`services.wave_margins_id`)."""
    if published is not None and published.margin_import_id is None:
        return None
    return services.margins_kept_by(published, current)


def is_vision_run(run: AnalysisRun | None) -> bool:
    return run is not None and page_output(run).get("format") == FORMAT


# Computing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisionInput:
    rows: list[dict[str, Any]]
    weighting: Weighting
    margin_import: MarginImport | None
    #: Why the figures are unweighted (None: weighted).
    unweighted: str | None
    left_out: int
    without_margins: int
    responses: str


def run_village_vision(run: AnalysisRun) -> AnalysisRun:
    """Compute and store the village vision's results, or record why not. Flushes only."""
    survey = run.survey
    try:
        services.ensure_finished(survey)
        first = services.first_published_run(survey)
        if first is not None and (first.output or {}).get("format") != FORMAT:
            raise services.CannotAnalyse("method_changed", "first published by another method")
        current = vision_input(survey, first)
        digest = rows_digest(current.rows)
        if first is not None and first.settings.get("records") != digest:
            raise services.CannotAnalyse("answers_changed", "the answers changed since release")
        threshold = (first.settings if first else {}).get("threshold") or current_app.config[
            "DISCLOSURE_THRESHOLD"
        ]
        output = vision_output(survey, current, threshold)
    except services.CannotAnalyse as error:
        run.fail(str(error), utcnow())
        run.settings = {"failure": error.reason}
        log.warning("Village-vision run %s of survey %s failed: %s", run.id, survey.id, error)
        return run
    margins = current.margin_import if current.unweighted is None else None
    run.margin_import_id = margins.id if margins else None
    run.reference_date = margins.reference_date if margins else None
    run.settings = {
        "threshold": threshold,
        "dominance": DEFAULT_DOMINANCE,
        "records": digest,
        "responses": current.responses,
        "left_out": current.left_out,
        "without_margins": current.without_margins,
    }
    run.succeed(output, utcnow())
    db.session.flush()
    log.info("Village-vision run %s of survey %s: %s answers", run.id, survey.id, len(current.rows))
    return run


def vision_input(survey: Survey, first: AnalysisRun | None) -> VisionInput:
    """The completed responses and their weights: to the village's age × sex margins of
    the wave's reference date (once published, those it was first published with), else
    none."""
    rows, left_out, responses = services.respondent_rows(survey)
    if not rows:
        raise services.CannotAnalyse("no_responses", "no completed responses")
    margins = _margins(survey, first)
    population = _village_population(survey, margins)
    if not population:
        reason = "no_margins" if margins is None else "village_not_in_margins"
        weighting = unweighted_weighting(len(rows))
        return VisionInput(rows, weighting, margins, reason, left_out, 0, responses)
    bands = {band for band, _ in population}
    used = [row for row in rows if row["age_band"] in bands]
    if not used:
        raise services.CannotAnalyse("margins", "no respondent's age group is in the margins")
    weighting = rake([(row["age_band"], row["sex"]) for row in used], population)
    if not weighting.converged:
        raise services.CannotAnalyse("margins", "the weights do not meet the village margins")
    without = len(rows) - len(used)
    return VisionInput(used, weighting, margins, None, left_out, without, responses)


def _margins(survey: Survey, first: AnalysisRun | None) -> MarginImport | None:
    """Those the figures were first published with (None: unweighted), else those of the
    wave's reference date: published figures are never weighted otherwise."""
    if first is None:
        return services.margins_for_wave(survey)
    if first.margin_import_id is None:
        return None
    frozen = db.session.get(MarginImport, first.margin_import_id)
    if frozen is None:
        raise services.CannotAnalyse("margins_gone", "the margins first published are gone")
    return frozen


def _village_population(
    survey: Survey, margins: MarginImport | None
) -> dict[tuple[str, str], float]:
    """(age band, sex) → people of the survey's one village; empty without margins."""
    if margins is None or len(survey.villages) != 1:
        return {}
    name = survey.villages[0].name
    cells = services.population_of(margins)
    return {(band, sex): count for (village, band, sex), count in cells.items() if village == name}


def rows_digest(rows: Sequence[dict[str, Any]]) -> str:
    """A hash of what enters the figures, to tell when the answers changed."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()


def vision_output(survey: Survey, current: VisionInput, threshold: int) -> dict[str, Any]:
    """The stored document: only what passed disclosure control, with the texts to show."""
    asked = _questions(survey)
    weighting, rows = current.weighting, current.rows
    return {
        "format": FORMAT,
        "village": survey.villages[0].name if len(survey.villages) == 1 else None,
        "threshold": threshold,
        "n": rounded_count(len(rows)),
        "weighting": _weighting_json(current),
        "questions": [
            _distribution_json(question, rows, weighting, threshold)
            for question in asked
            if question.type in DISTRIBUTED
        ],
        "priorities": [
            _priorities_json(question, rows, weighting, threshold)
            for question in asked
            if question.type is QuestionType.RANKING
        ],
    }


def _questions(survey: Survey) -> list[Asked]:
    version = survey.live_version or survey.current_version
    return questionnaire_of(version).questions() if version else []


def _weighting_json(current: VisionInput) -> dict[str, Any]:
    weighting = current.weighting
    if current.unweighted is not None:
        return {"weighted": False, "reason": current.unweighted}
    return {
        "weighted": True,
        "merged_age_groups": [" + ".join(group) for group in weighting.merged_age_groups],
        "by_sex": weighting.by_sex,
        "effective_n": rounded_count(round(weighting.effective_n)),
        "weighting_effect": round(weighting.weighting_effect, 2),
    }


def _distribution_json(
    question: Asked, rows: Sequence[dict[str, Any]], weighting: Weighting, threshold: int
) -> dict[str, Any]:
    items = question.items if question.type is QuestionType.LIKERT_GRID else ()
    codes = [item.code for item in items] or [question.code]
    categories, labels = _categories(question)
    analysed = Question(
        question.code,
        {code: [_chosen(question, row.get(code)) for row in rows] for code in codes},
        categories,
        exclusive=question.type is not QuestionType.MULTIPLE,
    )
    result = distribution(analysed, weighting, threshold)
    texts = {item.code: item.text for item in items}
    for row in result["rows"]:
        row["text"] = texts.get(row["code"])
        for category in row["categories"]:
            category["label"] = labels.get(category["code"])
    return {"code": question.code, "type": question.type.value, "text": question.text, **result}


def _categories(question: Asked) -> tuple[list[str], dict[str, dict[str, str] | None]]:
    """The categories and their option labels (None: the agree scale's, said by the page)."""
    if question.type in (QuestionType.LIKERT, QuestionType.LIKERT_GRID):
        return list(AGREE_ORDER), dict.fromkeys(AGREE_ORDER)
    labels: dict[str, dict[str, str] | None] = {o.code: o.label for o in question.options}
    if question.other:
        labels["other"] = None
    return list(labels), labels


def _chosen(question: Asked, answer: Any) -> list[str]:
    """The categories of one answer; none when unanswered."""
    if question.type in (QuestionType.LIKERT, QuestionType.LIKERT_GRID):
        return [AGREE_CATEGORIES[answer]] if answer in AGREE_CATEGORIES else []
    offered = set(question.answer_codes())
    chosen = answer if isinstance(answer, list) else [answer]
    return [str(code) for code in chosen if str(code) in offered]


def _priorities_json(
    question: Asked, rows: Sequence[dict[str, Any]], weighting: Weighting, threshold: int
) -> dict[str, Any]:
    options = [option.code for option in question.options]
    rankings = [row.get(question.code) or [] for row in rows]
    rankings = [ranking if isinstance(ranking, list) else [] for ranking in rankings]
    result = priorities(rankings, options, weighting, threshold)
    labels = {option.code: option.label for option in question.options}
    for row in result["ranked"]:
        row["label"] = labels[row["code"]]
    for listed in ("few", "hidden"):
        result[listed] = [{"code": code, "label": labels[code]} for code in result[listed]]
    places = question.rank_count or len(options)
    return {"code": question.code, "text": question.text, "places": places, **result}


# Reading ------------------------------------------------------------------------------------


def document(run: AnalysisRun, village_ids: frozenset[int] | None) -> dict[str, Any]:
    """The run's document to download: the association of the village sees it in full, but
    counts of left-out responses rounded like every count it sees."""
    left_out = services.left_out(run)
    return {**run.output, "left_out": left_out if village_ids is None else services.about(left_out)}


def page(run: AnalysisRun, language: str) -> dict[str, Any]:
    """The run's output with every text in the reader's language, for the template."""
    output = page_output(run)

    def said(text: dict[str, str] | None) -> str | None:
        return text_in(text, language) if text else None

    questions = [
        {
            **question,
            "text": said(question["text"]),
            "rows": [
                {
                    **row,
                    "text": said(row.get("text")),
                    "categories": [
                        {**category, "label": said(category.get("label"))}
                        for category in row["categories"]
                    ],
                }
                for row in question["rows"]
            ],
        }
        for question in output.get("questions", [])
    ]
    ranked = [
        {
            **block,
            "text": said(block["text"]),
            "ranked": [{**row, "label": said(row["label"])} for row in block["ranked"]],
            "few": [said(row["label"]) for row in block["few"]],
            "hidden": [said(row["label"]) for row in block.get("hidden", [])],
        }
        for block in output.get("priorities", [])
    ]
    return {**output, "questions": questions, "priorities": ranked}
