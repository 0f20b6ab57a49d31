"""A wave's anonymised microdata: one row per completed response, for the research desk.

What a row holds, and what it never holds: village, age band and sex exactly as stored with
the response (for an anonymous wave: coarsened, empty where fewer than k shared them, see
`fieldwork.anonymity`; nothing is looked up in the member's record, so nothing finer can
leave), channel (for an anonymous wave only where k responses share it with the cell),
the weight and the answers. No contact data and no pseudonym: the query
never joins the members or their respondents. The response id is replaced by a number from
a random order made for each export, and rows come in that order, so two exports cannot be
joined by id or by row.

Rows are read in two passes, neither holding the answers of the whole wave: the first
streams (`yield_per`) the few fields the weights need; the second reads the answers in
chunks, in the export's random order.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from analysis.scheme import NoPopulation, Respondent, calibrated_weights
from analysis.weighting import EmptyCell
from core.db import db
from exports.variables import Variable, answer_variables
from fieldwork.answering import questionnaire_of
from fieldwork.models import AnonymousResponse, Response, ResponseStatus
from population.models import MarginImport
from results import services as results
from results.files import settings_from_json
from results.models import AnalysisRun
from surveys.definition import Questionnaire
from surveys.models import Survey
from villages.models import Village

log = logging.getLogger(__name__)

#: Responses read at a time.
CHUNK = 1000


@dataclass(frozen=True)
class WeightSource:
    """The run whose weights the export carries, and why a row may have none."""

    run: AnalysisRun | None
    #: "" when the weights are those of the run; else why the weight column stays empty:
    #: no_run, unweighted, responses_changed, margins_gone, margins.
    problem: str = ""


def weight_source(survey: Survey) -> WeightSource:
    """The published run, else the newest computed one (officials see that one too)."""
    run = results.published_run(survey) or results.computed_run(survey)
    if run is None:
        return WeightSource(None, "no_run")
    if run.reference_date is None or "scheme" not in (run.settings or {}):
        return WeightSource(run, "unweighted")
    return WeightSource(run)


def checked_weight_source(survey: Survey) -> WeightSource:
    """`weight_source`, also saying when the run's weights cannot be given any more (what
    the pages show before a download: the download itself finds the same)."""
    source = weight_source(survey)
    if source.problem:
        return source
    model, where = _source(survey)
    digest = hashlib.sha256()
    ids = db.session.scalars(
        select(model.id).where(*where).order_by(model.id).execution_options(yield_per=CHUNK)
    )
    for response_id in ids:
        digest.update(f"{response_id}\n".encode())
    if source.run.settings.get("responses", digest.hexdigest()) != digest.hexdigest():
        return WeightSource(source.run, "responses_changed")
    if db.session.get(MarginImport, source.run.margin_import_id or -1) is None:
        return WeightSource(source.run, "margins_gone")
    return source


def questionnaire(survey: Survey) -> Questionnaire | None:
    version = survey.live_version or survey.current_version
    return questionnaire_of(version) if version else None


def variables(survey: Survey, language: str) -> list[Variable]:
    """Every column of the export: the respondent's own, then the answers."""
    from flask_babel import gettext as _

    own = [
        Variable(
            "respondent_id",
            _("Random number of this export (not the same in another)"),
            True,
            lambda row: None,
        ),
        Variable("village", _("Village"), False, lambda row: None),
        Variable("age_band", _("Age band"), False, lambda row: None),
        Variable("sex", _("Sex"), False, lambda row: None),
        Variable("weight", _("Weight"), True, lambda row: None),
        Variable("channel", _("Channel (web or paper)"), False, lambda row: None),
    ]
    shape = questionnaire(survey)
    return own + (answer_variables(shape, language) if shape else [])


def count(survey: Survey) -> int:
    """Completed responses: the rows of the export."""
    model, where = _source(survey)
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _source(survey: Survey):
    if survey.anonymous:
        return AnonymousResponse, (AnonymousResponse.survey_id == survey.id,)
    return Response, (Response.survey_id == survey.id, Response.status == ResponseStatus.COMPLETED)


@dataclass
class Plan:
    """What the second pass needs: the ids in the export's order, their weights."""

    order: list[str]
    weights: dict[str, float]
    source: WeightSource
    #: Anonymous waves: responses whose channel is left empty (see `_rare_channels`).
    no_channel: frozenset[str] = frozenset()


def plan(survey: Survey) -> Plan:
    """First pass: ids and the cells the weights need, streamed; the weights of the run."""
    model, where = _source(survey)
    rows = db.session.execute(
        select(model.id, Village.name, model.age_band, model.sex, model.channel)
        .outerjoin(Village, Village.id == model.village_id)
        .where(*where)
        .order_by(model.id)
        .execution_options(yield_per=CHUNK)
    )
    ids, cells, channels, digest = [], [], [], hashlib.sha256()
    for response_id, village, age_band, sex, channel in rows:
        ids.append(response_id)
        digest.update(f"{response_id}\n".encode())
        cells.append((response_id, village, age_band, sex))
        channels.append(channel)
    source = weight_source(survey)
    weights: dict[str, float] = {}
    if not source.problem:
        source, weights = _weights(source, cells, digest.hexdigest())
    order = ids[:]
    secrets.SystemRandom().shuffle(order)
    hidden = _rare_channels(cells, channels) if survey.anonymous else frozenset()
    return Plan(order, weights, source, hidden)


def _rare_channels(cells, channels) -> frozenset[str]:
    """An anonymous wave's village, age band and sex are stored only as far as k
    participants share them; the channel would split such a cell again (the few who
    answered on paper are known by name to the volunteers and in the panel). So the
    channel is given only where at least k responses share the cell and the channel."""
    k = current_app.config["DISCLOSURE_THRESHOLD"]
    counts = Counter((*cell[1:], channel) for cell, channel in zip(cells, channels, strict=True))
    return frozenset(
        cell[0]
        for cell, channel in zip(cells, channels, strict=True)
        if counts[(*cell[1:], channel)] < k
    )


def _weights(
    source: WeightSource, cells: Sequence[tuple[str, str | None, str | None, str | None]], ids: str
) -> tuple[WeightSource, dict[str, float]]:
    """The run's weights, recomputed as the run computed them: its margins, scheme and
    clusters, on the same responses (else none: they would not be the run's)."""
    run = source.run
    if run.settings.get("responses", ids) != ids:
        return WeightSource(run, "responses_changed"), {}
    margins = db.session.get(MarginImport, run.margin_import_id or -1)
    if margins is None:
        return WeightSource(run, "margins_gone"), {}
    population = results.population_of(margins)
    known = {village for village, _, _ in population}
    used = [c for c in cells if c[1] in known and c[2] is not None]
    settings = settings_from_json(run.settings)
    respondents = [
        Respondent(village, band, sex if sex in ("female", "male") else "unknown")
        for _, village, band, sex in used
    ]
    try:
        weights = calibrated_weights(respondents, population, settings.scheme, settings.clusters)
    except (NoPopulation, EmptyCell) as error:
        log.warning("Weights of run %s not recomputed: %s", run.id, error)
        return WeightSource(run, "margins"), {}
    return source, {c[0]: float(w) for c, w in zip(used, weights, strict=True)}


def rows(survey: Survey, layout: Sequence[Variable], made: Plan) -> Iterator[list[Any]]:
    """Second pass: every row of the export, in its random order, read in chunks."""
    model, _where = _source(survey)
    answers_of = [v.value for v in layout[6:]]
    for start in range(0, len(made.order), CHUNK):
        chunk = made.order[start : start + CHUNK]
        found = {
            row[0]: row
            for row in db.session.execute(
                select(
                    model.id, model.answers, Village.name, model.age_band, model.sex, model.channel
                )
                .outerjoin(Village, Village.id == model.village_id)
                .where(model.id.in_(chunk))
            )
        }
        for number, response_id in enumerate(chunk, start + 1):
            if response_id not in found:  # deleted since the first pass
                continue
            _id, answers, village, band, sex, channel = found[response_id]
            weight = made.weights.get(response_id)
            yield [
                number,
                village or "",
                band or "",
                sex or "",
                round(weight, 6) if weight is not None else None,
                "" if response_id in made.no_channel else channel.value,
                *(value(answers or {}) for value in answers_of),
            ]
        db.session.expire_all()
