"""Forms of paper data entry: the sheet id, the keyboard-first entry form generated from
the questionnaire (one text box per field, typed as on paper), and the official's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from accounts.forms import strip
from accounts.models import Account
from paper.checking import EntryField, Problem
from surveys.definition import QuestionType

#: Field attributes get a prefix (a question coded `data` must not shadow the form's own);
#: the HTML name and id are the answer key itself, as in the web form.
PREFIX = "typed_"


class SheetIdForm(FlaskForm):
    sheet_id = StringField(
        _l("Sheet id"),
        description=_l(
            "As printed at the top of every page, e.g. K7M3-Q9PX-D; or scan the QR code."
        ),
        filters=[strip],
        validators=[DataRequired(_l("Type the sheet id.")), Length(max=40)],
        # The page is there to type (or scan) one id, sheet after sheet.
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "autofocus": True,
        },
    )


class EntryForm(FlaskForm):
    """One sheet's entry; `entry_form` makes a subclass with a text box per field."""

    fields: tuple[EntryField, ...] = ()

    def box(self, key: str):
        return self[PREFIX + key]

    def typed(self) -> dict[str, str]:
        """Everything typed, by answer key (empty boxes as "")."""
        return {entry.key: self.box(entry.key).data or "" for entry in self.fields}

    def show(self, problems: list[Problem]) -> None:
        """Put the check's problems beside their boxes (and the rest in the summary)."""
        for problem in problems:
            if PREFIX + problem.key in self:
                self.box(problem.key).errors = [*self.box(problem.key).errors, problem.message]
            else:
                self.form_errors.append(problem.message)


def entry_form(
    fields: list[EntryField], formdata: Any = None, data: Mapping[str, str] | None = None
) -> EntryForm:
    """The entry form for these fields, filled from `formdata` when posted, or from `data`."""
    boxes = {PREFIX + entry.key: _box(entry) for entry in fields}
    form_class = type("EntryForm", (EntryForm,), {**boxes, "fields": tuple(fields)})
    prefill = {PREFIX + key: value for key, value in (data or {}).items()}
    return form_class(formdata=formdata, data=prefill)


def _box(entry: EntryField):
    options = {"autocomplete": "off", "spellcheck": "false", "data-key": entry.key}
    if entry.numeric:
        # Entry is done at a computer, whose keyboard also has "-" and "?"; a tablet
        # shows its number pad, which is what most fields take.
        options |= {"inputmode": "numeric", "class": "short"}
    label = entry.sublabel or entry.label
    if entry.question.type is QuestionType.LONG_TEXT and entry.key == entry.question.code:
        return TextAreaField(
            label, name=entry.key, filters=[strip], render_kw=options | {"rows": 3}
        )
    return StringField(label, name=entry.key, filters=[strip], render_kw=options)


class GrantForm(FlaskForm):
    """An official gives a volunteer access to a survey's paper entry."""

    account = SelectField(
        _l("Volunteer"), coerce=int, validators=[DataRequired(_l("Choose a volunteer."))]
    )
    senior = BooleanField(
        _l("Senior volunteer"),
        description=_l("May also decide where two entries of a sheet differ."),
    )

    def __init__(self, *args, volunteers: list[Account] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.account.choices = [(0, "")] + [
            (account.id, f"{account.name} ({account.email})" if account.name else account.email)
            for account in volunteers
        ]


class SingleEntryForm(FlaskForm):
    single_entry = BooleanField(
        _l("Allow single entry for this survey"),
        description=_l(
            "Each sheet is then entered by one volunteer instead of two, and marked so. "
            "Double entry catches typing mistakes; allow single entry only when needed."
        ),
    )
