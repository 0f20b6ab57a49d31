from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import HiddenField

from core.db import utcnow


class ButtonForm(FlaskForm):
    """A one-button POST (log in, log out, start, revoke, retry): only its CSRF token."""


class StampedForm(FlaskForm):
    """A form that carries the moment it was shown. Sent twice (a double click, or back and
    send again) it carries the same moment; opened again it carries a new one. So a service
    can make a double submit once without swallowing a deliberate second time."""

    #: When the form was first shown (UTC, ISO 8601); kept when it is shown again with errors.
    shown_at = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: When the form that was sent had been shown; None while it is being shown, and for
        #: a missing or unreadable stamp (then it is stamped afresh).
        self.shown = _aware(self.shown_at.data)
        if self.shown is None:
            self.shown_at.data = utcnow().isoformat()


def _aware(stamp: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(stamp or "")
    except ValueError:
        return None
    return moment if moment.tzinfo else None
