"""Views: TODO."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("population", __name__, url_prefix="/population")
