"""The municipality's calendar: 'today' and shown times are Dutch, whatever the server's zone.

Datetimes are stored in UTC (core.db.UTCDateTime); Flask-Babel shows them in
BABEL_DEFAULT_TIMEZONE. Day-based rules (a pause until a date, a code valid up to and
including a date) use the Dutch date, so they do not flip an hour or two early on a UTC server.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
