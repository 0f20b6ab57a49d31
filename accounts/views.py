"""Magic-link login, logout and the account page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts import services, sessions
from accounts.forms import LoginForm
from accounts.models import Role
from accounts.permissions import login_required
from core.db import db
from core.forms import ButtonForm
from core.limits import limiter
from core.urls import local_path, safe_next_url
from jobs import services as jobs

bp = Blueprint("accounts", __name__)


def _address_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def login():
    """Ask for an email address; answer the same, equally fast, whether or not it has an
    account: the link is made and mailed by a background job. Requests are limited per
    client; mails per address (`services.request_login_link`), so that nobody can lock a
    named person out by asking for their links."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        jobs.enqueue(
            "accounts.send_login_link",
            email=services.normalise_email(form.email.data),
            next_path=local_path(form.next.data),
        )
        db.session.commit()
        return render_template("accounts/check_mail.html")
    return render_template("accounts/login.html", form=form)


@bp.get("/login/<token>")
def confirm_login(token: str):
    """Show one button; a GET consumes nothing, so mail scanners cannot use up the link."""
    if services.find_usable_token(token) is None:
        return render_template("accounts/link_invalid.html")
    return render_template(
        "accounts/confirm.html", form=ButtonForm(), next=request.args.get("next", "")
    )


@bp.post("/login/<token>")
def complete_login(token: str):
    """Use the link once, start a fresh session and go where the person was heading."""
    if not ButtonForm().validate_on_submit():
        return render_template("accounts/link_invalid.html")
    account = services.consume_login_token(token)
    if account is None:
        db.session.commit()
        # A double click sends the button twice: the first press logged the person in.
        return render_template(
            "accounts/link_invalid.html", just_used=services.used_moments_ago(token)
        )
    sessions.log_in(account, via="login_link")
    db.session.commit()
    flash(_("You are logged in."), "ok")
    # Officials start on their start page; everybody else on their account page.
    start = "dashboard.index" if account.has_role(Role.OFFICIAL) else "accounts.account"
    return redirect(safe_next_url(request.args.get("next"), start), 303)


@bp.post("/logout")
def logout():
    """End the session."""
    if ButtonForm().validate_on_submit():
        sessions.log_out()
        db.session.commit()
        flash(_("You are logged out."), "ok")
    return redirect(url_for("core.home"), 303)


@bp.get("/account")
@login_required
def account():
    """Who you are logged in as, and what you may do."""
    return render_template("accounts/account.html", account=g.account, logout_form=ButtonForm())
