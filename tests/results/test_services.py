"""Running a wave's analysis in the app: what is stored, what is hidden, and that the same
files give the same figures outside the app."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from analysis.indicators import load as load_indicators
from audit.models import AuditEvent
from core.db import db
from fieldwork.models import Response
from jobs.models import Job
from panel.models import Respondent
from results import page as results_page
from results import services
from results.files import indicators_json
from results.models import AnalysisRun, AreaKind, ResultFigure, RunStatus, VillageCluster
from results.release import CannotRelease, release_run
from surveys import services as survey_services
from surveys.templates import load_template
from villages.queries import village_by_name


def run_now(survey) -> AnalysisRun:
    run = services.run_now(survey)
    db.session.commit()
    return run


def run_and_release(survey) -> AnalysisRun:
    """A run computed and released to the associations: published."""
    run = services.run_now(survey)
    release_run(run, by=None)
    db.session.commit()
    return run


def figure(run, indicator, area="", kind=AreaKind.MUNICIPALITY, subgroup="") -> ResultFigure:
    return next(
        f
        for f in run.figures
        if (f.indicator, f.area, f.area_kind, f.subgroup) == (indicator, area, kind, subgroup)
    )


def test_a_run_stores_published_figures_and_hides_small_villages(make_margins, make_wave):
    make_margins()
    run = run_now(make_wave())
    assert run.status is RunStatus.SUCCEEDED
    whole = figure(run, "leefbaarheid_cijfer")
    assert whole.published and whole.n == 215 and 4 <= whole.value <= 10
    assert whole.low < whole.value < whole.high and not whole.indicative
    beilen = figure(run, "leefbaarheid_cijfer", "Beilen", AreaKind.VILLAGE)
    assert beilen.published and beilen.village_id == village_by_name("Beilen").id
    assert beilen.versus_rest is not None and "flagged" in beilen.versus_rest
    for tiny in ("Orvelte", "Eursinge"):
        hidden = figure(run, "leefbaarheid_cijfer", tiny, AreaKind.VILLAGE)
        assert hidden.status == "suppressed"
        assert (hidden.n, hidden.value, hidden.low, hidden.high) == (None,) * 4
    assert run.output["weighting"]["converged"]
    assert run.reference_date == date(2026, 1, 1)
    assert run.settings["threshold"] == 10


def test_a_village_below_30_effective_respondents_is_indicative(make_margins, make_wave):
    make_margins()
    run = run_now(make_wave())
    hooghalen = figure(run, "leefbaarheid_cijfer", "Hooghalen", AreaKind.VILLAGE)
    assert hooghalen.published and hooghalen.indicative
    assert hooghalen.versus_rest["tested"] is False and hooghalen.versus_rest["flagged"] is False


def test_tiny_villages_appear_in_their_cluster(make_margins, make_wave):
    make_margins()
    cluster = VillageCluster(
        name="Kleine kernen", villages=[village_by_name("Orvelte"), village_by_name("Eursinge")]
    )
    db.session.add(cluster)
    db.session.commit()
    run = run_now(
        make_wave(per_village={"Beilen": 60, "Bovensmilde": 40, "Orvelte": 5, "Eursinge": 6})
    )
    together = figure(run, "leefbaarheid_cijfer", "Kleine kernen", AreaKind.CLUSTER)
    assert together.published and together.n == 10
    orvelte = figure(run, "leefbaarheid_cijfer", "Orvelte", AreaKind.VILLAGE)
    assert orvelte.status == "suppressed" and orvelte.shown_in_cluster == "Kleine kernen"


def test_closing_a_survey_queues_one_run(make_margins, make_wave):
    make_margins()
    survey = make_wave(close=False)
    survey_services.close(survey)
    again = services.request_run(survey, trigger="official")
    db.session.commit()
    runs = db.session.scalars(select(AnalysisRun)).all()
    assert len(runs) == 1 and runs[0] is again and runs[0].trigger == "closed"
    assert db.session.get(Job, runs[0].job_id).name == services.RUN_JOB


def test_a_wave_without_margins_fails_with_a_reason(make_wave):
    run = run_now(make_wave())
    assert run.status is RunStatus.FAILED
    assert "margins" in run.error and run.figures == []


def test_the_change_since_the_previous_wave_is_stored(make_margins, make_wave):
    make_margins()
    first = make_wave(opens_on=date(2025, 3, 1), seed=2)
    run_and_release(first)
    same_people = [
        db.session.get(Respondent, r.respondent_id)
        for r in db.session.scalars(select(Response).where(Response.survey_id == first.id))
    ]
    second = make_wave(opens_on=date(2026, 3, 1), seed=3, respondents=same_people[:150])
    run = run_now(second)
    assert run.previous_survey_id == first.id
    change = figure(run, "leefbaarheid_cijfer").change
    assert change["low"] <= change["value"] <= change["high"] and change["tested"]
    assert figure(run, "leefbaarheid_cijfer", "Orvelte", AreaKind.VILLAGE).change is None


def test_computing_on_the_exported_files_gives_the_stored_figures(
    app, make_margins, make_wave, tmp_path
):
    make_margins()
    survey = make_wave()
    run = run_now(survey)
    cli = app.test_cli_runner()
    exported = cli.invoke(args=["analysis", "export", str(survey.id), "--out", str(tmp_path)])
    assert exported.exit_code == 0, exported.output
    out = tmp_path / "results.json"
    computed = cli.invoke(
        args=[
            "analysis", "compute",
            "--responses", str(tmp_path / "responses.csv"),
            "--margins", str(tmp_path / "margins.csv"),
            "--indicators", str(tmp_path / "indicators.json"),
            "--scheme", str(tmp_path / "scheme.json"),
            "--out", str(out),
        ]
    )  # fmt: skip
    assert computed.exit_code == 0, computed.output
    assert json.loads(out.read_text()) == db.session.get(AnalysisRun, run.id).output
    header = (tmp_path / "responses.csv").read_text().splitlines()[0]
    assert (
        header.startswith("respondent,village,age_band,sex,")
        and "TOEKOMST_TOELICHTING" not in header
    )
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "analysis.inputs_exported")
    )


def test_analysis_run_from_the_command_line(app, make_margins, make_wave):
    make_margins()
    survey = make_wave()
    result = app.test_cli_runner().invoke(args=["analysis", "run", str(survey.id)])
    assert result.exit_code == 0, result.output
    assert "published" in result.output
    assert db.session.scalar(select(AnalysisRun)).status is RunStatus.SUCCEEDED


@pytest.mark.parametrize(
    "args", [["analysis", "run", "999"], ["analysis", "export", "999", "--out", "x"]]
)
def test_an_unknown_survey_is_refused(app, args):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0 and "No survey 999" in result.output


def test_a_run_whose_job_died_does_not_block_a_new_one(make_margins, make_wave):
    make_margins()
    survey = make_wave()
    stuck = services.request_run(survey, trigger="closed")
    db.session.get(Job, stuck.job_id).fail("Interrupted: the worker stopped.")
    db.session.commit()
    fresh = services.request_run(survey, trigger="official")
    db.session.commit()
    assert fresh.id != stuck.id and fresh.status is RunStatus.QUEUED
    assert db.session.get(AnalysisRun, stuck.id).status is RunStatus.FAILED


def test_an_unexpected_error_fails_the_run_and_the_job(app, make_margins, make_wave, monkeypatch):
    from results import jobs

    make_margins()
    survey = make_wave()
    run = services.request_run(survey, trigger="closed")
    db.session.commit()

    def broken(survey):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "wave_input", broken)
    with pytest.raises(RuntimeError):
        jobs.run(lambda *args: None, run_id=run.id)
    failed = db.session.get(AnalysisRun, run.id)
    assert failed.status is RunStatus.FAILED and "disk full" in failed.error


def test_a_rerun_keeps_the_clusters_of_the_first_run(make_margins, make_wave):
    make_margins()
    survey = make_wave()
    first = run_and_release(survey)
    assert first.settings["clusters"] == {}
    db.session.add(
        VillageCluster(
            name="Nieuw", villages=[village_by_name("Orvelte"), village_by_name("Hooghalen")]
        )
    )
    db.session.commit()
    again = run_now(survey)
    assert again.status is RunStatus.SUCCEEDED and again.settings["clusters"] == {}
    assert not any(f.area_kind is AreaKind.CLUSTER for f in again.figures)


def test_after_closing_a_rerun_keeps_the_clusters_the_wave_closed_with(make_margins, make_wave):
    """A cluster made after the wave closed applies from the next wave, also before the
    figures are released: a wave keeps the clusters it had when it closed."""
    make_margins()
    survey = make_wave()
    first = run_now(survey)
    db.session.add(
        VillageCluster(
            name="Nieuw", villages=[village_by_name("Orvelte"), village_by_name("Eursinge")]
        )
    )
    db.session.commit()
    again = run_now(survey)
    assert again.settings["clusters"] == first.settings["clusters"] == {}
    assert not any(f.area_kind is AreaKind.CLUSTER for f in again.figures)
    with pytest.raises(CannotRelease):
        release_run(first, by=None)  # no longer the newest figures
    assert release_run(again, by=None) and not release_run(again, by=None)
    db.session.commit()
    assert services.published_run(survey) == again and first.released_at is None


def test_an_open_survey_is_not_analysed(make_margins, make_wave):
    make_margins()
    survey = make_wave(close=False)
    with pytest.raises(services.CannotAnalyse):
        services.request_run(survey, trigger="official")
    run = run_now(survey)
    assert run.status is RunStatus.FAILED and "still open" in run.error


def test_a_previous_wave_without_an_indicator_gives_changes_for_the_rest(make_margins, make_wave):
    make_margins()
    first = make_wave(opens_on=date(2025, 3, 1), seed=2)
    version = first.live_version
    definition = json.loads(json.dumps(version.definition))
    for page in definition["pages"]:
        page["questions"] = [q for q in page["questions"] if q["code"] != "SOC"]
    version.definition = definition
    db.session.commit()
    run_and_release(first)
    run = run_now(make_wave(opens_on=date(2026, 3, 1), seed=3))
    assert run.status is RunStatus.SUCCEEDED and run.previous_survey_id == first.id
    assert figure(run, "leefbaarheid_cijfer").change is not None
    assert figure(run, "sociale_samenhang").change is None


def test_a_change_is_given_only_for_what_the_previous_wave_published(make_margins, make_wave):
    make_margins()
    first = make_wave(opens_on=date(2025, 3, 1), seed=2)
    run_and_release(first)  # no clusters yet
    db.session.add(
        VillageCluster(
            name="Kleine kernen",
            villages=[village_by_name("Orvelte"), village_by_name("Eursinge")],
        )
    )
    db.session.commit()
    run = run_now(make_wave(opens_on=date(2026, 3, 1), seed=3))
    together = figure(run, "leefbaarheid_cijfer", "Kleine kernen", AreaKind.CLUSTER)
    assert together.published and together.change is None
    assert figure(run, "leefbaarheid_cijfer", "Beilen", AreaKind.VILLAGE).change is not None


def test_the_weighting_table_gives_no_exact_counts(make_margins, make_wave):
    make_margins()
    run = run_now(make_wave())
    table = run.output["weighting"]
    assert table["n"] % 5 == 0 and table["effective_n"] % 5 == 0
    rows = {row["village"]: row for row in table["villages"]}
    assert rows["Beilen"]["n"] == 120 and rows["Beilen"]["effective_n"] % 5 == 0
    # Orvelte (4) and Eursinge (6) together are 10: both hidden, and their sum passes.
    assert rows["Orvelte"]["n"] is None and rows["Eursinge"]["n"] is None
    assert rows["Hooghalen"]["n"] == 25


def test_exported_inputs_are_private_and_an_open_survey_is_refused(
    app, make_margins, make_wave, tmp_path
):
    make_margins()
    cli = app.test_cli_runner()
    open_survey = make_wave(close=False)
    refused = cli.invoke(args=["analysis", "export", str(open_survey.id), "--out", str(tmp_path)])
    assert refused.exit_code != 0 and "still open" in refused.output
    survey = make_wave(seed=4)
    folder = tmp_path / "wave"
    exported = cli.invoke(args=["analysis", "export", str(survey.id), "--out", str(folder)])
    assert exported.exit_code == 0, exported.output
    for name in ("responses.csv", "margins.csv", "indicators.json", "scheme.json"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "analysis.inputs_exported")
    )
    assert event.detail["by"] and event.detail["respondents"] == 215


def test_the_command_line_refuses_an_open_survey_without_a_run(app, make_wave):
    survey = make_wave(close=False)
    result = app.test_cli_runner().invoke(args=["analysis", "run", str(survey.id)])
    assert result.exit_code != 0 and "still open" in result.output
    assert db.session.scalar(select(AnalysisRun)) is None


def test_no_rerun_once_the_answers_changed(make_margins, make_wave):
    make_margins()
    survey = make_wave()
    first = run_and_release(survey)
    assert first.settings["responses"]
    again = run_now(survey)
    assert again.status is RunStatus.SUCCEEDED  # the same answers: fine
    removed = db.session.scalars(select(Response).where(Response.survey_id == survey.id)).first()
    db.session.delete(removed)
    db.session.commit()
    refused = run_now(survey)
    assert refused.status is RunStatus.FAILED and "answers changed" in refused.error
    assert services.computed_run(survey).id == again.id
    assert services.published_run(survey).id == first.id


def test_figures_published_by_an_earlier_method_stay(make_margins, make_wave):
    make_margins()
    survey = make_wave()
    first = run_and_release(survey)
    first.output = {**first.output, "format": 1}  # published before design weights
    db.session.commit()
    refused = run_now(survey)
    assert refused.status is RunStatus.FAILED and "earlier method" in refused.error
    assert refused.settings == {"failure": "method_changed"}
    assert services.published_run(survey).id == first.id


def test_before_release_the_answers_may_still_change(make_margins, make_wave):
    make_margins()
    survey = make_wave()
    run_now(survey)  # seen by officials only
    removed = db.session.scalars(select(Response).where(Response.survey_id == survey.id)).first()
    db.session.delete(removed)
    db.session.commit()
    assert run_now(survey).status is RunStatus.SUCCEEDED


def test_a_share_of_strongly_agree_alone_is_refused(make_margins, make_wave, monkeypatch):
    from analysis.indicators import from_json

    make_margins()
    survey = make_wave()
    shipped = services.all_indicators()
    narrow = from_json(
        [
            {
                "code": "openbare_ruimte",
                "kind": "share",
                "questions": ["OMG_WEGEN"],
                "categories": ["5"],
            }
        ]
    )
    monkeypatch.setattr(
        services,
        "all_indicators",
        lambda: [i for i in shipped if i.code != "openbare_ruimte"] + narrow,
    )
    run = run_now(survey)
    assert run.status is RunStatus.FAILED and "three categories" in run.error


def test_dont_know_is_left_out_only_where_the_question_offers_it(make_wave):
    survey = make_wave(per_village={"Beilen": 3}, close=False)
    excluded = {i.code: i.excluded for i in services.survey_indicators(survey)}
    assert excluded["leefbaarheid_cijfer"] == ()  # a 9 on the 1-10 mark counts
    assert excluded["veiligheid"] == ()  # its five options hold no "don't know"
    assert excluded["sociale_samenhang"] == ("9",)  # the agree scale's own "don't know"
    assert excluded["verhuisgeneigdheid"] == ("9",)  # "Weet ik nog niet"
    assert excluded["lid_dorpsvereniging"] == ("3",)  # "Weet ik niet"


def test_a_question_without_a_dont_know_option_leaves_nothing_out(make_village):
    definition = load_template("leefbaarheid")
    for page in definition["pages"]:
        for question in page["questions"]:
            if question["code"] == "TOEKOMST":
                question["options"] = [o for o in question["options"] if o["code"] != "9"]
    survey = survey_services.create_survey(definition, by=None)
    excluded = {i.code: i.excluded for i in services.survey_indicators(survey)}
    assert excluded["toekomstverwachting"] == ()


def test_published_shares_carry_their_dont_know_share(make_margins, make_wave):
    make_margins()
    run = run_now(make_wave())
    moving = figure(run, "verhuisgeneigdheid")
    assert moving.published and moving.dont_know["status"] == "publish"
    assert 3 <= moving.dont_know["value"] <= 20
    assert figure(run, "leefbaarheid_cijfer").dont_know is None


def test_the_shipped_definitions_state_what_the_questionnaire_leaves_out(make_wave):
    """So `analysis compute` on the shipped definitions gives the app's own figures."""
    survey = make_wave(per_village={"Beilen": 3}, close=False)
    derived = indicators_json(services.survey_indicators(survey))
    assert derived == indicators_json(load_indicators("leefbaarheid"))


def test_scales_on_their_whole_item_set_still_give_figures(make_margins, make_wave):
    make_margins()
    run = run_now(make_wave())
    mark, facilities = figure(run, "leefbaarheid_cijfer"), figure(run, "tevredenheid_voorzieningen")
    assert facilities.published and 0.6 * mark.n <= facilities.n < mark.n


def test_the_runs_of_a_wave_read_at_once_are_those_each_query_picks(make_margins, make_wave):
    make_margins()
    survey = make_wave()
    assert results_page.wave(survey.id, official=True).runs == services.WaveRuns(
        None, None, None, None
    )
    first = run_and_release(survey)
    again = run_now(survey)
    removed = db.session.scalars(select(Response).where(Response.survey_id == survey.id)).first()
    db.session.delete(removed)
    db.session.commit()
    refused = run_now(survey)
    runs = results_page.wave(survey.id, official=True).runs
    published_only = results_page.wave(survey.id, official=False).runs
    assert (runs.latest, runs.published, runs.computed, runs.first_published) == (
        services.latest_run(survey),
        services.published_run(survey),
        services.computed_run(survey),
        services.first_published_run(survey),
    )
    assert runs.latest.id == refused.id and runs.computed.id == again.id
    assert runs.published.id == runs.first_published.id == first.id
    assert published_only == services.WaveRuns(None, runs.published, None, None)
