"""What the results page of a wave shows, read in as few statements as the page allows: the
survey with its runs and the facts the page's notes rest on in one, the published quotes
and (for officials' notes on kept clusters) the current clusters only when they are shown.

Nothing here is kept between requests but what never changes for its key (the rendered
figures per run, whether a frozen questionnaire feeds indicators): a quote published, a
run released, a cluster made or margins imported show at the next request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from markupsafe import Markup
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import defer, joinedload

from core.db import db
from results import clusters, services, vision
from results.models import AnalysisRun
from results.quotes import published_texts
from results.services import WaveRuns
from results.tables import rendered_figures
from surveys.models import Survey


@dataclass(frozen=True)
class Wave:
    """The survey and the runs its reader may see: officials all, an association the
    released ones only (so `latest`, `computed` and `first_published` are None for it)."""

    survey: Survey
    runs: WaveRuns
    #: The survey's newest questionnaire version when it is frozen, else None.
    frozen_version: int | None
    #: The margins of the wave's reference date as imported now (officials only).
    margins: int | None


def wave(survey_id: int, official: bool) -> Wave | None:
    """The survey (None: not found) with its runs, in one statement: for officials with the
    survey each run's changes are measured against, for an association with the survey's
    villages (which it may see) and only the runs released to it."""
    rows = db.session.execute(_wave_statement(official), {"survey_id": survey_id}).unique().all()
    if not rows:
        return None
    survey, _, frozen_version, *margins = rows[0]
    runs = services.wave_runs_of([row[1] for row in rows if row[1] is not None])
    if not official:
        runs = WaveRuns(latest=None, published=runs.published, computed=None, first_published=None)
    return Wave(survey, runs, frozen_version, margins[0] if margins else None)


@cache
def _wave_statement(official: bool) -> Select:
    """Built once: building this statement costs more than running it."""
    shown = AnalysisRun.survey_id == Survey.id
    if not official:
        shown &= AnalysisRun.released_at.is_not(None)
    facts = [services.newest_frozen_version(Survey.id).scalar_subquery()]
    if official:
        facts.append(services.wave_margins_id(Survey.opens_on))
    statement = (
        select(Survey, AnalysisRun, *facts)
        .outerjoin(AnalysisRun, shown)
        .where(Survey.id == bindparam("survey_id"))
        .options(defer(AnalysisRun.output))
    )
    if official:
        return statement.options(joinedload(AnalysisRun.previous_survey))
    return statement.options(joinedload(Survey.villages))


def context(wave: Wave, villages: frozenset[int] | None, language: str) -> dict[str, Any]:
    """What templates/results/show.html shows of the wave, for officials (`villages`
    None: the newest figures, released or not) or an association (the released ones)."""
    survey, runs, is_official = wave.survey, wave.runs, villages is None
    published = runs.published
    run = runs.computed if is_official else published
    village_vision = vision.page(run, language) if vision.is_vision_run(run) else None
    return {
        "survey": survey,
        "run": run,
        "published": published,
        "latest": runs.latest,
        "figures": _figures(run, villages, language) if village_vision is None else "",
        "vision": village_vision,
        "quotes": published_texts(survey.id) if run else [],
        "is_official": is_official,
        "finished": survey.status in services.FINISHED,
        "has_figures": vision.has_figures_given(survey, wave.frozen_version),
        "kept_clusters": (
            clusters.clusters_kept_by(runs.first_published)
            if run and not village_vision and is_official
            else None
        ),
        "kept_margins": (
            vision.margins_kept_by(published, wave.margins) if run and is_official else None
        ),
        "left_out": _left_out(run, is_official) if village_vision else 0,
    }


def _figures(run: AnalysisRun | None, villages: frozenset[int] | None, language: str) -> Markup:
    return rendered_figures(run, villages, language) if run else Markup("")


def _left_out(run: AnalysisRun, is_official: bool) -> int:
    """Responses the run could not weigh: exact for officials, rounded for associations."""
    count = services.left_out(run)
    return count if is_official else services.about(count)
