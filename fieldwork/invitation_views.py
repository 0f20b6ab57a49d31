"""Officials invite the panel members in a survey's scope; members unsubscribe."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("invitations", __name__)
