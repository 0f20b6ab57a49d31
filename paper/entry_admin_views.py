"""Officials organise a survey's paper entry: which volunteers may enter (and who of them
may decide differences), whether one entry per sheet is enough, and how entry is going."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.models import Account, Role
from accounts.permissions import official_required
from core.db import db, utcnow
from core.forms import ButtonForm
from paper import access, entry, entry_report
from paper.entry_forms import GrantForm, SingleEntryForm
from surveys.models import Survey

bp = Blueprint("paper_entry_admin", __name__, url_prefix="/surveys")


@bp.get("/<int:survey_id>/paper/entry")
@official_required
def show(survey_id: int):
    """Volunteers with access, the single-entry setting, and the report."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    return _page(survey, _grant_form(survey), _single_form(survey))


def _grant_form(survey: Survey, **kwargs) -> GrantForm:
    granted = {a.account_id for a in access.accesses(survey)}
    candidates = [a for a in access.volunteers() if a.id not in granted]
    return GrantForm(volunteers=candidates, **kwargs)


def _single_form(survey: Survey, **kwargs) -> SingleEntryForm:
    form = SingleEntryForm(**kwargs)
    if not form.is_submitted():
        form.single_entry.data = access.single_entry(survey.id)
    return form


def _page(survey: Survey, grant_form: GrantForm, single_form: SingleEntryForm, status=200):
    html = render_template(
        "paper/entry/admin.html",
        survey=survey,
        accesses=access.accesses(survey),
        grant_form=grant_form,
        single_form=single_form,
        button=ButtonForm(),
        report=entry_report.survey_entry(survey.id),
        volunteers=entry_report.volunteer_entry(survey.id),
        waiting=len(entry.waiting_for_resolution(survey.id)),
    )
    return html, status


@bp.post("/<int:survey_id>/paper/entry/access")
@official_required
def grant(survey_id: int):
    """Give a volunteer access to this survey's entry (or change their senior flag)."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    form = _grant_form(survey)
    volunteer = db.session.get(Account, form.account.data or 0) if form.validate() else None
    if volunteer is None or not volunteer.has_role(Role.VOLUNTEER):
        if not form.account.errors:
            form.account.errors = [_("Choose a volunteer.")]
        return _page(survey, form, _single_form(survey, formdata=None), 422)
    access.grant(survey, volunteer, form.senior.data, g.account, utcnow())
    db.session.commit()
    flash(_("%(name)s may enter paper questionnaires of this survey.", name=_name(volunteer)), "ok")
    return redirect(url_for(".show", survey_id=survey_id), 303)


@bp.post("/<int:survey_id>/paper/entry/access/<int:account_id>/senior")
@official_required
def toggle_senior(survey_id: int, account_id: int):
    """Make a volunteer with access senior, or not senior any more. The button says which
    (not "the other way"), so sending it twice changes nothing more."""
    survey, volunteer = _survey_and_volunteer(survey_id, account_id)
    access.access_of(volunteer, survey_id) or abort(404)
    senior = request.form.get("senior") == "1"
    access.grant(survey, volunteer, senior, g.account, utcnow())
    db.session.commit()
    return redirect(url_for(".show", survey_id=survey_id), 303)


@bp.post("/<int:survey_id>/paper/entry/access/<int:account_id>/revoke")
@official_required
def revoke(survey_id: int, account_id: int):
    """Take a volunteer's access to this survey's entry away (idempotent)."""
    survey, volunteer = _survey_and_volunteer(survey_id, account_id)
    if access.revoke(survey, volunteer):
        flash(_("%(name)s no longer enters for this survey.", name=_name(volunteer)), "ok")
    db.session.commit()
    return redirect(url_for(".show", survey_id=survey_id), 303)


def _survey_and_volunteer(survey_id: int, account_id: int) -> tuple[Survey, Account]:
    survey = db.session.get(Survey, survey_id) or abort(404)
    volunteer = db.session.get(Account, account_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return survey, volunteer


@bp.post("/<int:survey_id>/paper/entry/single")
@official_required
def single_entry(survey_id: int):
    """Allow one entry per sheet for this survey, or require two again."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    form = SingleEntryForm()
    if not form.validate():
        abort(400)
    access.set_single_entry(survey, form.single_entry.data, g.account, utcnow())
    db.session.commit()
    if form.single_entry.data:
        flash(_("Single entry is allowed: each sheet is entered once, and marked so."), "ok")
    else:
        flash(_("Each sheet is entered twice again."), "ok")
    return redirect(url_for(".show", survey_id=survey_id), 303)


def _name(account: Account) -> str:
    return account.name or account.email
