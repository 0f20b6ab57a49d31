"""Forms of the village-vision proposal flow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from accounts.forms import strip
from core.forms import OnceForm
from villages.models import Village


def comment_field(label, required: bool = False) -> TextAreaField:
    # No Optional(): it would stop ReviewForm.validate_comment from running on an empty box.
    validators = [DataRequired(message=_l("Write a comment."))] if required else []
    validators.append(Length(max=5000, message=_l("Use at most 5000 characters.")))
    return TextAreaField(label, validators=validators, filters=[strip])


class NewProposalForm(OnceForm):
    """Start a village-vision proposal. Pass the account's association `villages`."""

    village = SelectField(
        _l("Village"),
        validators=[InputRequired(message=_l("Choose the village the proposal is for."))],
    )
    title = StringField(
        _l("Title"),
        description=_l("In Dutch, as residents will see it. You can change it later."),
        validators=[
            DataRequired(message=_l("Enter a title.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
        ],
        filters=[strip],
    )

    def __init__(self, *args, villages: list[Village], **kwargs):
        super().__init__(*args, **kwargs)
        self._villages = {v.id: v for v in villages}
        self.village.choices = [SelectChoice(str(v.id), v.name) for v in villages]

    def validate_village(self, field) -> None:
        if self.chosen_village() is None:
            raise ValidationError(_l("Choose the village the proposal is for."))

    def chosen_village(self) -> Village | None:
        value = str(self.village.data or "")
        return self._villages.get(int(value)) if value.isdigit() else None


class PanelForm(FlaskForm):
    """A form of the proposal panel on the designer page, which shows several at once: each
    kind has its own prefix, so their fields (all called `comment`) get distinct names and ids."""

    form_prefix = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix=self.form_prefix, **kwargs)


class SubmitProposalForm(PanelForm):
    form_prefix = "submit"
    comment = comment_field(_l("A note for the municipality (optional)"))


def decision_choices() -> list[SelectChoice]:
    return [
        SelectChoice("comment", _l("Only comment: the proposal stays submitted")),
        SelectChoice("request_changes", _l("Request changes: back to the village association")),
        SelectChoice("approve", _l("Approve: the survey can be scheduled")),
    ]


class ReviewForm(PanelForm):
    """An official's review: a comment, a request for changes, or approval."""

    form_prefix = "review"
    decision = RadioField(
        _l("Your decision"),
        choices=decision_choices(),
        validators=[InputRequired(message=_l("Choose what you decide."))],
    )
    comment = comment_field(_l("Comment for the village association"))

    def validate_comment(self, field) -> None:
        if self.decision.data in ("comment", "request_changes") and not field.data:
            raise ValidationError(
                _l("Write a comment: the village association needs to know what you mean.")
            )


class CommentForm(PanelForm):
    form_prefix = "comment"
    comment = comment_field(_l("Comment"), required=True)
