"""A member's own pages: profile, pause, leave, everything stored, delete (AVG/GDPR rights)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from accounts import sessions
from accounts.permissions import login_required
from audit.services import record
from core.dates import local_today
from core.db import db
from core.forms import ButtonForm
from fieldwork import queries as fieldwork
from panel import me_labels
from panel import me_services as services
from panel.me_forms import AssociationContactForm, DeleteForm, MyProfileForm, PauseForm
from panel.models import Member, MemberStatus
from panel.services import association_contact_allowed, member_for, privacy_consent, profile_of
from villages import queries as villages

bp = Blueprint("me", __name__, url_prefix="/me")
bp.add_app_template_global(me_labels.mail_kind_label, "mail_kind_label")


def _member() -> Member:
    """The logged-in account's membership; without one, back to the overview that explains."""
    member = member_for(g.account)
    if member is None:
        abort(redirect(url_for("me.overview"), 303))
    return member


def _back(message: str):
    flash(message, "ok")
    return redirect(url_for("me.overview"), 303)


@bp.get("/")
@login_required
def overview():
    """The member's details, consents, status and surveys, with what they can do."""
    member = member_for(g.account)
    if member is None:
        return render_template("panel/me/not_member.html")
    return render_template(
        "panel/me/overview.html",
        member=member,
        today=local_today(),
        privacy=privacy_consent(member),
        association_contact=association_contact_allowed(member),
        contact_form=AssociationContactForm(),
        button=ButtonForm(),
        open_surveys=fieldwork.open_surveys(member, local_today()),
        surveys=fieldwork.surveys_taken_part_in(member),
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit the profile and the name on the account; bad input keeps what was typed."""
    member = _member()
    form = MyProfileForm(villages=villages.all_villages())
    if form.validate_on_submit():
        services.change_my_profile(member, form.profile(), form.name.data or "")
        db.session.commit()
        return _back(_("Your details have been saved."))
    if request.method == "GET":
        form.fill_from(profile_of(member))
        form.name.data = g.account.name
    return render_template("panel/me/profile.html", form=form)


@bp.route("/pause", methods=["GET", "POST"])
@login_required
def pause():
    """Pause invitations up to a date, at most a year ahead."""
    member = _member()
    if member.status is MemberStatus.LEFT:
        return redirect(url_for("me.overview"), 303)
    today = local_today()
    form = PauseForm(today=today, until=member.paused_until)
    if form.validate_on_submit():
        services.pause(member, form.until.data)
        db.session.commit()
        return _back(
            _(
                "You will get no invitations up to and including %(date)s.",
                date=format_date(form.until.data, "long"),
            )
        )
    paused = member.is_paused(today)
    return render_template(
        "panel/me/pause.html", form=form, member=member, paused=paused, button=ButtonForm()
    )


@bp.post("/resume")
@login_required
def resume():
    """End a pause: invitations are welcome again."""
    member = _member()
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.resume(member)
    db.session.commit()
    return _back(_("Your pause has ended: you can be invited again."))


@bp.post("/association-contact")
@login_required
def association_contact():
    """Give or withdraw the consent to be contacted by the village association."""
    member = _member()
    form = AssociationContactForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_my_association_contact(member, form.wanted.data)
    db.session.commit()
    if form.wanted.data:
        return _back(_("Your village association may now contact you."))
    return _back(_("Your village association will no longer contact you."))


@bp.route("/leave", methods=["GET", "POST"])
@login_required
def leave():
    """Explain what leaving means, then leave on confirmation."""
    member = _member()
    form = ButtonForm()
    if member.status is MemberStatus.LEFT:
        return redirect(url_for("me.overview"), 303)
    if form.validate_on_submit():
        services.leave(member)
        db.session.commit()
        return _back(_("You have left the panel. You will get no more invitations."))
    return render_template("panel/me/leave.html", form=form)


@bp.post("/rejoin")
@login_required
def rejoin():
    """Join the panel again after leaving."""
    member = _member()
    if not ButtonForm().validate_on_submit():
        abort(400)
    if member.status is MemberStatus.LEFT:
        services.rejoin(member)
        db.session.commit()
    return _back(_("Welcome back: you are a panel member again."))


@bp.get("/export")
@login_required
def export():
    """Everything stored about the member, as a readable page."""
    member = _member()
    data = services.personal_data(g.account)
    record("member.exported", member, format="html")
    db.session.commit()
    return render_template("panel/me/export.html", data=data)


@bp.get("/export.json")
@login_required
def export_json():
    """Everything stored about the member, as a JSON download."""
    member = _member()
    body = services.as_json(services.personal_data(g.account))
    record("member.exported", member, format="json")
    db.session.commit()
    filename = f"naoberpanel-{local_today().isoformat()}.json"
    return (
        body,
        200,
        {
            "Content-Type": "application/json; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Say plainly what deletion means, ask once more, then delete at once."""
    _member()
    form = DeleteForm()
    keeps_account = services.keeps_account(g.account)
    if not form.validate_on_submit():
        return render_template("panel/me/delete.html", form=form, keeps_account=keeps_account)
    if not services.delete_account(g.account):
        db.session.commit()
        flash(_("Your panel membership has been deleted. Your staff account remains."), "ok")
        return redirect(url_for("accounts.account"), 303)
    sessions.log_out(everywhere=False)  # the account is gone: no other session can load it
    db.session.commit()
    flash(_("Your account and details have been deleted. Thank you for taking part."), "ok")
    return redirect(url_for("core.home"), 303)
