"""Residents answer a survey from their personal link, one page at a time."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("answer", __name__)
