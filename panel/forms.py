"""Forms for joining the panel and keeping one's profile."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from accounts.forms import EMAIL_VALIDATORS, strip
from core.forms import OnceForm
from panel.models import AgeBand, ContactDetails, Household, Sex
from panel.services import Profile, birth_year_range
from villages.models import Village, VillageKind
from villages.postcodes import is_postcode


def panel_villages(villages: list[Village]) -> list[Village]:
    """Places a resident can join for: neighbourhoods count with the village they are part of."""
    return [v for v in villages if v.kind is not VillageKind.NEIGHBOURHOOD]


def village_choices(villages: list[Village], prompt=None) -> list[SelectChoice]:
    return [SelectChoice("", prompt or _l("Choose your village"))] + [
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

    #: Texts that speak to the resident; the paper form, filled in for them, overrides them.
    village_prompt = _l("Choose your village")
    birth_year_missing = _l("Enter your year of birth, or choose your age group.")
    birth_year_format = _l("Enter your year of birth as four digits, like 1956.")

    village = SelectField(
        _l("Village"),
        description=_l(
            "The village or hamlet you live in. We report results per village; "
            "residents of Beilen-West and Nagtegael choose Beilen."
        ),
        validators=[InputRequired(message=_l("Choose the village you live in."))],
    )
    #: Text, not IntegerField: an empty year is allowed when an age group is chosen.
    birth_year = StringField(
        _l("Year of birth"),
        description=_l(
            "So we can check that all ages take part. If you prefer not to give it, "
            "choose your age group below instead."
        ),
        filters=[strip],
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
        self.village.choices = village_choices(villages, self.village_prompt)
        self._village_ids = {v.id for v in panel_villages(villages)}

    def validate_village(self, field) -> None:
        if not str(field.data).isdigit() or int(field.data) not in self._village_ids:
            raise ValidationError(_l("Choose a village of the municipality from the list."))

    def validate_birth_year(self, field) -> None:
        if not field.data:
            if not self.age_band.data:
                raise ValidationError(self.birth_year_missing)
            return
        if not (field.data.isdigit() and len(field.data) == 4):
            raise ValidationError(self.birth_year_format)
        oldest, youngest = birth_year_range()
        if not oldest <= int(field.data) <= youngest:
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
            birth_year=int(self.birth_year.data) if self.birth_year.data else None,
            age_band=AgeBand(self.age_band.data) if self.age_band.data else None,
            association_member={"yes": True, "no": False}.get(answer),
        )

    def fill_from(self, profile: Profile) -> None:
        """Show a stored profile (on GET only)."""
        self.village.data = str(profile.village_id)
        self.sex.data = profile.sex.value
        self.household.data = profile.household.value
        self.birth_year.data = str(profile.birth_year) if profile.birth_year else ""
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


class JoinForm(ProfileForm):
    """Open sign-up, or sign-up with a letter's code (then the village is fixed)."""

    email = EmailField(
        _l("Email address"),
        description=_l("We send a link to confirm it. We use it only for the panel."),
        validators=EMAIL_VALIDATORS,
        filters=[strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    association_contact = association_contact_field()
    agree = BooleanField(
        _l("I have read the privacy statement and I agree to it"),
        validators=[DataRequired(message=_l("Agree to the privacy statement to join the panel."))],
    )


class PostcodeForm(FlaskForm):
    """Find one's village by postcode (GET: nothing changes, the sign-up form comes after)."""

    class Meta:
        csrf = False

    postcode = StringField(
        _l("Postcode"),
        description=_l("Not sure which village to choose? Enter your postcode."),
        validators=[DataRequired(message=_l("Enter a postcode like 9411 AB.")), Length(max=7)],
        filters=[strip],
        render_kw={"autocomplete": "postal-code", "class": "short"},
    )


class CodeForm(FlaskForm):
    """The code from a letter, typed in (GET: nothing changes)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Code from your letter"),
        description=_l("For example K7Q2-M9XH-4TW. Capitals, spaces and dashes do not matter."),
        validators=[DataRequired(message=_l("Enter the code from your letter."))],
        filters=[strip],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )


class ConsentForm(FlaskForm):
    """Agree to a new version of the privacy statement."""

    agree = BooleanField(
        _l("I have read the privacy statement and I agree to it"),
        validators=[DataRequired(message=_l("Tick the box to agree, or leave the panel."))],
    )


def paper_household_choices() -> list[SelectChoice]:
    return [
        SelectChoice(Household.SINGLE.value, _l("Lives alone")),
        SelectChoice(Household.COUPLE.value, _l("With partner, no children at home")),
        SelectChoice(Household.COUPLE_WITH_CHILDREN.value, _l("With partner and children")),
        SelectChoice(Household.SINGLE_PARENT.value, _l("Alone with children")),
        SelectChoice(Household.OTHER.value, _l("Otherwise (for example with parents or friends)")),
    ]


class PaperMemberForm(OnceForm, ProfileForm):
    """An official or volunteer registers a resident who answers on paper. They fill it in
    for the resident, so every text speaks about the resident, not to them."""

    village_prompt = _l("Choose the resident's village")
    birth_year_missing = _l("Enter the resident's year of birth, or choose their age group.")
    birth_year_format = _l("Enter the year of birth as four digits, like 1956.")

    village = SelectField(
        _l("Village"),
        description=_l(
            "The village or hamlet the resident lives in. Residents of Beilen-West and "
            "Nagtegael choose Beilen."
        ),
        validators=[InputRequired(message=_l("Choose the village the resident lives in."))],
    )
    birth_year = StringField(
        _l("Year of birth of the resident"),
        description=_l(
            "If the resident prefers not to give it, choose their age group below instead."
        ),
        filters=[strip],
        render_kw={"inputmode": "numeric", "class": "short"},
    )
    age_band = RadioField(
        _l("Or the resident's age group"),
        choices=age_band_choices(),
        validators=[Optional()],
        validate_choice=True,
    )
    sex = RadioField(
        _l("Sex of the resident"),
        description=_l("Used only to check that women and men take part in the right numbers."),
        choices=[
            SelectChoice(Sex.FEMALE.value, _l("Female")),
            SelectChoice(Sex.MALE.value, _l("Male")),
            SelectChoice(Sex.OTHER.value, _l("Other, or the resident prefers not to say")),
        ],
        validators=[InputRequired(message=_l("Choose an answer about the resident's sex."))],
    )
    household = RadioField(
        _l("Who does the resident live with?"),
        description=_l("Households differ in what they need from a village."),
        choices=paper_household_choices(),
        validators=[InputRequired(message=_l("Choose who the resident lives with."))],
    )
    association_member = RadioField(
        _l("Is the resident a member of their village association (dorpsbelangen)?"),
        description=_l("Optional. Helps to see whether the results reach beyond its members."),
        choices=[
            SelectChoice("yes", _l("Yes")),
            SelectChoice("no", _l("No")),
            SelectChoice("unknown", _l("Not known, or the resident prefers not to say")),
        ],
        validators=[Optional()],
    )
    name = StringField(
        _l("Name of the resident"),
        validators=[DataRequired(message=_l("Enter the resident's name.")), Length(max=120)],
    )
    address = StringField(
        _l("Street and house number"),
        validators=[
            DataRequired(message=_l("Enter the street and house number.")),
            Length(max=200),
        ],
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[DataRequired(message=_l("Enter the postcode.")), Length(max=7)],
        filters=[strip],
        render_kw={"class": "short"},
    )
    town = StringField(
        _l("Town"), validators=[DataRequired(message=_l("Enter the town.")), Length(max=80)]
    )
    phone = StringField(
        _l("Phone number of the resident (optional)"), validators=[Optional(), Length(max=20)]
    )
    association_contact = BooleanField(
        _l("The village association may contact the resident, for example about a village vision"),
        description=_l(
            "Only if the resident ticked this on the consent form. It is separate from the "
            "panel: the resident's name and address are then given to the board of their "
            "village association."
        ),
        default=False,
    )
    agree = BooleanField(
        _l("The resident has signed the paper consent form for the privacy statement"),
        validators=[
            DataRequired(message=_l("Only register residents who signed the consent form."))
        ],
    )

    def validate_postcode(self, field) -> None:
        if not is_postcode(field.data):
            raise ValidationError(_l("Enter a postcode like 9411 AB."))

    def contact(self) -> ContactDetails:
        return ContactDetails(
            name=self.name.data.strip(),
            address=self.address.data.strip(),
            postcode=self.postcode.data.upper(),
            town=self.town.data.strip(),
            phone=(self.phone.data or "").strip(),
        )


REASON_CHOICES = [
    SelectChoice("question", _l("The resident asked a question")),
    SelectChoice("correction", _l("The resident asked for a correction")),
    SelectChoice("rights", _l("A request to see, export or delete data")),
    SelectChoice("bounce", _l("Mail to the resident bounced")),
    SelectChoice("paper", _l("A paper questionnaire to send or enter")),
    SelectChoice("other", _l("Other (explain below)")),
]


#: What looks like contact data (an email address, a phone number, a postcode): it must not
#: end up in the audit log, which can never be changed.
CONTACT_LIKE = re.compile(r"@|\d{6,}|\d[\d\s-]{8,}\d|\b\d{4}\s?[A-Za-z]{2}\b")


class ReasonForm(FlaskForm):
    """Why an official opens a member's details; written to the audit log."""

    reason = SelectField(_l("Why do you look this up?"), choices=REASON_CHOICES)
    explanation = StringField(
        _l("Explanation"),
        description=_l("Required for 'Other'. Do not type personal details here."),
        validators=[Length(max=200)],
        filters=[strip],
    )

    def validate_explanation(self, field) -> None:
        if self.reason.data == "other" and not field.data:
            raise ValidationError(_l("Explain why you look this member up."))
        if field.data and CONTACT_LIKE.search(field.data):
            raise ValidationError(
                _l("Leave out email addresses, phone numbers and postcodes: the log is kept.")
            )


class MemberSearchForm(ReasonForm):
    """Find members for support; the reason goes into the audit log, the search text not."""

    query = StringField(
        _l("Name, postcode, email address or respondent number"),
        description=_l("For example: Hoving, 9441 PC, name@example.nl or 7KQ2M9XH4T."),
        validators=[
            DataRequired(
                message=_l(
                    "Enter what you know of the member: a name, postcode, email address "
                    "or respondent number."
                )
            ),
            Length(max=254),
        ],
        filters=[strip],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class PrivacyStatementForm(FlaskForm):
    body_nl = TextAreaField(
        _l("Privacy statement (Dutch)"),
        validators=[DataRequired(message=_l("Enter the text of the privacy statement."))],
        render_kw={"rows": 16},
    )
    body_en = TextAreaField(_l("Privacy statement (English, optional)"), render_kw={"rows": 8})
    changes_nl = TextAreaField(
        _l("What changed (Dutch)"),
        description=_l("Shown to members who are asked to agree again."),
        validators=[DataRequired(message=_l("Say briefly what changed."))],
        render_kw={"rows": 4},
    )
    changes_en = TextAreaField(_l("What changed (English, optional)"), render_kw={"rows": 4})


#: Above any village of the municipality; stops typing errors like 170000.
MAX_TARGET = 100_000


class VillageSettingsForm(FlaskForm):
    """Open sign-up and recruitment target of one village."""

    open_sign_up = BooleanField(
        _l("Residents may sign up without a letter"),
        description=_l("Off: only residents with a code from a recruitment letter can join."),
    )
    # Text, not IntegerField: our own message for "abc", instead of WTForms' untranslated one.
    recruitment_target = StringField(
        _l("Recruitment target (members)"),
        render_kw={"inputmode": "numeric"},
    )

    def validate_recruitment_target(self, field) -> None:
        text = (field.data or "").strip()
        if text and not (text.isdigit() and text.isascii() and 0 < int(text) <= MAX_TARGET):
            raise ValidationError(
                _l(
                    "Enter a whole number of members from 1 to %(max)s, or leave it empty.",
                    max=MAX_TARGET,
                )
            )

    def target(self) -> int | None:
        """The validated target; None means the default."""
        text = (self.recruitment_target.data or "").strip()
        return int(text) if text else None


class EraseMemberForm(FlaskForm):
    """An official deletes a member at the member's request."""

    requested = BooleanField(
        _l("The resident asked us to delete their details"),
        validators=[DataRequired(message=_l("Only delete members who asked for it."))],
    )
