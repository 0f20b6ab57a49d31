"""Forms for logging in and for managing people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from accounts.models import Role

EMAIL_VALIDATORS = [
    DataRequired(message=_l("Enter your email address.")),
    Email(
        message=_l("Enter an email address like name@example.nl."),
        check_deliverability=False,
    ),
    Length(max=254, message=_l("This email address is too long.")),
]


def strip(value: str | None) -> str | None:
    return value.strip() if value else value


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=EMAIL_VALIDATORS,
        filters=[strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    next = HiddenField()


def role_choices() -> list[SelectChoice]:
    return [
        SelectChoice(Role.OFFICIAL.value, _l("Official of the municipality")),
        SelectChoice(Role.ASSOCIATION.value, _l("Village association board member")),
        SelectChoice(Role.VOLUNTEER.value, _l("Volunteer (enters paper questionnaires)")),
        SelectChoice(Role.RESIDENT.value, _l("Resident (panel member)")),
    ]


def village_choices(villages) -> list[SelectChoice]:
    return [SelectChoice(village.id, village.name) for village in villages]


LANGUAGE_CHOICES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]


class PersonForm(FlaskForm):
    """Invite a person, or hand a village's access to them."""

    email = EmailField(_l("Email address"), validators=EMAIL_VALIDATORS, filters=[strip])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    language = SelectField(_l("Language of their mails"), choices=LANGUAGE_CHOICES)


class InviteForm(PersonForm):
    role = SelectField(_l("Role"), choices=role_choices)
    village = SelectField(
        _l("Village"),
        coerce=int,
        description=_l("Only for village associations: the village they speak for."),
    )

    def __init__(self, villages, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.village.choices = [SelectChoice(0, _l("(no village)")), *village_choices(villages)]

    def validate_village(self, field) -> None:
        if self.role.data == Role.ASSOCIATION.value and not field.data:
            raise ValidationError(_l("Choose the village this association member speaks for."))
        if self.role.data in (Role.OFFICIAL.value, Role.VOLUNTEER.value) and field.data:
            raise ValidationError(_l("Only association members are tied to a village."))


class HandOverForm(PersonForm):
    village = SelectField(_l("Village"), coerce=int)

    def __init__(self, villages, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.village.choices = village_choices(villages)
