"""The forms of the print pages: copies for a village, and returned sheets."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from core.forms import OnceForm
from paper.batches import MAX_COPIES

CHOOSE_VILLAGE = _l("Choose the village the questionnaires are for.")


class VillageCopiesForm(OnceForm):
    village = SelectField(
        _l("Village"),
        coerce=int,
        default=0,
        invalid_value_message=CHOOSE_VILLAGE,
        invalid_choice_message=CHOOSE_VILLAGE,
    )
    copies = IntegerField(
        _l("Number of questionnaires"),
        validators=[
            InputRequired(message=_l("Enter the number of questionnaires.")),
            NumberRange(
                min=1,
                max=MAX_COPIES,
                message=_l("Enter a number of questionnaires from 1 to 2000."),
            ),
        ],
        description=_l("Each copy gets its own number. At most 2000 at a time."),
        render_kw={"min": 1, "max": MAX_COPIES, "inputmode": "numeric"},
    )

    def __init__(self, villages, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.village.choices = [
            SelectChoice(0, _l("Choose a village")),
            *(SelectChoice(v.id, v.name) for v in villages),
        ]

    def validate_village(self, field) -> None:
        if not field.data:
            raise ValidationError(CHOOSE_VILLAGE)


class ReturnedForm(FlaskForm):
    sheets = TextAreaField(
        _l("Numbers of the returned questionnaires"),
        validators=[
            InputRequired(message=_l("Type or scan at least one questionnaire number.")),
            Length(max=20000, message=_l("Register at most 1000 questionnaires at a time.")),
        ],
        description=_l(
            "One number per line, as printed at the top of each page (such as K7M3-Q9PX-D), "
            "or scan the QR code."
        ),
        render_kw={"rows": 8, "autocomplete": "off", "spellcheck": "false"},
    )
