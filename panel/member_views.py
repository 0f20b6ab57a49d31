"""Officials find members for support (audited), register paper members, manage consent."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.models import Role
from accounts.permissions import official_required, roles_required
from audit.services import record
from core.dates import local_today
from core.db import db
from core.forms import ButtonForm
from core.once import create_once
from panel import join as joining
from panel import me_services
from panel import member_queries as queries
from panel.forms import (
    EraseMemberForm,
    MemberSearchForm,
    PaperMemberForm,
    PrivacyStatementForm,
    ReasonForm,
)
from panel.models import Member, MemberStatus
from panel.services import current_statement, default_statement_text, publish_statement
from villages.queries import all_villages

bp = Blueprint("members", __name__, url_prefix="/panel")


@bp.route("/members", methods=["GET", "POST"])
@roles_required(Role.OFFICIAL, Role.VOLUNTEER)
def search():
    """Find members by name, postcode, email address or respondent number. The reason is
    asked with it; the search and every member it shows are logged. Volunteers find paper
    members only, and do not open their details."""
    form = MemberSearchForm()
    official = g.account.has_role(Role.OFFICIAL)
    if not form.validate_on_submit():
        return _search_page(form, official, None), 422 if form.errors else 200
    found = queries.find_members(form.query.data, paper_only=not official)
    more, found = len(found) > queries.SEARCH_LIMIT, found[: queries.SEARCH_LIMIT]
    kind = queries.search_kind(form.query.data)
    record("member.searched", None, **_why(form), by=kind, found=bool(found), shown=len(found))
    if official and len(found) == 1 and kind != "name":
        return _show(found[0], form)
    for member in found:
        record("member.listed", member, **_why(form))
    db.session.commit()
    return _search_page(form, official, found, more=more)


def _search_page(form: MemberSearchForm, official: bool, found: list[Member] | None, **extra):
    return render_template(
        "panel/members/search.html",
        form=form,
        official=official,
        found=found,
        today=local_today(),
        **extra,
    )


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
@official_required
def show(member_id: int):
    """One member's contact data, profile, status and consents, after asking why."""
    member = db.session.get(Member, member_id) or abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("panel/members/reason.html", member=member, form=form), status
    return _show(member, form)


def _why(form: ReasonForm) -> dict:
    return {"reason": form.reason.data, "explanation": form.explanation.data or ""}


def _show(member: Member, form: ReasonForm):
    """Every view of a member's details is logged: who (the actor), what, when and why."""
    record("member.viewed", member, **_why(form))
    db.session.commit()
    return render_template(
        "panel/members/show.html",
        member=member,
        today=local_today(),
        statement=current_statement(),
        button=ButtonForm(),
    )


@bp.post("/members/<int:member_id>/export.json")
@official_required
def export(member_id: int):
    """Everything stored about a member, for a request by letter or phone (GDPR access)."""
    member = db.session.get(Member, member_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    body = me_services.as_json(me_services.member_personal_data(member))
    record("member.exported", member, format="json", on_request=True)
    db.session.commit()
    return (
        body,
        200,
        {
            "Content-Type": "application/json; charset=utf-8",
            "Content-Disposition": f'attachment; filename="panellid-{member.id}.json"',
        },
    )


@bp.post("/members/<int:member_id>/leave")
@official_required
def leave(member_id: int):
    """Take a member off the panel at their request (paper members write or call)."""
    member = db.session.get(Member, member_id) or abort(404)
    if not ButtonForm().validate_on_submit() or member.status is MemberStatus.LEFT:
        abort(400)
    me_services.leave(member)
    db.session.commit()
    flash(_("The member has left the panel and gets no more invitations."), "ok")
    return redirect(url_for("members.search"), 303)


@bp.route("/members/<int:member_id>/delete", methods=["GET", "POST"])
@official_required
def erase(member_id: int):
    """Delete a member who asked for it, e.g. a paper member by phone; asks once more."""
    member = db.session.get(Member, member_id) or abort(404)
    form = EraseMemberForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("panel/members/erase.html", member=member, form=form), status
    me_services.delete_member_on_request(member)
    db.session.commit()
    flash(_("The member's details have been deleted."), "ok")
    return redirect(url_for("members.search"), 303)


@bp.route("/members/paper", methods=["GET", "POST"])
@roles_required(Role.OFFICIAL, Role.VOLUNTEER)
def register_paper():
    """Register a resident who answers on paper: no email, postal address as contact."""
    statement = current_statement()
    if statement is None:
        return render_template("panel/join/unavailable.html"), 503
    form = PaperMemberForm(villages=all_villages())
    if form.validate_on_submit():
        profile, contact, wanted = form.profile(), form.contact(), form.association_contact.data
        member_id, _made = create_once(
            "member.paper",
            form.form_key.data,
            lambda: joining.register_paper_member(profile, contact, statement, wanted, g.account),
        )
        member = db.session.get(Member, member_id)
        flash(
            _(
                "Registered. From now on the resident gets each survey they are invited to as a "
                "paper questionnaire by post, with a reply envelope. Their respondent number, for "
                "questions about their data, is %(number)s.",
                number=member.respondent.pseudonym,
            ),
            "ok",
        )
        return redirect(url_for("members.register_paper"), 303)
    status = 422 if form.errors else 200
    return render_template("panel/members/paper.html", form=form), status


@bp.get("/privacy")
@official_required
def privacy():
    """Versions of the privacy statement and the members who have not agreed to the latest."""
    statement = current_statement()
    return render_template(
        "panel/members/privacy.html",
        statement=statement,
        statements=queries.all_statements(),
        backlog=queries.consent_backlog(statement),
    )


@bp.route("/privacy/new", methods=["GET", "POST"])
@official_required
def publish_privacy():
    """Publish a new version of the privacy statement."""
    current = current_statement()
    form = PrivacyStatementForm()
    if request.method == "GET":
        form.body_nl.data = current.body_nl if current else default_statement_text("nl")
        form.body_en.data = current.body_en if current else default_statement_text("en")
    if form.validate_on_submit():
        statement = publish_statement(
            form.body_nl.data,
            form.body_en.data or "",
            form.changes_nl.data,
            form.changes_en.data or "",
            g.account,
        )
        db.session.commit()
        flash(
            _(
                "Version %(version)s is published. Members are asked to agree at their next visit.",
                version=statement.version,
            ),
            "ok",
        )
        return redirect(url_for("members.privacy"), 303)
    status = 422 if form.errors else 200
    return render_template("panel/members/publish.html", form=form, current=current), status
