"""Officials manage people: invite, change or revoke roles, hand over a village's access."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts import queries, services
from accounts.forms import HandOverForm, InviteForm
from accounts.models import Account, Role, RoleGrant
from accounts.permissions import official_required
from audit.services import record
from core.db import db
from core.forms import ButtonForm
from villages import queries as villages

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.get("/")
@official_required
def index():
    """Everyone who can log in, with roles and last login."""
    role = (
        Role(request.args["role"]) if request.args.get("role") in Role._value2member_map_ else None
    )
    people = queries.accounts_with_grants(role)
    record("people.viewed", None, role=role.value if role else None, count=len(people))
    db.session.commit()
    return render_template("accounts/people.html", people=people, role=role, roles=list(Role))


@bp.route("/invite", methods=["GET", "POST"])
@official_required
def invite():
    """Invite a person by email with a role (and a village for associations)."""
    form = InviteForm(villages.all_villages(), email=request.args.get("email", ""))
    if form.validate_on_submit():
        village = db.session.get(villages.Village, form.village.data) if form.village.data else None
        account = services.invite(
            form.email.data,
            Role(form.role.data),
            village,
            g.account,
            form.name.data,
            form.language.data,
        )
        db.session.commit()
        flash(_("Invitation sent to %(email)s.", email=account.email), "ok")
        return redirect(url_for("people.show", account_id=account.id), 303)
    return render_template("accounts/invite.html", form=form)


@bp.route("/hand-over", methods=["GET", "POST"])
@official_required
def hand_over():
    """Give a village's association access to a new board member: fill in, review, confirm."""
    form = HandOverForm(villages.all_villages())
    if form.validate_on_submit() and "change" not in request.form:
        village = db.session.get(villages.Village, form.village.data) or abort(400)
        if "confirm" not in request.form:
            return render_template(
                "accounts/hand_over_confirm.html",
                form=form,
                village=village,
                losing=queries.association_members(village),
            )
        removed = services.hand_over_village(
            village, form.email.data, g.account, form.name.data, form.language.data
        )
        db.session.commit()
        flash(
            _(
                "%(village)s is handed over to %(email)s; %(count)s person(s) lost access.",
                village=village.name,
                email=services.normalise_email(form.email.data),
                count=len(removed),
            ),
            "ok",
        )
        return redirect(url_for("people.index", role=Role.ASSOCIATION.value), 303)
    return render_template("accounts/hand_over.html", form=form)


@bp.get("/<int:account_id>")
@official_required
def show(account_id: int):
    """One person's roles, with buttons to revoke each."""
    person = db.session.get(Account, account_id) or abort(404)
    record("person.viewed", person)
    db.session.commit()
    return render_template("accounts/person.html", person=person, button=ButtonForm())


@bp.post("/<int:account_id>/grants/<int:grant_id>/revoke")
@official_required
def revoke(account_id: int, grant_id: int):
    """Take one role away from a person."""
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.account_id != account_id or not ButtonForm().validate_on_submit():
        abort(404)
    if grant.account_id == g.account.id and grant.role is Role.OFFICIAL:
        flash(_("You cannot take away your own official role; ask another official."), "error")
        return redirect(url_for("people.show", account_id=account_id), 303)
    try:
        services.revoke_grant(grant)
    except services.LastOfficialError:
        flash(_("This is the last official; invite another official first."), "error")
        return redirect(url_for("people.show", account_id=account_id), 303)
    db.session.commit()
    flash(_("The role has been revoked."), "ok")
    return redirect(url_for("people.show", account_id=account_id), 303)
