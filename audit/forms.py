from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional


class AuditFilterForm(FlaskForm):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("What happened"), validators=[Optional()])
    actor = SelectField(_l("Who"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Up to and including"), validators=[Optional()])

    def __init__(self, actions: list[str], actors: dict[int, str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("", _l("(everything)"))] + [(a, a) for a in actions]
        self.actor.choices = [("", _l("(everyone)"))] + [
            (str(i), email) for i, email in sorted(actors.items(), key=lambda item: item[1])
        ]
