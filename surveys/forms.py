"""The designer's forms. Each turns itself into the JSON of surveys.format and back, so
every rule about what is valid lives in surveys.checks, in one place."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from accounts.forms import strip
from core.forms import OnceForm
from surveys import editing
from surveys.conditions import COMPARISONS
from surveys.definition import QuestionType
from surveys.messages import type_choice_label
from surveys.templates import TEMPLATES


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def load_json(text: str | bytes) -> Any:
    """JSON as the standard has it: no NaN or Infinity; ValueError for anything wrong,
    including nesting too deep to read."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
        json.dumps(data, ensure_ascii=False).encode()  # a lone "\ud800" cannot be stored
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except UnicodeEncodeError:
        raise ValueError("a \\u escape that is half of a character") from None
    return data


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def type_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, type_choice_label(kind)) for kind in QuestionType]


def operator_choices() -> list[SelectChoice]:
    labels = {
        "equals": _l("is"),
        "one_of": _l("is one of (separate codes with commas)"),
        "greater_than": _l("is more than"),
        "less_than": _l("is less than"),
        "answered": _l("is answered"),
    }
    return [SelectChoice(op, labels[op]) for op in COMPARISONS]


def _text(nl: str | None, en: str | None) -> dict[str, str]:
    texts = {"nl": (nl or "").strip(), "en": (en or "").strip()}
    return {language: text for language, text in texts.items() if text}


class DesignerForm(FlaskForm):
    #: The questionnaire revision the form was filled in on (QuestionnaireVersion.revision).
    revision = HiddenField()


class ConditionFields(DesignerForm):
    """ "Show only if…": one comparison with pickers, or any condition written as JSON."""

    cond_question = SelectField(_l("Show only if the answer to"), validate_choice=False)
    cond_operator = SelectField(_l("Comparison"), choices=operator_choices, default="equals")
    cond_value = StringField(
        _l("Answer code or number"),
        filters=[strip],
        description=_l("For example 1, or 1,2 for “is one of”. Leave empty for “is answered”."),
    )
    cond_json = TextAreaField(
        _l("Or a condition written as JSON (for and, or, not)"),
        filters=[strip],
        description=_l(
            "See the questionnaire format documentation. This replaces the choice above."
        ),
        render_kw={"rows": 3, "class": "code"},
    )

    #: Codes of earlier mark and number questions: their answers compare as numbers.
    numeric_codes: frozenset[str] = frozenset()

    def set_earlier_codes(self, definition: dict, page: int, question: int | None = None) -> None:
        """Offer the questions before this place (see editing.codes_before)."""
        codes = editing.codes_before(definition, page=page, question=question)
        self.cond_question.choices = [SelectChoice("", _l("(always show)"))] + [
            SelectChoice(code, code) for code in codes
        ]
        self.numeric_codes = frozenset(editing.numeric_codes(definition))

    def validate_cond_json(self, field) -> None:
        if field.data:
            try:
                load_json(field.data)
            except ValueError as error:
                raise ValidationError(
                    _l("This is not valid JSON (%(error)s).", error=str(error))
                ) from None

    def condition(self) -> dict[str, Any] | None:
        if self.cond_json.data:
            return load_json(self.cond_json.data)
        if not self.cond_question.data:
            return None
        return {"question": self.cond_question.data, **self._comparison()}

    def _comparison(self) -> dict[str, Any]:
        operator, value = self.cond_operator.data, self.cond_value.data or ""
        numeric = self.cond_question.data in self.numeric_codes
        if operator == "answered":
            return {"answered": value.lower() not in ("false", "nee", "no", "0")}
        if operator == "one_of":
            parts = [part.strip() for part in value.split(",") if part.strip()]
            return {"one_of": [_number(part) if numeric else part for part in parts]}
        if operator in ("greater_than", "less_than") or numeric:
            return {operator: _number(value)}
        return {"equals": value}

    def show_condition(self, condition: dict[str, Any] | None) -> None:
        """Fill the fields from a stored condition: pickers if it is one comparison."""
        if condition is None:
            return
        operator = next((op for op in COMPARISONS if op in condition), None)
        if "question" not in condition or operator is None:
            self.cond_json.data = json.dumps(condition, ensure_ascii=False)
            return
        value = condition[operator]
        if isinstance(value, list):
            value = ",".join(str(part) for part in value)
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        self.cond_question.data, self.cond_operator.data = condition["question"], operator
        self.cond_value.data = "" if operator == "answered" and value is True else str(value)

    def condition_field(self):
        return self.cond_json if self.cond_json.data else self.cond_value


def _number(value: str) -> Any:
    """A typed number as a whole number where it is one (Dutch decimal commas too); text
    that is no number stays text, and the checks say so."""
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return value
    if not math.isfinite(number):
        return value
    return int(number) if number.is_integer() else number


class CodedLinesField(TextAreaField):
    """Options or statements, one per line: `code | Dutch | English`. Without a `|` the
    line number becomes the code."""

    def lines_json(self, text_key: str) -> list[dict[str, Any]]:
        entries = []
        lines = [line for line in (self.data or "").splitlines() if line.strip()]
        for number, line in enumerate(lines, start=1):
            parts = [part.strip().replace("\\|", "|") for part in SEPARATOR.split(line)]
            if len(parts) == 1:
                parts = [str(number), *parts]
            entries.append({"code": parts[0], text_key: _text(parts[1], _at(parts, 2))})
        return entries

    def show(self, entries: list[dict[str, Any]], text_key: str) -> None:
        self.data = "\n".join(
            " | ".join(
                [entry["code"], _escaped(entry[text_key].get("nl", ""))]
                + ([_escaped(entry[text_key]["en"])] if entry[text_key].get("en") else [])
            )
            for entry in entries
        )


#: The separator between code and texts; a | inside a text is written \|.
SEPARATOR = re.compile(r"(?<!\\)\|")


def _escaped(text: str) -> str:
    return text.replace("|", "\\|")


def _at(parts: list[str], index: int) -> str:
    return parts[index] if index < len(parts) else ""


class QuestionForm(ConditionFields):
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[DataRequired(_l("Give the question a code, for example LEEF_01."))],
        description=_l("Used in exports and analysis. Letters, digits and _."),
        render_kw={"class": "short", "autocomplete": "off"},
    )
    type = SelectField(_l("Type of question"), choices=type_choices)
    text_nl = TextAreaField(_l("Question (Dutch)"), filters=[strip], render_kw={"rows": 2})
    text_en = TextAreaField(
        _l("Question (English, optional)"), filters=[strip], render_kw={"rows": 2}
    )
    help_nl = TextAreaField(
        _l("Help text (Dutch, optional)"), filters=[strip], render_kw={"rows": 2}
    )
    help_en = TextAreaField(
        _l("Help text (English, optional)"), filters=[strip], render_kw={"rows": 2}
    )
    required = BooleanField(_l("An answer is required"))
    options = CodedLinesField(
        _l("Answer options"),
        description=_l(
            "One per line: code | Dutch text | English text. For example: 1 | Ja | Yes. "
            "A | inside a text is written as \\|."
        ),
        render_kw={"rows": 6},
    )
    other = BooleanField(_l("Offer “other, namely …” with a text box (multiple choice)"))
    items = CodedLinesField(
        _l("Statements of the grid"),
        description=_l("One per line: code | Dutch text | English text."),
        render_kw={"rows": 6},
    )
    minimum = IntegerField(
        _l("Lowest number allowed"),
        validators=[Optional()],
        render_kw={"class": "short", "inputmode": "numeric"},
    )
    maximum = IntegerField(
        _l("Highest number allowed"),
        validators=[Optional()],
        render_kw={"class": "short", "inputmode": "numeric"},
    )
    rank_count = IntegerField(
        _l("How many priorities to rank"),
        validators=[Optional()],
        render_kw={"class": "short", "inputmode": "numeric"},
    )
    indicator = StringField(
        _l("Village-mirror indicator (optional)"),
        filters=[strip],
        validators=[Length(max=60)],
        render_kw={"class": "short"},
    )

    def question_json(self) -> dict[str, Any]:
        kind = QuestionType(self.type.data)
        data: dict[str, Any] = {
            "code": self.code.data,
            "type": kind.value,
            "text": _text(self.text_nl.data, self.text_en.data),
            "required": bool(self.required.data) and kind is not QuestionType.INFO,
        }
        optional = {
            "help": _text(self.help_nl.data, self.help_en.data) or None,
            "options": self.options.lines_json("label") if kind.has_options else None,
            "items": self.items.lines_json("text") if kind is QuestionType.LIKERT_GRID else None,
            "other": (self.other.data or None) if kind is QuestionType.MULTIPLE else None,
            "minimum": self.minimum.data if kind is QuestionType.NUMBER else None,
            "maximum": self.maximum.data if kind is QuestionType.NUMBER else None,
            "rank_count": self.rank_count.data if kind is QuestionType.RANKING else None,
            "condition": self.condition(),
            "indicator": self.indicator.data or None,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        return data

    def show_question(self, question: dict[str, Any]) -> None:
        self.code.data, self.type.data = question["code"], question["type"]
        self.text_nl.data = question["text"].get("nl", "")
        self.text_en.data = question["text"].get("en", "")
        self.help_nl.data = question.get("help", {}).get("nl", "")
        self.help_en.data = question.get("help", {}).get("en", "")
        self.required.data = question.get("required", False)
        self.options.show(question.get("options", []), "label")
        self.items.show(question.get("items", []), "text")
        self.other.data = question.get("other", False)
        self.minimum.data, self.maximum.data = question.get("minimum"), question.get("maximum")
        self.rank_count.data = question.get("rank_count")
        self.indicator.data = question.get("indicator", "")
        self.show_condition(question.get("condition"))


class NewQuestionTypeForm(FlaskForm):
    """The first step of adding a question: which type (the form then fits the type)."""

    type = RadioField(_l("Type of question"), choices=type_choices, default="single")


class CorrectionForm(FlaskForm):
    confirm = BooleanField(
        _l(
            "I confirm that only spelling or wording changes, not the meaning of a question or "
            "answer, so answers already given keep their meaning."
        ),
        validators=[InputRequired(_l("Confirm that the meaning stays the same."))],
    )


class PageForm(ConditionFields):
    code = StringField(
        _l("Page code"),
        filters=[strip],
        validators=[DataRequired(_l("Give the page a code, for example P2."))],
        render_kw={"class": "short", "autocomplete": "off"},
    )
    title_nl = StringField(_l("Page title (Dutch, optional)"), filters=[strip])
    title_en = StringField(_l("Page title (English, optional)"), filters=[strip])

    def page_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code.data,
            "title": _text(self.title_nl.data, self.title_en.data),
        }
        condition = self.condition()
        if condition is not None:
            data["condition"] = condition
        return data

    def show_page(self, page: dict[str, Any]) -> None:
        self.code.data = page["code"]
        self.title_nl.data = page.get("title", {}).get("nl", "")
        self.title_en.data = page.get("title", {}).get("en", "")
        self.show_condition(page.get("condition"))


class SurveyTextsForm(DesignerForm):
    title_nl = StringField(
        _l("Title (Dutch)"),
        filters=[strip],
        validators=[DataRequired(_l("Fill in the Dutch title.")), Length(max=200)],
    )
    title_en = StringField(
        _l("Title (English, optional)"), filters=[strip], validators=[Length(max=200)]
    )
    introduction_nl = TextAreaField(
        _l("Introduction (Dutch)"), filters=[strip], render_kw={"rows": 4}
    )
    introduction_en = TextAreaField(
        _l("Introduction (English, optional)"), filters=[strip], render_kw={"rows": 4}
    )

    def show_texts(self, definition: dict[str, Any]) -> None:
        self.title_nl.data = definition["title"].get("nl", "")
        self.title_en.data = definition["title"].get("en", "")
        self.introduction_nl.data = definition.get("introduction", {}).get("nl", "")
        self.introduction_en.data = definition.get("introduction", {}).get("en", "")

    def texts(self) -> tuple[dict[str, str], dict[str, str]]:
        return (
            _text(self.title_nl.data, self.title_en.data),
            _text(self.introduction_nl.data, self.introduction_en.data),
        )


class ScopeForm(FlaskForm):
    villages = MultiCheckboxField(
        _l("Villages whose panel members are invited"),
        description=_l("Tick none to invite the panel members of every village."),
        validate_choice=True,
    )

    def __init__(self, villages, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.villages.choices = [SelectChoice(str(v.id), v.name) for v in villages]


class NewSurveyForm(OnceForm):
    title = StringField(
        _l("Title (Dutch)"),
        filters=[strip],
        validators=[DataRequired(_l("Fill in a title.")), Length(max=200)],
    )
    start = RadioField(_l("Start from"), default="blank")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "leefbaarheid": _l("The liveability template (leefbaarheid)"),
            "dorpsvisie": _l("The village-vision template (dorpsvisie)"),
        }
        self.start.choices = [SelectChoice("blank", _l("An empty questionnaire"))] + [
            SelectChoice(name, labels.get(name, name)) for name in TEMPLATES
        ]


class ImportForm(OnceForm):
    file = FileField(_l("Questionnaire file (.json)"))
    pasted = TextAreaField(
        _l("Or paste the JSON here"), filters=[strip], render_kw={"rows": 8, "class": "code"}
    )

    def document(self) -> Any:
        """The parsed JSON, or UNREADABLE with an error on the field that held it."""
        raw = self.file.data.read() if self.file.data else (self.pasted.data or "").encode()
        field = self.file if self.file.data else self.pasted
        if not raw.strip():
            self.pasted.errors = [_l("Choose a file or paste the questionnaire.")]
            return UNREADABLE
        try:
            return load_json(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            field.errors = [_l("This file is not a text file in UTF-8.")]
        except ValueError as error:
            field.errors = [_l("This is not valid JSON (%(error)s).", error=str(error))]
        return UNREADABLE


#: What ImportForm.document returns when there is nothing to import (JSON null is a
#: document, and refused by the format's checks like any other wrong one).
UNREADABLE = object()


class PublishForm(FlaskForm):
    opens_on = DateField(
        _l("Open for answers from"), validators=[InputRequired(_l("Fill in a date."))]
    )
    closes_on = DateField(
        _l("Until and including"), validators=[InputRequired(_l("Fill in a date."))]
    )

    def validate_closes_on(self, field) -> None:
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The closing date is before the opening date."))


class FieldworkSettingsForm(FlaskForm):
    anonymous = RadioField(
        _l("What is kept with the answers"),
        choices=[
            SelectChoice(
                "pseudonymous",
                _l(
                    "Pseudonymous: answers keep a number instead of a name, so a resident's "
                    "answers can be compared across surveys"
                ),
            ),
            SelectChoice(
                "anonymous",
                _l(
                    "Anonymous: after sending, nothing links the answers to the resident; only "
                    "that they took part is kept"
                ),
            ),
        ],
        default="pseudonymous",
    )
    first_reminder_days = IntegerField(
        _l("First reminder after (days)"),
        validators=[Optional(), NumberRange(min=1, max=60)],
        description=_l("Leave empty for no reminders."),
        render_kw={"class": "short", "inputmode": "numeric"},
    )
    second_reminder_days = IntegerField(
        _l("Second reminder after (days)"),
        validators=[Optional(), NumberRange(min=2, max=90)],
        description=_l("Leave empty for one reminder at most."),
        render_kw={"class": "short", "inputmode": "numeric"},
    )

    def validate_second_reminder_days(self, field) -> None:
        first = self.first_reminder_days.data
        if field.data is not None and (first is None or field.data <= first):
            raise ValidationError(_l("The second reminder must come after the first."))
