"""Views: TODO."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("recruitment", __name__, url_prefix="/recruitment")
