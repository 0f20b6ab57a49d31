"""Village clusters as officials keep them: make, change, delete; every refusal saves
nothing and says why at the field; a wave keeps the clusters it had when it closed, while
officials change them freely for the waves still open; the default clusters.

Officials read the pages in English, so the texts the tests look for stay put when the
Dutch translations arrive."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db
from results import clusters, services
from results.models import AreaKind, ClusterSnapshot, RunStatus, VillageCluster
from results.release import release_run
from surveys import services as survey_services
from tests.conftest import csrf_token_from
from tests.helpers import count
from villages.models import Association, VillageKind
from villages.queries import panel_villages, village_by_name
from villages.seed_data import CLUSTERS

ROLES = ["resident", "volunteer", "association", "official"]
VILLAGES = ("Orvelte", "Hooghalen", "Garminge", "Wijster")


@pytest.fixture
def villages(make_village) -> dict[str, int]:
    return {name: make_village(name).id for name in VILLAGES}


@pytest.fixture
def cluster(villages) -> VillageCluster:
    made = clusters.create_cluster(
        "Zuid", [village_by_name("Orvelte"), village_by_name("Garminge")]
    )
    db.session.commit()
    return made


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


@pytest.fixture
def official(login_as, english, villages):
    return login_as("official")


def reloaded(cluster_id: int) -> VillageCluster | None:
    db.session.expire_all()
    return db.session.get(VillageCluster, cluster_id)


def names(cluster: VillageCluster) -> list[str]:
    return [village.name for village in cluster.villages]


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# Who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path",
    [
        "/analysis/clusters",
        "/analysis/clusters/new",
        "/analysis/clusters/{id}/edit",
        "/analysis/clusters/{id}/delete",
    ],
)
def test_role_matrix(client, login_as, cluster, role, path):
    """Clusters are for officials only."""
    login_as(role, village="Orvelte" if role in ("association", "resident") else None)
    response = client.get(path.format(id=cluster.id))
    assert response.status_code == (200 if role == "official" else 403)


def test_anonymous_visitors_are_sent_to_login(client, cluster):
    for path in ("", "/new", f"/{cluster.id}/edit", f"/{cluster.id}/delete"):
        response = client.get(f"/analysis/clusters{path}")
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")


@pytest.mark.parametrize("role", ["resident", "volunteer", "association"])
def test_others_cannot_post(client, login_as, cluster, villages, role):
    login_as(role, village="Orvelte" if role in ("association", "resident") else None)
    token = csrf_token_from(client.get("/account").text)
    data = {"csrf_token": token, "name": "Noord", "villages": [villages["Wijster"]]}
    for path in ("/new", f"/{cluster.id}/edit", f"/{cluster.id}/delete"):
        assert client.post(f"/analysis/clusters{path}", data=data).status_code == 403
    assert names(reloaded(cluster.id)) == ["Garminge", "Orvelte"]


def test_posts_without_csrf_token_are_refused(client, official, cluster, villages):
    data = {"name": "Noord", "villages": [villages["Hooghalen"], villages["Wijster"]]}
    assert client.post("/analysis/clusters/new", data=data).status_code == 400
    assert client.post(f"/analysis/clusters/{cluster.id}/delete").status_code == 400
    assert count(VillageCluster) == 1


def test_unknown_cluster_is_not_found(client, official):
    assert client.get("/analysis/clusters/999/edit").status_code == 404
    assert client.get("/analysis/clusters/999/delete").status_code == 404


# Making and changing -------------------------------------------------------------------


def test_official_makes_a_cluster_and_sees_it_listed(client, official, post_form, villages):
    chosen = [villages["Hooghalen"], villages["Wijster"]]
    response = post_form("/analysis/clusters/new", data={"name": "Noord", "villages": chosen})
    assert response.status_code == 303
    made = db.session.scalars(select(VillageCluster)).one()
    assert (made.name, names(made)) == ("Noord", ["Hooghalen", "Wijster"])
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "clusters.created"))
    event = event.one()
    assert (event.actor_id, event.object_id) == (official.id, str(made.id))
    assert event.detail == {"name": "Noord", "villages": sorted(chosen)}
    page = client.get(response.location).text
    assert "The cluster “Noord” has been saved." in page
    assert "Hooghalen, Wijster" in page and "none yet" in page


def test_the_same_cluster_twice_is_made_once(client, official, post_form, villages):
    data = {"name": "Noord", "villages": [villages["Hooghalen"], villages["Wijster"]]}
    post_form("/analysis/clusters/new", data=data)
    again = post_form("/analysis/clusters/new", data=data)
    assert again.status_code == 303
    assert count(VillageCluster) == 1
    assert actions().count("clusters.created") == 1


def test_one_village_is_no_cluster_and_the_entries_stay(client, official, post_form, villages):
    data = {"name": "Alleen Wijster", "villages": [villages["Wijster"]]}
    response = post_form("/analysis/clusters/new", data=data)
    assert response.status_code == 422
    assert "Tick at least two villages." in response.text
    assert 'value="Alleen Wijster"' in response.text
    assert re.search(rf'<input checked[^>]*value="{villages["Wijster"]}"', response.text)
    assert 'id="error-summary"' in response.text and 'href="#villages"' in response.text
    assert count(VillageCluster) == 0


def test_a_village_is_in_one_cluster_only(client, official, post_form, cluster, villages):
    form = client.get("/analysis/clusters/new").text
    assert re.search(rf'<input [^>]*disabled[^>]*value="{villages["Orvelte"]}"', form)
    assert "Orvelte (in Zuid)" in form
    data = {"name": "Noord", "villages": [villages["Orvelte"], villages["Wijster"]]}
    response = post_form("/analysis/clusters/new", data=data)
    assert response.status_code == 422
    assert "Already in another cluster: Orvelte." in response.text
    assert count(VillageCluster) == 1


def test_names_are_unique_in_any_capitals(client, official, post_form, cluster, villages):
    data = {"name": "zuid", "villages": [villages["Hooghalen"], villages["Wijster"]]}
    response = post_form("/analysis/clusters/new", data=data)
    assert response.status_code == 422
    assert "Another cluster already has this name." in response.text
    assert count(VillageCluster) == 1


def test_missing_name_is_refused(client, official, post_form, villages):
    data = {"name": " ", "villages": [villages["Hooghalen"], villages["Wijster"]]}
    response = post_form("/analysis/clusters/new", data=data)
    assert response.status_code == 422
    assert "Fill in a name for the cluster." in response.text


def test_official_changes_name_and_villages(client, official, post_form, cluster, villages):
    url = f"/analysis/clusters/{cluster.id}/edit"
    form = client.get(url).text
    assert 'value="Zuid"' in form
    assert re.search(rf'<input checked[^>]*value="{villages["Garminge"]}"', form)
    chosen = [villages["Orvelte"], villages["Hooghalen"], villages["Wijster"]]
    response = post_form(url, data={"name": "Zuidoost", "villages": chosen})
    assert response.status_code == 303
    changed = reloaded(cluster.id)
    assert (changed.name, names(changed)) == ("Zuidoost", ["Hooghalen", "Orvelte", "Wijster"])
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "clusters.updated"))
    assert event.one().detail == {
        "name": "Zuidoost",
        "villages": sorted(chosen),
        "before": {"name": "Zuid", "villages": sorted([villages["Orvelte"], villages["Garminge"]])},
    }


def test_a_refused_change_keeps_the_entries(client, official, post_form, cluster, villages):
    url = f"/analysis/clusters/{cluster.id}/edit"
    response = post_form(url, data={"name": "Zuidoost", "villages": [villages["Wijster"]]})
    assert response.status_code == 422
    assert 'value="Zuidoost"' in response.text
    assert "Tick at least two villages." in response.text
    unchanged = reloaded(cluster.id)
    assert (unchanged.name, names(unchanged)) == ("Zuid", ["Garminge", "Orvelte"])


# A wave keeps the clusters it closed with ------------------------------------------------


def closed_section(page: str) -> str:
    return page.split('id="closed-waves"')[1]


def test_closing_a_wave_keeps_its_clusters_and_the_page_says_so(
    client, official, post_form, cluster, villages, make_margins, make_wave
):
    make_margins()
    survey = make_wave(close=False)
    assert closed_section(client.get("/analysis/clusters").text).count("<tr") == 0
    page = client.get("/analysis/clusters").text
    assert f"Open now, so changes apply to: {survey.title}." in page
    post_form(f"/surveys/{survey.id}", f"/surveys/{survey.id}/close")
    page = client.get("/analysis/clusters").text
    assert "changes apply to the waves that have not closed yet" in page
    assert "Open now" not in page
    row = re.search(r"<th[^>]*>Zuid</th>.*?</tr>", page, re.S).group(0)
    assert survey.title in row  # used by the closed wave
    assert "Zuid: Garminge, Orvelte" in closed_section(page)


def test_a_cluster_changes_freely_after_a_wave_closed_which_keeps_the_old_one(
    client, official, post_form, cluster, villages, make_margins, make_wave
):
    """Through the page: the change is saved, the closed wave's figures keep the clusters
    it closed with, and a wave that closes later takes the changed cluster."""
    make_margins()
    closed = make_wave()  # closed with Zuid = Garminge, Orvelte
    url = f"/analysis/clusters/{cluster.id}/edit"
    assert "Closed waves keep the clusters they had" in client.get(url).text
    chosen = [villages["Orvelte"], villages["Hooghalen"]]
    response = post_form(url, data={"name": "Zuid", "villages": chosen})
    assert response.status_code == 303
    assert names(reloaded(cluster.id)) == ["Hooghalen", "Orvelte"]
    page = client.get("/analysis/clusters").text
    row = re.search(r"<th[^>]*>Zuid</th>.*?</tr>", page, re.S).group(0)
    assert closed.title not in row and "none yet" in row
    assert "Zuid: Garminge, Orvelte" in closed_section(page)

    run = services.run_now(closed)
    assert run.status is RunStatus.SUCCEEDED
    assert run.settings["clusters"] == {"Zuid": ["Garminge", "Orvelte"]}
    later = make_wave(opens_on=date(2026, 9, 1), seed=5)
    assert services.run_now(later).settings["clusters"] == {"Zuid": ["Hooghalen", "Orvelte"]}


def test_a_cluster_deleted_after_a_wave_closed_still_counts_for_that_wave(
    client, official, post_form, cluster, make_margins, make_wave
):
    make_margins()
    survey = make_wave()
    assert post_form(f"/analysis/clusters/{cluster.id}/delete").status_code == 303
    assert count(VillageCluster) == 0
    assert "Zuid: Garminge, Orvelte" in closed_section(client.get("/analysis/clusters").text)
    run = services.run_now(survey)
    zuid = [f for f in run.figures if f.area_kind is AreaKind.CLUSTER and f.area == "Zuid"]
    assert zuid and all(f.village_id is None for f in zuid)


def test_reopening_and_closing_again_takes_the_clusters_anew(
    cluster, villages, make_margins, make_wave
):
    survey = make_wave()
    assert clusters.closed_waves()[0].clusters == {"Zuid": ["Garminge", "Orvelte"]}
    clusters.update_cluster(
        cluster, "Zuid", [village_by_name("Wijster"), village_by_name("Orvelte")]
    )
    survey_services.reopen(survey, survey.opens_on + timedelta(days=60), survey.opens_on)
    survey_services.close(survey)
    db.session.commit()
    assert clusters.closed_waves()[0].clusters == {"Zuid": ["Orvelte", "Wijster"]}


# Deleting ------------------------------------------------------------------------------


def test_official_deletes_a_cluster(client, official, post_form, cluster, villages):
    url = f"/analysis/clusters/{cluster.id}/delete"
    assert "Delete the cluster “Zuid”?" in client.get(url).text
    response = post_form(url)
    assert response.status_code == 303
    assert "The cluster “Zuid” has been deleted." in client.get(response.location).text
    assert count(VillageCluster) == 0
    assert village_by_name("Orvelte") is not None  # the villages stay
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "clusters.deleted"))
    assert event.one().detail == {
        "name": "Zuid",
        "villages": sorted([villages["Orvelte"], villages["Garminge"]]),
    }


# The service on its own ----------------------------------------------------------------


def test_service_refuses_and_says_why(villages):
    orvelte, hooghalen = village_by_name("Orvelte"), village_by_name("Hooghalen")
    with pytest.raises(clusters.ClusterRefused) as refused:
        clusters.create_cluster("Een", [orvelte, orvelte])
    assert refused.value.problem is clusters.ClusterProblem.TOO_FEW_VILLAGES
    clusters.create_cluster("Twee", [orvelte, hooghalen])
    with pytest.raises(clusters.ClusterRefused) as refused:
        clusters.create_cluster("Drie", [orvelte, village_by_name("Wijster")])
    assert refused.value.problem is clusters.ClusterProblem.VILLAGE_IN_OTHER_CLUSTER
    assert refused.value.villages == ("Orvelte",)


# Default clusters ----------------------------------------------------------------------


def test_the_default_clusters_cover_every_small_village_and_no_large_one(seeded):
    made, skipped = clusters.add_default_clusters(CLUSTERS)
    db.session.commit()
    assert len(made) == len(CLUSTERS) and skipped == []
    clustered = {v.name for c in clusters.all_clusters() for v in c.villages}
    alone = {v.name for v in panel_villages()} - clustered
    assert alone == {
        "Beilen", "Bovensmilde", "Drijber", "Hoogersmilde", "Nieuw-Balinge", "Smilde",
        "Westerbork", "Wijster", "Witteveen",
    }  # fmt: skip
    large = {v.name for v in panel_villages() if v.kind is VillageKind.LARGE_VILLAGE}
    assert not large & clustered
    # the associations that span several villages are one cluster each
    for association in ("Plaatselijk Belang Broekstreek", "Buurtvereniging Holthe-Lieving-Makkum"):
        spanned = {
            v.name
            for v in db.session.scalars(select(Association).where(Association.name == association))
            .one()
            .villages
        }
        assert any(spanned <= {v.name for v in c.villages} for c in clusters.all_clusters())
    small = [v for v in panel_villages() if v.name in alone and (v.population or 0) < 400]
    assert small == []  # every village under 400 inhabitants is in a cluster


def test_the_command_adds_the_defaults_once_and_keeps_an_officials_cluster(app, seeded):
    clusters.create_cluster("Eigen", [village_by_name("Orvelte"), village_by_name("Wijster")])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["villages", "default-clusters"])
    assert result.exit_code == 0, result.output
    assert "Added Broekstreek: Balinge, Garminge, Mantinge" in result.output
    assert "Left out Orvelte en Zwiggelte: village_in_other_cluster" in result.output
    db.session.expire_all()
    assert names(
        db.session.scalars(select(VillageCluster).where(VillageCluster.name == "Eigen")).one()
    ) == ["Orvelte", "Wijster"]
    assert count(VillageCluster) == len(CLUSTERS)  # seven defaults and the official's
    again = app.test_cli_runner().invoke(args=["villages", "default-clusters"])
    assert "Added" not in again.output and count(VillageCluster) == len(CLUSTERS)


# Existing installs ---------------------------------------------------------------------

MIGRATIONS = str(Path(__file__).resolve().parent.parent.parent / "migrations")
BEFORE_SNAPSHOTS = "e5b2c9d41a07"


def test_the_migration_gives_closed_waves_the_clusters_they_were_published_with(
    app, cluster, make_margins, make_wave
):
    """A published wave keeps its published clusters; a closed one not yet published gets
    today's (what its next run would have used); an open one gets none until it closes."""
    make_margins()
    published = make_wave(seed=1)
    release_run(services.run_now(published), by=None)
    changed = [village_by_name("Orvelte"), village_by_name("Wijster")]
    clusters.update_cluster(cluster, "Zuid", changed)
    waiting = make_wave(seed=2)
    still_open = make_wave(seed=3, close=False)
    db.session.commit()
    ids = (published.id, waiting.id, still_open.id)
    db.session.remove()
    try:
        downgrade(directory=MIGRATIONS, revision=BEFORE_SNAPSHOTS)
        db.engine.dispose()
    finally:
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    kept = {s.survey_id: s.clusters for s in db.session.scalars(select(ClusterSnapshot))}
    assert kept == {
        ids[0]: {"Zuid": ["Garminge", "Orvelte"]},
        ids[1]: {"Zuid": ["Orvelte", "Wijster"]},
    }
