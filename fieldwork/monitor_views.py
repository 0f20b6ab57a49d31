"""The response monitor: how fieldwork is going, per village, age band and day."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("monitor", __name__)
