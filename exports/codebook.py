"""The codebook of a wave, generated from its questionnaire version: each question's text,
code, type and routing, its variables with their labels and codes, the missing-value
codes, and the definitions of the indicators the questions feed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template

from analysis.indicators import Indicator
from exports import microdata
from exports.variables import NOT_ANSWERED, NOT_ASKED, Variable, missing_labels
from results import services as results
from results.services import CannotAnalyse
from surveys.answer_form import text_in
from surveys.messages import describe_condition
from surveys.models import Survey


@dataclass(frozen=True)
class Entry:
    code: str
    type: str
    text: str
    routing: str
    indicator: str
    variables: list[Variable]


def codebook(survey: Survey, language: str) -> dict[str, Any]:
    """Everything the codebook page and PDF show."""
    layout = microdata.variables(survey, language)
    shape = microdata.questionnaire(survey)
    entries = []
    if shape is not None:
        for page in shape.pages:
            for question in page.questions:
                routing = " ; ".join(
                    describe_condition(c) for c in (page.condition, question.condition) if c
                )
                entries.append(
                    Entry(
                        question.code,
                        question.type.value,
                        text_in(question.text, language),
                        routing,
                        question.indicator or "",
                        [v for v in layout if v.question == question.code],
                    )
                )
    version = survey.live_version or survey.current_version
    return {
        "survey": survey,
        "version": version.number if version else None,
        "own": layout[:6],
        "entries": entries,
        "indicators": [_indicator(i, language) for i in _indicators(survey)],
        "missing": {
            NOT_ASKED: missing_labels()[NOT_ASKED],
            NOT_ANSWERED: missing_labels()[NOT_ANSWERED],
        },
        "source": microdata.checked_weight_source(survey),
    }


def _indicators(survey: Survey) -> list[Indicator]:
    try:
        return results.survey_indicators(survey)
    except CannotAnalyse:
        return []


def _indicator(indicator: Indicator, language: str) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "kind": indicator.kind.value,
        "label": text_in(dict(indicator.label), language),
        "questions": list(indicator.questions),
        "categories": list(indicator.categories),
        "excluded": list(indicator.excluded),
        "min_items": indicator.min_items,
    }


def html(survey: Survey, language: str, printed: bool = False) -> str:
    name = "exports/codebook_print.html" if printed else "exports/codebook.html"
    return render_template(name, **codebook(survey, language))
