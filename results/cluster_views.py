"""Officials keep the village clusters: small villages whose figures are published
together (disclosure rule 5). A change applies to the waves not closed yet."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.permissions import official_required
from core.db import db
from core.forms import ButtonForm
from results import clusters
from results.forms import ClusterForm
from results.models import VillageCluster
from villages.queries import panel_villages

bp = Blueprint("clusters", __name__, url_prefix="/analysis/clusters")


def _cluster(cluster_id: int) -> VillageCluster:
    """The cluster, or 404; a POST locks its row until the commit."""
    locking = request.method == "POST"
    return db.session.get(VillageCluster, cluster_id, with_for_update=locking) or abort(404)


def _chosen(form: ClusterForm) -> list:
    chosen = set(form.villages.data or ())
    return [village for village in panel_villages() if village.id in chosen]


@bp.get("")
@official_required
def index():
    """Every cluster with its villages and the closed waves that use it; the clusters each
    closed wave keeps; the open waves a change applies to."""
    return render_template(
        "results/clusters/index.html",
        clusters=clusters.all_clusters(),
        closed_waves=clusters.closed_waves(),
        open_waves=clusters.open_waves(),
    )


@bp.route("/new", methods=["GET", "POST"])
@official_required
def new():
    """Group two or more villages that are in no cluster yet."""
    form = ClusterForm(panel_villages(), clusters.clusters_by_village())
    if form.validate_on_submit():
        try:
            cluster = clusters.create_cluster(form.name.data, _chosen(form))
        except clusters.ClusterRefused as refused:
            form.refuse(refused)
        else:
            db.session.commit()
            flash(_("The cluster “%(name)s” has been saved.", name=cluster.name), "ok")
            return redirect(url_for(".index"), 303)
    return _form_page(form, None)


@bp.route("/<int:cluster_id>/edit", methods=["GET", "POST"])
@official_required
def edit(cluster_id: int):
    """Rename a cluster or change its villages, for the waves not closed yet."""
    cluster = _cluster(cluster_id)
    current = {"name": cluster.name, "villages": [v.id for v in cluster.villages]}
    form = ClusterForm(panel_villages(), clusters.clusters_by_village(cluster), data=current)
    if form.validate_on_submit():
        try:
            clusters.update_cluster(cluster, form.name.data, _chosen(form))
        except clusters.ClusterRefused as refused:
            form.refuse(refused)
        else:
            db.session.commit()
            flash(_("The cluster “%(name)s” has been saved.", name=cluster.name), "ok")
            return redirect(url_for(".index"), 303)
    return _form_page(form, cluster)


@bp.route("/<int:cluster_id>/delete", methods=["GET", "POST"])
@official_required
def delete(cluster_id: int):
    """Ask, then delete a cluster; closed waves keep the clusters they had."""
    cluster = _cluster(cluster_id)
    form = ButtonForm()
    if request.method == "GET":
        return render_template("results/clusters/delete.html", cluster=cluster, form=form)
    if not form.validate_on_submit():
        abort(400)
    name = cluster.name
    clusters.delete_cluster(cluster)
    db.session.commit()
    flash(_("The cluster “%(name)s” has been deleted.", name=name), "ok")
    return redirect(url_for(".index"), 303)


def _form_page(form: ClusterForm, cluster: VillageCluster | None):
    status = 422 if form.errors else 200
    return render_template("results/clusters/form.html", form=form, cluster=cluster), status
