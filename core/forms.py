import re
import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

#: What a form key looks like: `secrets.token_urlsafe(32)`.
FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")


class ButtonForm(FlaskForm):
    """A one-button POST (log in, log out, start, revoke, retry): only its CSRF token."""


class OnceForm(FlaskForm):
    """A form that creates something. It carries a random key made when it is shown: sent
    twice (a double click, a retry, back and send again) it carries the same key, opened
    again a new one. core.once turns one key into one creation, also for simultaneous POSTs."""

    #: Kept when the form is shown again with errors; a missing or malformed key is refused.
    form_key = HiddenField(validators=[DataRequired(), Regexp(FORM_KEY)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sent = kwargs.get("formdata", True) is not None and self.is_submitted()
        if not FORM_KEY.match(self.form_key.data or ""):
            self.form_key.data = None if sent else new_form_key()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.form_key.data:
            self.form_key.data = new_form_key()  # shown again: a fresh form
        return valid


def new_form_key() -> str:
    return secrets.token_urlsafe(32)
