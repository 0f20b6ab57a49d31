"""Home page, language choice and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session

from core.health import database_status
from core.i18n import SESSION_KEY
from core.urls import safe_next_url
from villages import queries as villages

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    """The public home page: what the panel is and which villages take part."""
    return render_template("core/home.html", groups=villages.grouped_by_kind())


@bp.post("/language")
def choose_language():
    """Remember the visitor's language and return to where they were."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session[SESSION_KEY] = language
    return redirect(safe_next_url(request.form.get("next")))


@bp.get("/healthz")
def healthz():
    """Machine-readable health for load balancers and monitoring."""
    status = database_status()
    healthy = status["database"] == "ok"
    return {"status": "ok" if healthy else "error", **status}, 200 if healthy else 503
