"""Officials keep the village clusters: small villages whose figures are published
together (disclosure rule 5)."""

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
    """Every cluster with its villages, whether a run has locked it, and whether the newest
    published wave uses it (if not, it applies from the next wave)."""
    published_wave, waiting = clusters.newest_published_wave()
    return render_template(
        "results/clusters/index.html",
        clusters=clusters.all_clusters(),
        published_wave=published_wave,
        waiting=waiting,
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
    """Rename a cluster or change its villages (a locked one keeps its villages)."""
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
    """Ask, then delete a cluster no run has used."""
    cluster = _cluster(cluster_id)
    form = ButtonForm()
    if request.method == "GET":
        return render_template("results/clusters/delete.html", cluster=cluster, form=form)
    if not form.validate_on_submit():
        abort(400)
    name = cluster.name
    try:
        clusters.delete_cluster(cluster)
    except clusters.ClusterRefused:
        flash(_("This cluster was used for published figures, so it cannot be deleted."), "error")
        return redirect(url_for(".index"), 303)
    db.session.commit()
    flash(_("The cluster “%(name)s” has been deleted.", name=name), "ok")
    return redirect(url_for(".index"), 303)


def _form_page(form: ClusterForm, cluster: VillageCluster | None):
    status = 422 if form.errors else 200
    return render_template("results/clusters/form.html", form=form, cluster=cluster), status
