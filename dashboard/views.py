"""The officials' start page."""

from __future__ import annotations

from flask import Blueprint, render_template

from accounts.permissions import official_required
from dashboard import queries

bp = Blueprint("dashboard", __name__)


@bp.get("/overzicht")
@official_required
def index():
    """What needs an official's attention: fieldwork, proposals, failed mail, analysis runs."""
    return render_template("dashboard/index.html", page=queries.start_page())
