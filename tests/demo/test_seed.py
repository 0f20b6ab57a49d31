"""`flask --app app demo seed`: two demo waves, published, so a village association sees
them straight after seeding; and a mirror that is alive: most villages with figures of
their own, every village covered by itself or its cluster, villages that stand out, changes
between the waves, and answers that hang together."""

from __future__ import annotations

from statistics import mean

import pytest
from flask import current_app
from sqlalchemy import func, select

from core.db import db
from demo.results import DEMO_WAVE_TITLE, PREVIOUS_WAVE_TITLE
from fieldwork.models import Response
from population.demo import DEMO_SOURCE
from population.models import MarginImport
from results import clusters, services
from results.models import AreaKind, ResultFigure
from surveys.models import ReviewStatus, Survey, SurveyKind
from tests.conftest import snapshot, snapshot_output
from tests.surveys.test_proposals import english
from villages.models import Village
from villages.queries import panel_villages
from villages.seed_data import CLUSTERS

#: Villages with figures of their own in the newest demo wave, at least.
OWN_FIGURES = 12


def seed_demo() -> str:
    return current_app.test_cli_runner().invoke(args=["demo", "seed"]).output


snapshot("seeded_demo", seed_demo)


@pytest.fixture
def seeded_demo(app, request) -> str:
    """The demo, seeded once per run; this test has its own copy. Returns what seeding printed."""
    return snapshot_output(request, "seeded_demo")


def test_the_demo_seed_command_loads_villages_waves_and_clusters(seeded_demo):
    assert "Loaded 35 villages" in seeded_demo
    assert "two closed demo waves" in seeded_demo
    assert f"Added {len(CLUSTERS)} default clusters" in seeded_demo
    assert db.session.scalar(select(func.count()).select_from(Village)) == 35


def test_the_demo_data_holds_a_submitted_proposal_of_orvelte(app, seeded_demo):
    app.test_cli_runner().invoke(args=["demo", "seed"])  # seeding again adds no second one
    proposals = db.session.query(Survey).filter_by(kind=SurveyKind.VILLAGE_VISION).all()
    assert [(p.title, p.review_status) for p in proposals] == [
        ("Dorpsvisie Orvelte 2027", ReviewStatus.SUBMITTED)
    ]
    assert [v.name for v in proposals[0].villages] == ["Orvelte"]


def wave(title: str) -> Survey:
    return db.session.scalar(select(Survey).where(Survey.title == title))


def test_the_demo_waves_are_published_to_the_associations(app, seeded_demo, client, login_as):
    for title in (PREVIOUS_WAVE_TITLE, DEMO_WAVE_TITLE):
        survey = wave(title)
        run = services.published_run(survey)
        assert run is not None and run == services.computed_run(survey)
    survey = wave(DEMO_WAVE_TITLE)
    assert services.published_run(survey).previous_survey_id == wave(PREVIOUS_WAVE_TITLE).id

    login_as("association", village="Orvelte")
    english(client)
    page = client.get(f"/surveys/{survey.id}/results").text
    assert "Report mark for the village" in page
    assert "Orvelte en Zwiggelte (cluster of villages)" in page
    assert "not ready yet" not in page
    assert client.get(f"/surveys/{survey.id}/results.json").status_code == 200

    again = app.test_cli_runner().invoke(args=["demo", "seed"])  # safe to run again
    assert again.exit_code == 0 and "closed demo waves" not in again.output
    assert "default clusters" not in again.output


def test_the_demo_mirror_is_alive(seeded_demo):
    current = services.published_run(wave(DEMO_WAVE_TITLE))
    whole = [f for f in current.figures if f.subgroup == ""]
    marks = {f.area: f for f in whole if f.indicator == "leefbaarheid_cijfer"}
    own = {v.name for v in panel_villages() if marks[v.name].published}
    assert len(own) >= OWN_FIGURES
    published_clusters = {name for name, f in marks.items() if f.published} - own - {""}
    for village in panel_villages():  # each village: its own figure or its cluster's
        assert village.name in own or marks[village.name].shown_in_cluster in published_clusters
    assert any(not marks[v.name].published for v in panel_villages())  # some only in clusters

    assert any(f.versus_rest and f.versus_rest["flagged"] for f in whole)
    assert any(f.change and f.change["flagged"] for f in whole)
    moving = municipality(current, "verhuisgeneigdheid")
    assert 5 <= moving.value <= 30 and moving.dont_know["value"] >= 3

    # both waves keep the clusters they closed with: today's defaults
    kept = {wave.survey.title: wave.clusters for wave in clusters.closed_waves()}
    defaults = {name: sorted(villages) for name, villages, _ in CLUSTERS}
    assert kept == {PREVIOUS_WAVE_TITLE: defaults, DEMO_WAVE_TITLE: defaults}

    # seeding takes long enough: the answers and the margins are checked on the same seed
    answers_hang_together()
    margins_age_a_little()


def answers_hang_together() -> None:
    answers = [
        r.answers
        for r in db.session.scalars(
            select(Response).where(Response.survey_id == wave(DEMO_WAVE_TITLE).id)
        )
    ]
    movers = [a for a in answers if a["VERHUIZEN"] in ("1", "2", "3")]
    stayers = [a for a in answers if a["VERHUIZEN"] == "4"]
    assert 0.08 < len(movers) / len(answers) < 0.3
    assert mean(a["LEEF_CIJFER"] for a in movers) < mean(a["LEEF_CIJFER"] for a in stayers) - 0.4
    assert connected(movers) < connected(stayers) - 0.15
    dont_know = sum(a["TOEKOMST"] == "9" for a in answers) / len(answers)
    assert 0.05 < dont_know < 0.2
    assert all(("VERHUIZEN_WAAROM" in a) == (a["VERHUIZEN"] in ("2", "3")) for a in answers)


def margins_age_a_little() -> None:
    margins = db.session.scalars(
        select(MarginImport)
        .where(MarginImport.source == DEMO_SOURCE)
        .order_by(MarginImport.reference_date)
    ).all()
    assert [m.reference_date.year for m in margins] == [
        margins[1].reference_date.year - 1,
        margins[1].reference_date.year,
    ]
    assert older_share(margins[0]) < older_share(margins[1])


def municipality(run, indicator: str) -> ResultFigure:
    return next(
        f
        for f in run.figures
        if (f.area_kind, f.subgroup, f.indicator) == (AreaKind.MUNICIPALITY, "", indicator)
    )


def connected(answers: list[dict]) -> float:
    """The mean of the social-cohesion answers, leaving out "don't know"."""
    scores = [int(a[k]) for a in answers for k in a if k.startswith("SOC_") and a[k] != "9"]
    return mean(scores)


def older_share(margins: MarginImport) -> float:
    older = sum(c.count for c in margins.cells if c.age_band.value in ("65-74", "75+"))
    return older / sum(c.count for c in margins.cells)
