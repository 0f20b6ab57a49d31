"""Village clusters as officials keep them: make, change, delete; every refusal saves
nothing and says why at the field; a cluster used for published figures keeps its villages.

Officials read the pages in English, so the texts the tests look for stay put when the
Dutch translations arrive."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import db, utcnow
from results import clusters
from results.models import VillageCluster
from tests.conftest import csrf_token_from
from tests.helpers import count
from villages.queries import village_by_name

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


def lock(cluster: VillageCluster) -> None:
    cluster.first_used_at = utcnow()
    db.session.commit()


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
    assert (made.name, names(made), made.locked) == ("Noord", ["Hooghalen", "Wijster"], False)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "clusters.created"))
    event = event.one()
    assert (event.actor_id, event.object_id) == (official.id, str(made.id))
    assert event.detail == {"name": "Noord", "villages": sorted(chosen)}
    page = client.get(response.location).text
    assert "The cluster “Noord” has been saved." in page
    assert "Hooghalen, Wijster" in page and "Not used yet" in page


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


# Locked clusters -----------------------------------------------------------------------


def test_a_locked_cluster_keeps_its_villages(client, official, post_form, cluster, villages):
    lock(cluster)
    url = f"/analysis/clusters/{cluster.id}/edit"
    form = client.get(url).text
    assert "so its villages stay as they are" in form
    assert "checkbox" not in form  # shown as text, not as boxes to untick
    response = post_form(
        url, data={"name": "Zuid", "villages": [villages["Orvelte"], villages["Wijster"]]}
    )
    assert response.status_code == 422
    assert "its villages can no longer change" in response.text
    assert names(reloaded(cluster.id)) == ["Garminge", "Orvelte"]
    assert "clusters.updated" not in actions()


def test_a_locked_cluster_can_be_renamed(client, official, post_form, cluster, villages):
    """The form sends the villages back unchanged, as the browser does."""
    lock(cluster)
    url = f"/analysis/clusters/{cluster.id}/edit"
    form = client.get(url).text
    kept = re.findall(r'type="hidden" name="villages" value="(\d+)"', form)
    assert sorted(map(int, kept)) == sorted([villages["Orvelte"], villages["Garminge"]])
    response = post_form(url, data={"name": "Zuid (2026)", "villages": kept})
    assert response.status_code == 303
    assert reloaded(cluster.id).name == "Zuid (2026)"


def test_a_locked_cluster_cannot_be_deleted(client, official, post_form, cluster):
    lock(cluster)
    url = f"/analysis/clusters/{cluster.id}/delete"
    page = client.get(url).text
    assert "cannot be deleted" in page and f'action="{url}"' not in page
    response = post_form("/analysis/clusters", url)
    assert response.status_code == 303
    assert "so it cannot be deleted" in client.get(response.location).text
    assert reloaded(cluster.id) is not None
    assert "clusters.deleted" not in actions()


def test_locked_clusters_are_marked_in_the_list(client, official, cluster):
    lock(cluster)
    page = client.get("/analysis/clusters").text
    assert "Locked" in page
    assert f"/analysis/clusters/{cluster.id}/delete" not in page


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
    made = clusters.create_cluster("Twee", [orvelte, hooghalen])
    made.first_used_at = utcnow()
    with pytest.raises(clusters.ClusterRefused) as refused:
        clusters.delete_cluster(made)
    assert refused.value.problem is clusters.ClusterProblem.LOCKED
    with pytest.raises(clusters.ClusterRefused) as refused:
        clusters.update_cluster(made, "Twee", [orvelte])
    assert refused.value.problem is clusters.ClusterProblem.LOCKED
