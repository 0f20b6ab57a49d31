"""The attack of issue 16, through the pages an official uses: margins made up to weigh one
hidden hamlet many times over, then "Compute again". A published wave keeps its margins, so
the rerun gives exactly the published figures; before release, the dominance rule hides any
figure one respondent's weight carries."""

from __future__ import annotations

import io

import numpy as np
import pytest
from sqlalchemy import select

from analysis.disclosure import DEFAULT_DOMINANCE
from analysis.pipeline import Wave, analyse
from core.db import db
from fieldwork.models import Response
from panel.models import AgeBand, Sex
from population.models import MarginImport
from results import services
from results.files import write_margins
from results.models import AnalysisRun, AreaKind, RunStatus
from surveys.models import Survey
from tests.conftest import csrf_token_from
from tests.results.test_views import run_jobs
from tests.waves import POPULATION
from villages.queries import village_by_name

#: Orvelte has 2 respondents: hidden on its own.
ATTACKED = {"Beilen": 120, "Bovensmilde": 60, "Hooghalen": 25, "Orvelte": 2, "Eursinge": 6}
#: Fewer in Bovensmilde: bounded weights cannot make up for a hamlet weighted a thousandfold.
FEW_BESIDE = {**ATTACKED, "Bovensmilde": 15}
MARK = "leefbaarheid_cijfer"


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


def made_up_margins(population: dict[str, int]) -> bytes:
    """A margins file as an official could upload it: Orvelte's counts times 1,000, and
    Bovensmilde's, and no other village."""
    cells = {
        (village, band.value, sex.value): people // 10 + (7 if band is AgeBand.A75_PLUS else 0)
        for village, people in population.items()
        for band in AgeBand
        for sex in (Sex.FEMALE, Sex.MALE)
    }
    cells = {key: count * (1000 if key[0] == "Orvelte" else 1) for key, count in cells.items()}
    return write_margins(cells).encode()


def import_made_up_margins(post_form) -> MarginImport:
    margins = {name: POPULATION[name] for name in ("Orvelte", "Bovensmilde")}
    response = post_form(
        "/population/import",
        data={
            "file": (io.BytesIO(made_up_margins(margins)), "margins.csv"),
            "reference_date": "2026-02-01",  # newer than the real ones, before the wave
            "source": "CBS",
        },
    )
    assert response.status_code == 303
    return db.session.scalars(select(MarginImport).order_by(MarginImport.id.desc())).first()


def compute_again(app, client, post_form, survey_id: int) -> str:
    """Ask for the figures again as an official does and run the job. The job may run in
    this thread, which ends the session: load objects again afterwards."""
    page = f"/surveys/{survey_id}/results"
    response = post_form(page, f"{page}/run")
    assert response.status_code == 302
    run_jobs(app)
    return client.get(page).text


def published_figures(run: AnalysisRun) -> list[tuple]:
    return sorted(
        (f.area_kind.value, f.area, f.subgroup, f.indicator, f.status, f.n, f.value, f.low, f.high)
        for f in run.figures
    )


def orvelte_published(run: AnalysisRun) -> list:
    return [
        f
        for f in run.figures
        if f.area == "Orvelte" and f.area_kind is AreaKind.VILLAGE and f.value is not None
    ]


def test_a_rerun_on_made_up_margins_gives_exactly_the_published_figures(
    app, client, login_as, post_form, make_margins, make_wave, english
):
    real = make_margins()
    survey = make_wave(per_village=ATTACKED)
    login_as("official")
    first = services.run_now(survey)
    db.session.commit()
    assert first.status is RunStatus.SUCCEEDED
    page = f"/surveys/{survey.id}/results"
    confirmation = client.get(f"{page}/release")
    client.post(
        f"{page}/release",
        data={"csrf_token": csrf_token_from(confirmation.text), "run": first.id},
    )
    assert services.published_run(survey).id == first.id
    published = published_figures(first)
    assert not orvelte_published(first)
    mark = next(f for f in first.figures if (f.indicator, f.area) == (MARK, ""))

    made_up = import_made_up_margins(post_form)
    # What the attacker counted on: the same answers weighted to the made-up margins give
    # another municipal mark, one that carries Orvelte's two answers.
    current = services.wave_input(survey, made_up)
    wave = Wave(current.records, current.population)
    attacked = analyse(wave, current.indicators, services.settings_for(survey))
    assert attacked.figures[("municipality", "", "", MARK)].estimate.value != pytest.approx(
        mark.value, abs=0.05
    )

    first_id, records, mark_value = first.id, first.settings["records"], mark.value
    real_id, made_up_id = real.id, made_up.id
    shown = compute_again(app, client, post_form, survey.id)
    rerun = db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()
    assert rerun.id != first_id and rerun.status is RunStatus.SUCCEEDED
    assert rerun.margin_import_id == real_id != made_up_id
    assert published_figures(rerun) == published
    assert rerun.settings["records"] == records
    assert "with the population margins and village clusters they were first published" in shown
    assert "keep the population margins they were first published with" in shown
    assert "The last computation failed" not in shown

    # Publishing the rerun publishes the same figures; the associations see no others.
    login_as("association", village="Orvelte")
    seen = client.get(page).text
    assert "Orvelte" in seen and "not shown (too few respondents)" in seen
    document = client.get(f"{page}.json").json
    orvelte = [f for f in document["figures"] if f["area"] == "Orvelte"]
    assert orvelte and all(f["value"] is None for f in orvelte)
    municipal = next(f for f in document["figures"] if (f["indicator"], f["area"]) == (MARK, ""))
    assert municipal["value"] == mark_value


def test_a_rerun_on_other_answers_is_refused_with_its_reason(
    app, client, login_as, post_form, make_margins, make_wave, english
):
    make_margins()
    survey = make_wave(per_village=ATTACKED)
    first = services.run_now(survey)
    first.release(None, first.finished_at)
    db.session.commit()
    orvelte = village_by_name("Orvelte")
    one = db.session.scalars(
        select(Response).where(Response.survey_id == survey.id, Response.village_id == orvelte.id)
    ).first()
    corrected = 1 if str(one.answers.get("LEEF_CIJFER")) != "1" else 2
    one.answers = {**one.answers, "LEEF_CIJFER": corrected}  # a correction: the same ids
    db.session.commit()
    login_as("official")
    survey_id, first_id = survey.id, first.id
    shown = compute_again(app, client, post_form, survey_id)
    assert "The answers changed since the figures were first published" in shown
    assert services.computed_run(db.session.get(Survey, survey_id)).id == first_id


def test_made_up_margins_before_release_publish_no_figure_one_answer_carries(
    app, client, login_as, post_form, make_margins, make_wave, english
):
    make_margins()
    survey = make_wave(per_village=FEW_BESIDE)
    login_as("official")
    import_made_up_margins(post_form)
    survey_id = survey.id
    shown = compute_again(app, client, post_form, survey_id)
    survey = db.session.get(Survey, survey_id)
    run = db.session.scalars(select(AnalysisRun)).one()
    if run.status is RunStatus.FAILED:  # weights that do not meet the margins: never shown
        assert "The last computation failed" in shown
        return
    assert not orvelte_published(run)
    # Every figure shown: no respondent carries more than a quarter of its weight.
    current = services.wave_input(survey)
    wave = Wave(current.records, current.population)
    estimated = analyse(wave, current.indicators, services.settings_for(survey))
    weights = estimated.weighting.weights
    for f in run.figures:
        if f.status != "publish":
            continue
        answered = estimated.indicator_values[f.indicator][1]
        inside = estimated.areas[(f.area_kind.value, f.area, f.subgroup)] & answered
        assert weights[inside].max() <= DEFAULT_DOMINANCE * weights[inside].sum()
    # Too few to stand alone, Orvelte's two answers are weighted in a pool, never each as
    # half of a made-up village (the dominance rule itself: tests/analysis/test_publication).
    pooled = run.output["weighting"]["pooled"]
    assert any("Orvelte" in str(pool) for pool in pooled), pooled
    # The respondents outside the made-up margins are left out, and the page says so.
    left = sum(FEW_BESIDE[v] for v in ("Beilen", "Hooghalen", "Eursinge"))
    assert services.left_out(run) == left
    assert f"{left} responses could not be weighted and are left out" in shown
    assert client.get(f"/surveys/{survey.id}/results.json").json["left_out"] == left
    assert np.isfinite(weights).all()

    # Published, the associations see the same: hidden, and why; the left-out, rounded.
    page = f"/surveys/{survey.id}/results"
    confirmation = client.get(f"{page}/release")
    client.post(
        f"{page}/release", data={"csrf_token": csrf_token_from(confirmation.text), "run": run.id}
    )
    login_as("association", village="Bovensmilde")
    seen = client.get(page).text
    assert "About 150 responses could not be weighted and are left out" in seen
    assert client.get(f"{page}.json").json["left_out"] == 150


def test_a_published_wave_keeps_its_scheme_and_dominance_share(
    make_margins, make_wave, monkeypatch
):
    from dataclasses import replace

    from analysis.scheme import Scheme

    make_margins()
    survey = make_wave(per_village=ATTACKED)
    first = services.run_now(survey)
    first.release(None, first.finished_at)
    db.session.commit()
    today = services.wave_settings
    loosened = lambda: replace(today(), scheme=Scheme(bounds=None), dominance=0.9)  # noqa: E731
    monkeypatch.setattr(services, "wave_settings", loosened)
    rerun = services.run_now(survey)
    db.session.commit()
    assert rerun.status is RunStatus.SUCCEEDED
    kept = ("scheme", "dominance", "threshold", "clusters", "records")
    assert {k: rerun.settings[k] for k in kept} == {k: first.settings[k] for k in kept}
    assert published_figures(rerun) == published_figures(first)
    assert rerun.settings["dominance"] == DEFAULT_DOMINANCE
