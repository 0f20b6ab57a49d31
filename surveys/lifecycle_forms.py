"""Forms of a survey's lifecycle beyond publishing: reopening a closed survey."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired, ValidationError


class ReopenForm(FlaskForm):
    closes_on = DateField(
        _l("New closing date (until and including)"),
        validators=[InputRequired(_l("Fill in a date."))],
    )

    def __init__(self, today: date, opens_on: date, **kwargs) -> None:
        super().__init__(**kwargs)
        #: The first day the survey may close on again: a day to answer at least.
        self.earliest = max(today + timedelta(days=1), opens_on)
        self.closes_on.description = _l(
            "From %(date)s onwards.", date=format_date(self.earliest, "long")
        )

    def validate_closes_on(self, field) -> None:
        if field.data and field.data < self.earliest:
            raise ValidationError(
                _l(
                    "Choose a date from %(date)s onwards: residents need time to answer.",
                    date=format_date(self.earliest, "long"),
                )
            )
