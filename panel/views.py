"""Joining the panel (public), confirming the address, and agreeing to a new privacy statement."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from accounts import sessions
from accounts.permissions import login_required
from accounts.services import use_up_login_links
from audit.services import record
from core.db import db
from core.forms import ButtonForm
from core.limits import limiter, login_email_key
from core.urls import safe_next_url
from panel import join as joining
from panel.forms import CodeForm, ConsentForm, JoinForm, PostcodeForm
from panel.services import current_statement, give_privacy_consent, member_for, needs_consent
from recruitment.codes import formatted, normalise
from recruitment.services import CodeError, CodeProblem, find_code
from villages.models import Village
from villages.postcodes import places_for_postcode
from villages.queries import all_villages

bp = Blueprint("panel", __name__)


def _join_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _email_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_EMAIL"]


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
@limiter.limit(_email_limit, methods=["POST"], key_func=login_email_key)
def join():
    """Open sign-up: choose a village (or find it by postcode), profile, consent."""
    return _sign_up_page()


@bp.get("/join/code")
@limiter.limit(_join_limit)
def enter_code():
    """Check a typed code and go on to the sign-up form for its village."""
    form = CodeForm(request.args)
    if form.validate():
        try:
            find_code(form.code.data)
        except CodeError as error:
            return _code_problem(form, error)
        return redirect(url_for("panel.join_with_code", code=formatted(normalise(form.code.data))))
    return render_template("panel/join/code.html", form=form), 422 if request.args else 200


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit(_join_limit)
@limiter.limit(_email_limit, methods=["POST"], key_func=login_email_key)
def join_with_code(code: str):
    """Sign-up from a letter: the code fixes the village."""
    try:
        found = find_code(code)
    except CodeError as error:
        return _code_problem(CodeForm(data={"code": code}), error)
    return _sign_up_page(code=found, code_text=formatted(normalise(code)))


def _code_problem(form: CodeForm, error: CodeError):
    """Show what is wrong with a code at the code field, with what was typed kept."""
    messages = {
        CodeProblem.MALFORMED: _(
            "This code is not quite right. Check it against your letter: a code has 11 "
            "characters, and never the letters O, I, L or U."
        ),
        CodeProblem.UNKNOWN: _("We do not know this code. Check it against your letter."),
        CodeProblem.EXPIRED: _("This code has expired."),
        CodeProblem.USED: _(
            "This code has been used already: each letter works once. If you joined before, "
            "log in instead."
        ),
    }
    message = messages[error.problem]
    if error.problem is CodeProblem.EXPIRED and any(v.open_sign_up for v in all_villages()):
        message += " " + _("You can still join without a code.")
    form.code.errors = [message]
    return render_template("panel/join/code.html", form=form), 422


def _sign_up_page(code=None, code_text: str | None = None):
    statement = current_statement()
    if statement is None:
        return render_template("panel/join/unavailable.html"), 503
    villages = all_villages()
    form = JoinForm(villages=villages)
    finder = PostcodeForm(request.args)
    hint = None
    if code is not None:
        form.village.data = str(code.batch.village_id)
    elif request.method == "GET" and "postcode" in request.args:
        hint = _find_village(finder, form, villages)
    if form.validate_on_submit():
        result = _start_sign_up(form, statement, code)
        if result is not None:
            return result
    return render_template(
        "panel/join/form.html",
        form=form,
        finder=finder,
        code=code,
        code_text=code_text,
        village=code.batch.village if code else None,
        statement=statement,
        hint=hint,
        closed=[v.name for v in villages if not v.open_sign_up],
    ), 422 if form.errors else 200


def _start_sign_up(form: JoinForm, statement, code):
    request_ = joining.SignUpRequest(
        email=form.email.data,
        language=str(get_locale() or "nl"),
        profile=form.profile(),
        statement=statement,
        association_contact=form.association_contact.data,
        code=code,
    )
    try:
        joining.start_sign_up(request_)
    except joining.SignUpClosed:
        form.village.errors = [
            _(
                "In this village you can join only with the code from a letter. "
                "Did you get a letter? Use the code; otherwise contact the municipality."
            )
        ]
        return None
    db.session.commit()
    return render_template("panel/join/check_mail.html", days=current_app.config["SIGN_UP_DAYS"])


def _find_village(finder: PostcodeForm, form: JoinForm, villages) -> dict | None:
    """Suggest the village for a postcode; a single match is chosen in the form."""
    if not finder.validate():
        return None
    places = places_for_postcode(finder.postcode.data)
    if places is None:
        finder.postcode.errors = [_("Enter a postcode like 9411 AB.")]
        return None
    if not places:
        return {"kind": "outside"}
    by_name = {v.name: v for v in villages}
    found = [by_name[name] for name in places if name in by_name]
    if len(found) == 1:
        form.village.data = str(found[0].id)
    return {"kind": "found", "places": [v.name for v in found]}


@bp.get("/join/confirm/<token>")
def confirm_sign_up(token: str):
    """Show one button: a GET changes nothing, so mail scanners cannot confirm for someone."""
    sign_up = joining.pending_sign_up(token)
    if sign_up is None:
        return render_template("panel/join/link_invalid.html"), 404
    return render_template(
        "panel/join/confirm.html",
        form=ButtonForm(),
        village=db.session.get(Village, sign_up.village_id),
    )


@bp.post("/join/confirm/<token>")
def complete_sign_up(token: str):
    """Confirm the address: the person becomes a member, and a resident is logged in."""
    if not ButtonForm().validate_on_submit():
        return render_template("panel/join/link_invalid.html"), 400
    try:
        member = joining.confirm_sign_up(token)
    except (joining.ConfirmationFailed, IntegrityError):
        # IntegrityError: a second sign-up for the same address confirmed at the same moment.
        db.session.rollback()
        return render_template("panel/join/link_invalid.html"), 404
    except joining.CodeAlreadyUsed:
        db.session.rollback()
        return render_template("panel/join/code_used.html"), 409
    account = member.account
    if not joining.may_log_in_by_confirmation(account):
        db.session.commit()
        flash(_("Welcome to the panel! Your address is confirmed. Log in to continue."), "ok")
        return redirect(url_for("accounts.login", next=url_for("me.overview")), 303)
    use_up_login_links(account)
    sessions.log_in(account, via="sign_up")
    db.session.commit()
    flash(_("Welcome to the panel! Your address is confirmed."), "ok")
    return redirect(url_for("me.overview"), 303)


@bp.route("/consent", methods=["GET", "POST"])
@login_required
def consent():
    """Ask a member to agree to the privacy statement now in force."""
    member = member_for(g.account)
    statement = current_statement()
    if member is None or not needs_consent(member, statement):
        return redirect(safe_next_url(request.args.get("next"), "me.overview"), 303)
    form = ConsentForm()
    if form.validate_on_submit():
        give_privacy_consent(member, statement)
        record("member.consented", member, version=statement.version)
        db.session.commit()
        flash(_("Thank you. You agreed to the new privacy statement."), "ok")
        return redirect(safe_next_url(request.args.get("next"), "me.overview"), 303)
    return render_template(
        "panel/consent.html", form=form, statement=statement, language=str(get_locale())
    ), 422 if form.errors else 200


@bp.get("/privacy")
def privacy():
    """The privacy statement in force, for everyone."""
    statement = current_statement()
    return render_template("panel/privacy.html", statement=statement, language=str(get_locale()))
