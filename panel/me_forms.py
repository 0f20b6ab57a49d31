"""Forms of a member's own pages under /me."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from panel.forms import ProfileForm
from panel.me_services import LONGEST_PAUSE


class MyProfileForm(ProfileForm):
    """The profile, and the name on the account (contact data, kept apart from the profile)."""

    name = StringField(
        _l("Your name"),
        description=_l("Optional. Only used to address you in our mails."),
        validators=[Optional(), Length(max=120, message=_l("Use at most 120 characters."))],
        render_kw={"autocomplete": "name"},
    )


class DateInputField(DateField):
    """A date field that leaves an empty box to `InputRequired` instead of calling it invalid."""

    def process_formdata(self, valuelist) -> None:
        if valuelist and valuelist[0].strip():
            super().process_formdata(valuelist)


class PauseForm(FlaskForm):
    until = DateInputField(
        _l("Pause invitations up to and including"),
        description=_l("A date like 2026-11-28, at most one year from today."),
        validators=[InputRequired(message=_l("Enter the date up to which you want a pause."))],
        invalid_value_message=_l("Enter a date like 2026-11-28."),
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self._today = today

    def validate_until(self, field) -> None:
        latest = self._today + LONGEST_PAUSE
        if field.data is None:  # not a date: already said so
            return
        if field.data <= self._today:
            raise ValidationError(_l("Enter a date after today."))
        if field.data > latest:
            raise ValidationError(
                _l("Enter a date no later than %(date)s.", date=format_date(latest, "long"))
            )


class AssociationContactForm(FlaskForm):
    """Give or withdraw the association-contact consent: the button says which."""

    wanted = BooleanField()


class DeleteForm(FlaskForm):
    understood = BooleanField(
        _l("I understand that my account and details are deleted now and cannot be restored"),
        validators=[
            InputRequired(message=_l("Tick the box to confirm that you want to be deleted."))
        ],
    )
