"""Forms for joining the panel and keeping one's profile."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from panel.models import AgeBand, Household, Sex
from panel.services import Profile, birth_year_range
from villages.models import Village, VillageKind


def panel_villages(villages: list[Village]) -> list[Village]:
    """Places a resident can join for: neighbourhoods count with the village they are part of."""
    return [v for v in villages if v.kind is not VillageKind.NEIGHBOURHOOD]


def village_choices(villages: list[Village]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose your village"))] + [
        SelectChoice(str(v.id), v.name) for v in panel_villages(villages)
    ]


def sex_choices() -> list[SelectChoice]:
    return [
        SelectChoice(Sex.FEMALE.value, _l("Female")),
        SelectChoice(Sex.MALE.value, _l("Male")),
        SelectChoice(Sex.OTHER.value, _l("Other, or I prefer not to say")),
    ]


def household_choices() -> list[SelectChoice]:
    return [
        SelectChoice(Household.SINGLE.value, _l("I live alone")),
        SelectChoice(Household.COUPLE.value, _l("With my partner, without children at home")),
        SelectChoice(Household.COUPLE_WITH_CHILDREN.value, _l("With my partner and children")),
        SelectChoice(Household.SINGLE_PARENT.value, _l("On my own with children")),
        SelectChoice(Household.OTHER.value, _l("Otherwise (for example with parents or friends)")),
    ]


def age_band_choices() -> list[SelectChoice]:
    return [SelectChoice(band.value, _l("%(band)s years", band=band.value)) for band in AgeBand]


def association_choices() -> list[SelectChoice]:
    return [
        SelectChoice("yes", _l("Yes")),
        SelectChoice("no", _l("No")),
        SelectChoice("unknown", _l("I don't know, or I prefer not to say")),
    ]


class ProfileForm(FlaskForm):
    """The profile of a member. Pass `villages` (all places) to the constructor."""

    village = SelectField(
        _l("Village"),
        description=_l(
            "The village or hamlet you live in. We report results per village; "
            "residents of Beilen-West and Nagtegael choose Beilen."
        ),
        validators=[InputRequired(message=_l("Choose the village you live in."))],
    )
    birth_year = IntegerField(
        _l("Year of birth"),
        description=_l(
            "So we can check that all ages take part. If you prefer not to give it, "
            "choose your age group below instead."
        ),
        validators=[Optional()],
        render_kw={"inputmode": "numeric", "autocomplete": "bday-year", "class": "short"},
    )
    age_band = RadioField(
        _l("Or your age group"),
        choices=age_band_choices(),
        validators=[Optional()],
        validate_choice=True,
    )
    sex = RadioField(
        _l("Sex"),
        description=_l("Used only to check that women and men take part in the right numbers."),
        choices=sex_choices(),
        validators=[InputRequired(message=_l("Choose an answer about your sex."))],
    )
    household = RadioField(
        _l("Who do you live with?"),
        description=_l("Households differ in what they need from a village."),
        choices=household_choices(),
        validators=[InputRequired(message=_l("Choose who you live with."))],
    )
    association_member = RadioField(
        _l("Are you a member of your village association (dorpsbelangen)?"),
        description=_l("Optional. Helps to see whether the results reach beyond its members."),
        choices=association_choices(),
        validators=[Optional()],
    )

    def __init__(self, *args, villages: list[Village], **kwargs):
        super().__init__(*args, **kwargs)
        self.village.choices = village_choices(villages)
        self._village_ids = {v.id for v in panel_villages(villages)}

    def validate_village(self, field) -> None:
        if not str(field.data).isdigit() or int(field.data) not in self._village_ids:
            raise ValidationError(_l("Choose a village of the municipality from the list."))

    def validate_birth_year(self, field) -> None:
        if field.data is None:
            if field.raw_data and field.raw_data[0].strip():
                raise ValidationError(_l("Enter your year of birth as four digits, like 1956."))
            if not self.age_band.data:
                raise ValidationError(_l("Enter your year of birth, or choose your age group."))
            return
        oldest, youngest = birth_year_range()
        if not oldest <= field.data <= youngest:
            raise ValidationError(
                _l(
                    "Enter a year of birth between %(oldest)s and %(youngest)s: "
                    "the panel is for residents aged 18 and over.",
                    oldest=oldest,
                    youngest=youngest,
                )
            )

    def profile(self) -> Profile:
        """The validated profile."""
        answer = self.association_member.data
        return Profile(
            village_id=int(self.village.data),
            sex=Sex(self.sex.data),
            household=Household(self.household.data),
            birth_year=self.birth_year.data,
            age_band=AgeBand(self.age_band.data) if self.age_band.data else None,
            association_member={"yes": True, "no": False}.get(answer),
        )

    def fill_from(self, profile: Profile) -> None:
        """Show a stored profile (on GET only)."""
        self.village.data = str(profile.village_id)
        self.sex.data = profile.sex.value
        self.household.data = profile.household.value
        self.birth_year.data = profile.birth_year
        self.age_band.data = profile.age_band.value if profile.age_band else None
        self.association_member.data = {True: "yes", False: "no"}.get(
            profile.association_member, "unknown"
        )


def association_contact_field() -> BooleanField:
    """The separate, optional consent; never ticked in advance."""
    return BooleanField(
        _l("My village association may contact me, for example to help with a village vision"),
        description=_l(
            "Optional and separate from the panel. Your email address is then given to the "
            "board of your village association. You can withdraw this at any time under "
            "'My details'."
        ),
        default=False,
    )
