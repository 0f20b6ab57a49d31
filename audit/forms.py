from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import Optional

from audit.labels import action_label


class AuditFilterForm(FlaskForm):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("What happened"), validators=[Optional()])
    actor = SelectField(_l("Who"), validators=[Optional()])
    since = DateField(
        _l("From"),
        validators=[Optional()],
        description=_l("A date like 2026-11-28."),
        render_kw={"inputmode": "numeric"},
    )
    until = DateField(
        _l("Up to and including"),
        validators=[Optional()],
        description=_l("A date like 2026-11-28."),
        render_kw={"inputmode": "numeric"},
    )

    def __init__(self, actions: list[str], actors: dict[int, str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        named = sorted((action_label(action), action) for action in actions)
        self.action.choices = [SelectChoice("", _l("(everything)"))] + [
            SelectChoice(action, label if label == action else f"{label} ({action})")
            for label, action in named
        ]
        self.actor.choices = [SelectChoice("", _l("(everyone)"))] + [
            SelectChoice(str(i), email) for i, email in sorted(actors.items(), key=lambda x: x[1])
        ]
