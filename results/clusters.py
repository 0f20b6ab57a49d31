"""Village clusters (disclosure rule 5): groups of small villages whose figures are
published together. Officials make and change them at any time; a wave keeps the clusters
it had when it closed (a snapshot), so a change applies to the waves not closed yet.

Callers commit.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from audit.services import record
from core.db import db, utcnow
from results import services
from results.models import AnalysisRun, ClusterSnapshot, VillageCluster, cluster_villages
from surveys.models import Survey, SurveyStatus
from villages.models import Village

log = logging.getLogger(__name__)

#: Fewer than two villages is no group: the one village's figure would be published alone.
MIN_VILLAGES = 2


class ClusterProblem(enum.Enum):
    TOO_FEW_VILLAGES = "too_few_villages"
    VILLAGE_IN_OTHER_CLUSTER = "village_in_other_cluster"
    NAME_TAKEN = "name_taken"


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


# Which waves use which clusters -------------------------------------------------------------
# A wave's figures use the clusters it closed with, also when computed again: beside its
# figures, figures of other clusters could give away a small village's. So changing a
# cluster never touches a closed wave; it applies to the waves still open or to come.


def take_snapshot(survey: Survey) -> ClusterSnapshot:
    """Keep the clusters of this moment for the wave that closes now; closing again after
    a reopening takes them anew."""
    clusters = {c.name: sorted(v.name for v in c.villages) for c in all_clusters()}
    snapshot = db.session.get(ClusterSnapshot, survey.id)
    if snapshot is None:
        snapshot = ClusterSnapshot(survey_id=survey.id, clusters=clusters)
        db.session.add(snapshot)
    else:
        snapshot.clusters, snapshot.taken_at = clusters, utcnow()
    db.session.flush()
    log.info("Survey %s closed with %s village clusters", survey.id, len(clusters))
    return snapshot


@dataclass(frozen=True)
class ClosedWave:
    survey: Survey
    #: cluster name -> its village names, as the wave closed.
    clusters: dict[str, list[str]]

    def uses(self, cluster: VillageCluster) -> bool:
        """Whether this wave's figures group exactly the cluster's villages (by any name)."""
        return _group(cluster) in {frozenset(names) for names in self.clusters.values()}


def closed_waves() -> list[ClosedWave]:
    """The closed waves with the clusters each keeps, newest first."""
    rows = db.session.execute(
        select(Survey, ClusterSnapshot.clusters)
        .join(ClusterSnapshot, ClusterSnapshot.survey_id == Survey.id)
        .where(Survey.status.in_([SurveyStatus.CLOSED, SurveyStatus.ARCHIVED]))
    ).all()
    waves = [ClosedWave(survey, clusters) for survey, clusters in rows]
    return sorted(waves, key=lambda w: (w.survey.closes_on, w.survey.id), reverse=True)


def open_waves() -> list[Survey]:
    """The waves answered now: a change to the clusters applies to them when they close."""
    statement = select(Survey).where(Survey.status == SurveyStatus.PUBLISHED)
    return list(db.session.scalars(statement.order_by(Survey.closes_on, Survey.id)))


def kept_clusters(survey: Survey) -> AnalysisRun | None:
    """The wave's first published run, when it used other clusters than there are now."""
    return clusters_kept_by(services.first_published_run(survey))


def clusters_kept_by(first: AnalysisRun | None) -> AnalysisRun | None:
    """`first` (a wave's first published run), when it used other clusters than there
    are now."""
    if first is None:
        return None
    used = {frozenset(names) for names in first.settings.get("clusters", {}).values()}
    return first if used != current_groups() else None


def current_groups() -> set[frozenset[str]]:
    """The village names of each cluster now, in one statement (a cluster left without
    villages is an empty group)."""
    groups: dict[int, set[str]] = {}
    for cluster_id, name in db.session.execute(_cluster_villages()):
        names = groups.setdefault(cluster_id, set())
        if name is not None:
            names.add(name)
    return {frozenset(names) for names in groups.values()}


@cache
def _cluster_villages() -> Select:
    """Built once: building this statement costs more than running it."""
    return (
        select(VillageCluster.id, Village.name)
        .outerjoin(cluster_villages, cluster_villages.c.cluster_id == VillageCluster.id)
        .outerjoin(Village, Village.id == cluster_villages.c.village_id)
    )


def _group(cluster: VillageCluster) -> frozenset[str]:
    return frozenset(village.name for village in cluster.villages)


# Default clusters ---------------------------------------------------------------------------


def add_default_clusters(
    defaults: Iterable[tuple[str, Sequence[str], str]],
) -> tuple[list[VillageCluster], list[tuple[str, str]]]:
    """The default clusters (villages.seed_data.CLUSTERS) an install does not have yet:
    those made, and those left out with why. Never changes a cluster officials made: a
    default whose name is taken, or with a village already in a cluster, is left out."""
    made, skipped = [], []
    for name, names, _reason in defaults:
        villages = list(db.session.scalars(select(Village).where(Village.name.in_(names))))
        if len(villages) < len(names):
            skipped.append((name, "a village is missing"))
            continue
        if _named(name) is not None:
            skipped.append((name, "already there"))
            continue
        try:
            made.append(create_cluster(name, villages))
        except ClusterRefused as refused:
            skipped.append((name, refused.problem.value))
    return made, skipped


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
    """Rename a cluster or change its villages; closed waves keep the clusters they had."""
    _check(name, villages, cluster)
    before = {"name": cluster.name, "villages": sorted(_ids(cluster.villages))}
    if before == {"name": name, "villages": sorted(_ids(villages))}:
        return  # saved again unchanged, or a double click: nothing to record
    cluster.villages = list(villages)
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
    """Delete a cluster; closed waves keep the clusters they had."""
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
