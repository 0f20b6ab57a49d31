"""Officials invite the panel members in a survey's scope; members unsubscribe."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from accounts.permissions import official_required
from core.dates import local_today
from core.db import db
from core.forms import ButtonForm
from core.limits import limiter
from fieldwork import invitations
from fieldwork.links import member_id_for_unsubscribe
from panel.models import Member, MemberStatus
from results.clusters import clusters_by_village
from surveys.permissions import survey_for_viewing

bp = Blueprint("invitations", __name__)


def _unsubscribe_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


@bp.get("/surveys/<int:survey_id>/invitations")
@official_required
def index(survey_id: int):
    """Who gets an invitation per village, who not and why; the responses to expect and
    where they fall short of the disclosure threshold; what was sent; the send button."""
    survey = survey_for_viewing(survey_id)
    today = local_today()
    sent, sent_totals = invitations.sent_so_far(survey)
    preview = invitations.invitation_preview(survey, today)
    return render_template(
        "fieldwork/invitations/index.html",
        survey=survey,
        preview=preview,
        expected=invitations.expected_responses(survey, preview, clusters_by_village()),
        min_past_invitations=invitations.MIN_PAST_INVITATIONS,
        sent=sent,
        sent_totals=sent_totals,
        refused=invitations.why_not_sendable(survey, today, preview),
        job=invitations.sending_job(survey),
        form=ButtonForm(),
        too_few=preview.too_few,
        publishing=False,
    )


@bp.post("/surveys/<int:survey_id>/invitations")
@official_required
def send(survey_id: int):
    """Queue the invitations and follow their progress; a second click finds the same job."""
    survey = survey_for_viewing(survey_id, locking=True)  # one job per survey
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        job = invitations.start_sending(survey, g.account, local_today())
    except invitations.SendingRefused as refused:
        if refused.reason == "too_few":
            flash(_("Nobody is invited: this anonymous survey has too few members."), "error")
        else:
            flash(_("Invitations can only be sent while the survey is open."), "error")
        return redirect(url_for("invitations.index", survey_id=survey.id), 303)
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id), 303)


@bp.route("/afmelden/<token>", methods=["GET", "POST"])
@limiter.limit(_unsubscribe_limit)
def unsubscribe(token: str):
    """The unsubscribe link of every survey mail: explain, then leave on one click; no login."""
    member_id = member_id_for_unsubscribe(token)
    member = db.session.get(Member, member_id) if member_id is not None else None
    if member is None:
        return render_template("fieldwork/unsubscribe/invalid.html"), 404
    if member.status is MemberStatus.LEFT:
        return render_template("fieldwork/unsubscribe/done.html")
    form = ButtonForm()
    if form.validate_on_submit():
        invitations.unsubscribe(member)
        db.session.commit()
        return render_template("fieldwork/unsubscribe/done.html")
    return render_template("fieldwork/unsubscribe/confirm.html", form=form, token=token)
