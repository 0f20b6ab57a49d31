"""Follow a job's progress, as a page and as JSON for the page's script."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for

from accounts.permissions import official_required
from core.db import db
from core.forms import ButtonForm
from jobs import services
from jobs.models import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

DEMO_JOB = "demo.count_villages"


def _job_or_404(job_id: str) -> Job:
    return services.get_job(job_id) or abort(404)


def _require_demo_jobs() -> None:
    if not current_app.config["DEMO_JOBS_ENABLED"]:
        abort(404)


@bp.get("/demo")
@official_required
def demo():
    """Explain the demo job and offer a button to start it."""
    _require_demo_jobs()
    return render_template("jobs/demo.html", form=ButtonForm())


@bp.post("/demo")
@official_required
def start_demo():
    """Queue the demo job and go to its progress page."""
    _require_demo_jobs()
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    job = services.enqueue(DEMO_JOB, delay=current_app.config["DEMO_JOB_DELAY"])
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id), 303)


@bp.get("/<job_id>")
@official_required
def show(job_id: str):
    """A job's status and progress; refreshes itself when JavaScript is available."""
    return render_template("jobs/show.html", job=_job_or_404(job_id))


@bp.get("/<job_id>.json")
@official_required
def status(job_id: str):
    """The job's state for the progress script."""
    job = _job_or_404(job_id)
    return {
        "id": job.id,
        "status": job.status.value,
        "finished": job.status.finished,
        "steps_done": job.steps_done,
        "steps_total": job.steps_total,
        "percent": job.percent,
        "detail": job.detail,
    }
