"""The form an official fills in to make a batch of recruitment letters."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from accounts.forms import strip
from core.dates import local_today
from core.forms import OnceForm
from recruitment.services import MAX_BATCH_SIZE

CHOOSE_VILLAGE = _l("Choose the village the letters are for.")


class BatchForm(OnceForm):
    village = SelectField(
        _l("Village"),
        coerce=int,
        default=0,
        invalid_value_message=CHOOSE_VILLAGE,
        invalid_choice_message=CHOOSE_VILLAGE,
    )
    size = IntegerField(
        _l("Number of letters"),
        validators=[
            InputRequired(message=_l("Enter the number of letters.")),
            NumberRange(
                min=1,
                max=MAX_BATCH_SIZE,
                message=_l("Enter a number of letters from 1 to 2000."),
            ),
        ],
        description=_l("One letter per address in your sample; at most 2000 at a time."),
        render_kw={"min": 1, "max": MAX_BATCH_SIZE},
    )
    expires_on = DateField(
        _l("Codes work until"),
        validators=[InputRequired(message=_l("Enter the last day on which the codes work."))],
        description=_l("The codes work up to and including this day. It is printed on the letter."),
    )
    note = StringField(
        _l("Note (optional)"),
        validators=[Length(max=200, message=_l("Keep the note under 200 characters."))],
        filters=[strip],
        description=_l(
            "For yourself and your colleagues, such as which sample of addresses. "
            "No names or addresses."
        ),
    )

    def __init__(self, villages, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or local_today()
        self.village.choices = [
            SelectChoice(0, _l("Choose a village")),
            *(SelectChoice(v.id, v.name) for v in villages),
        ]

    def validate_village(self, field) -> None:
        if not field.data:
            raise ValidationError(CHOOSE_VILLAGE)

    def validate_expires_on(self, field) -> None:
        if field.data is not None and field.data <= self.today:
            raise ValidationError(_l("Choose a day after today."))
