"""`flask --app app analysis`: run a wave's analysis, export its inputs, and compute the
same figures from files (docs/methods.md)."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

import click
from flask.cli import AppGroup

from analysis.pipeline import Wave, analyse
from analysis.report import report
from analysis.scheme import NoPopulation
from analysis.weighting import EmptyCell
from audit.services import record
from core.db import db
from results import services
from results.files import (
    BadFile,
    indicators_json,
    read_indicators,
    read_margins,
    read_respondents,
    read_settings,
    settings_json,
    write_margins,
    write_respondents,
)
from surveys.models import Survey

analysis_cli = AppGroup("analysis", help="Weighting, estimates and disclosure control.")


def _survey(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"No survey {survey_id}.")
    return survey


@analysis_cli.command("run")
@click.argument("survey_id", type=int)
def run(survey_id: int) -> None:
    """Recompute the figures of survey SURVEY_ID now (officials see the new run at once;
    the associations once an official has published it on the results page)."""
    survey = _survey(survey_id)
    try:
        services.ensure_finished(survey)
    except services.CannotAnalyse as error:
        raise click.ClickException(str(error)) from error
    analysis_run = services.run_now(survey)
    record("analysis.run_from_cli", survey, run=analysis_run.id)
    db.session.commit()
    if analysis_run.error:
        raise click.ClickException(f"Run {analysis_run.id} failed: {analysis_run.error}")
    shown = sum(1 for figure in analysis_run.figures if figure.published)
    click.echo(
        f"Run {analysis_run.id}: {len(analysis_run.figures)} figures, {shown} above the "
        "disclosure threshold. Officials see them now; the associations once an official "
        "has published them on the results page."
    )


@analysis_cli.command("export")
@click.argument("survey_id", type=int)
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path), required=True)
def export(survey_id: int, folder: Path) -> None:
    """Write the inputs of survey SURVEY_ID's analysis for `analysis compute` (pseudonymous
    personal data: the export is audit-logged)."""
    survey = _survey(survey_id)
    try:
        services.ensure_finished(survey)
        wave = services.wave_input(survey)
    except services.CannotAnalyse as error:
        raise click.ClickException(str(error)) from error
    record(
        "analysis.inputs_exported",
        survey,
        respondents=len(wave.records),
        by=getpass.getuser(),
        folder=str(folder.resolve()),
    )
    db.session.commit()  # the record first: an export that fails halfway is logged too
    settings = settings_json(services.settings_for(survey))
    files = {
        "responses.csv": write_respondents(wave.records, wave.codes),
        "margins.csv": write_margins(wave.population),
        "indicators.json": json.dumps(indicators_json(wave.indicators), ensure_ascii=False),
        "scheme.json": json.dumps(settings, ensure_ascii=False, indent=1),
    }
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, text in files.items():
        _write_private(folder / name, text)
    click.echo(f"Wrote the inputs of {len(wave.records)} respondents to {folder}.")


def _write_private(path: Path, text: str) -> None:
    """Pseudonymous personal data: readable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)


@analysis_cli.command("compute")
@click.option("--responses", type=click.File("r", encoding="utf-8-sig"), required=True)
@click.option("--margins", type=click.File("rb"), required=True)
@click.option("--indicators", type=click.File("r", encoding="utf-8"), required=True)
@click.option("--scheme", type=click.File("r", encoding="utf-8"), help="Settings (JSON).")
@click.option("--previous-responses", type=click.File("r", encoding="utf-8-sig"))
@click.option("--previous-margins", type=click.File("rb"))
@click.option("--previous-scheme", type=click.File("r", encoding="utf-8"))
@click.option("--out", type=click.File("w", encoding="utf-8"), required=True)
def compute(
    responses,
    margins,
    indicators,
    scheme,
    previous_responses,
    previous_margins,
    previous_scheme,
    out,
):
    """The whole pipeline on files: the same figures the app publishes."""
    try:
        defined = read_indicators(indicators.read())
        codes = sorted({code for indicator in defined for code in indicator.questions})
        settings = read_settings(scheme.read() if scheme else None)
        before_settings = read_settings(previous_scheme.read()) if previous_scheme else settings
        population = read_margins(margins.read())
        current = Wave(read_respondents(responses.read(), codes), population)
        previous = None
        if previous_responses is not None:
            previous = Wave(
                read_respondents(previous_responses.read(), codes),
                read_margins(previous_margins.read()) if previous_margins else population,
            )
        estimated = analyse(current, defined, settings)
        before = analyse(previous, defined, before_settings) if previous else None
    except (BadFile, NoPopulation, EmptyCell) as error:
        raise click.ClickException(str(error)) from error
    document = report(estimated, defined, settings, before, before_settings)
    json.dump(document, out, ensure_ascii=False, indent=1)
    click.echo(f"Wrote the figures of {len(current.records)} respondents.", err=True)
