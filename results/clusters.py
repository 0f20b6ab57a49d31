"""Village clusters (disclosure rule 5): fixed groups of small villages whose figures are
published together. Officials make them; once a run used one, its villages never change.

Callers commit.
"""

from __future__ import annotations

import enum

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from audit.services import record
from core.db import db
from results import services
from results.models import AnalysisRun, ClusterLocked, VillageCluster, cluster_villages
from surveys.models import Survey, SurveyKind
from villages.models import Village

#: Fewer than two villages is no group: the one village's figure would be published alone.
MIN_VILLAGES = 2


class ClusterProblem(enum.Enum):
    TOO_FEW_VILLAGES = "too_few_villages"
    VILLAGE_IN_OTHER_CLUSTER = "village_in_other_cluster"
    NAME_TAKEN = "name_taken"
    LOCKED = "locked"  #: used in a run: its villages stay and it stays


class ClusterRefused(ValueError):
    """Nothing was changed; `problem` says why, `villages` names the villages concerned."""

    def __init__(self, problem: ClusterProblem, villages: tuple[str, ...] = ()):
        super().__init__(problem.value)
        self.problem, self.villages = problem, villages


def all_clusters() -> list[VillageCluster]:
    """Every cluster with its villages, by name, in two queries."""
    statement = (
        select(VillageCluster)
        .options(selectinload(VillageCluster.villages))
        .order_by(VillageCluster.name)
    )
    return list(db.session.scalars(statement))


def clusters_by_village(leaving_out: VillageCluster | None = None) -> dict[int, str]:
    """Village id -> the name of the cluster it is in, apart from `leaving_out`."""
    statement = select(cluster_villages.c.village_id, VillageCluster.name).join(
        VillageCluster, VillageCluster.id == cluster_villages.c.cluster_id
    )
    if leaving_out is not None:
        statement = statement.where(VillageCluster.id != leaving_out.id)
    return {village_id: name for village_id, name in db.session.execute(statement)}


# Which figures a cluster applies to ---------------------------------------------------------
# A wave's figures keep the clusters of its first published (released) run, also when
# computed again (results.services.settings_for): beside the published figures, other
# clusters could give away a small village's. So a new or changed cluster applies from the
# next wave.


def kept_clusters(survey: Survey) -> AnalysisRun | None:
    """The wave's first published run, when it used other clusters than there are now."""
    first = services.first_published_run(survey)
    if first is None:
        return None
    return first if _groups(first) != {_group(c) for c in all_clusters()} else None


def newest_published_wave() -> tuple[Survey | None, set[int]]:
    """The newest wave with published figures, and the clusters (ids) it does not use."""
    waves = (s for s, published, _ in services.finished_surveys() if published)
    # A village vision uses no clusters.
    survey = next((s for s in waves if s.kind is not SurveyKind.VILLAGE_VISION), None)
    if survey is None:
        return None, set()
    used = _groups(services.first_published_run(survey))
    return survey, {c.id for c in all_clusters() if _group(c) not in used}


def _groups(run: AnalysisRun) -> set[frozenset[str]]:
    """A run's clusters as sets of village names: a renamed cluster is still the same."""
    return {frozenset(villages) for villages in run.settings.get("clusters", {}).values()}


def _group(cluster: VillageCluster) -> frozenset[str]:
    return frozenset(village.name for village in cluster.villages)


def create_cluster(name: str, villages: list[Village]) -> VillageCluster:
    """A new cluster; the same name with the same villages again (a double click) finds
    the cluster already made."""
    twin = _named(name)
    if twin is not None and _ids(twin.villages) == _ids(villages):
        return twin
    _check(name, villages, None)
    cluster = VillageCluster(name=name, villages=list(villages))
    db.session.add(cluster)
    db.session.flush()
    record("clusters.created", cluster, name=name, villages=sorted(_ids(villages)))
    return cluster


def update_cluster(cluster: VillageCluster, name: str, villages: list[Village]) -> None:
    """Rename a cluster or change its villages; a locked cluster may only be renamed."""
    if cluster.locked and _ids(villages) != _ids(cluster.villages):
        raise ClusterRefused(ClusterProblem.LOCKED)  # said first: the other rules are moot
    _check(name, villages, cluster)
    before = {"name": cluster.name, "villages": sorted(_ids(cluster.villages))}
    if before == {"name": name, "villages": sorted(_ids(villages))}:
        return  # saved again unchanged, or a double click: nothing to record
    cluster.replace_villages(list(villages))
    cluster.name = name
    db.session.flush()
    record(
        "clusters.updated",
        cluster,
        name=name,
        villages=sorted(_ids(villages)),
        before=before,
    )


def delete_cluster(cluster: VillageCluster) -> None:
    """Delete a cluster no run has used yet."""
    try:
        cluster.ensure_deletable()
    except ClusterLocked:
        raise ClusterRefused(ClusterProblem.LOCKED) from None
    record("clusters.deleted", cluster, name=cluster.name, villages=sorted(_ids(cluster.villages)))
    db.session.delete(cluster)
    db.session.flush()


def _check(name: str, villages: list[Village], cluster: VillageCluster | None) -> None:
    """The rules the database cannot say in words: at least two villages, each in one
    cluster only, and a name no other cluster has (in any capitals)."""
    twin = _named(name)
    if twin is not None and twin is not cluster:
        raise ClusterRefused(ClusterProblem.NAME_TAKEN)
    if len(_ids(villages)) < MIN_VILLAGES:
        raise ClusterRefused(ClusterProblem.TOO_FEW_VILLAGES)
    taken = clusters_by_village(leaving_out=cluster)
    elsewhere = tuple(v.name for v in villages if v.id in taken)
    if elsewhere:
        raise ClusterRefused(ClusterProblem.VILLAGE_IN_OTHER_CLUSTER, elsewhere)


def _named(name: str) -> VillageCluster | None:
    return db.session.scalar(
        select(VillageCluster).where(func.lower(VillageCluster.name) == name.lower())
    )


def _ids(villages: list[Village]) -> set[int]:
    return {village.id for village in villages}
