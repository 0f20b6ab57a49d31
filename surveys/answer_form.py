"""The respondent's form for one page, generated from the questionnaire definition.

`page_form` makes a FlaskForm with a field per visible question (a Likert grid: one per
item), named after the codes. `answers_from` turns a valid form into answers of the shapes
routing, storage and analysis use:

    single, likert, grid item   "2"                 (an answer code)
    multiple                    ["a", "other"]      (in option order) + "{code}_other": "text"
    ranking                     ["groen", "wonen"]  (in the order chosen)
    mark, number                7
    text, long_text             "text"

Unanswered questions are left out. Only codes of the definition are accepted: anything
else in the posted data is refused with a message, never stored.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import get_template_attribute
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    Field,
    Label,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, html_params

from accounts.forms import strip
from surveys.conditions import is_answered
from surveys.definition import LIKERT_CODES, MARK_RANGE, Question, QuestionType, Text
from surveys.routing import answer_keys, other_key

TEXT_MAX = 500
LONG_TEXT_MAX = 5000
OTHER = "other"
#: Field attributes get a prefix: a question coded `data` or `validate` must not shadow
#: the form's own attributes. The HTML name and id are the code itself.
PREFIX = "answer_"
WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,12}$")

LIKERT_LABELS = (
    _l("Strongly disagree"),
    _l("Disagree"),
    _l("Neither agree nor disagree"),
    _l("Agree"),
    _l("Strongly agree"),
    _l("Don't know"),
)


def text_in(text: Text, language: str) -> str:
    """A text in `language`, in Dutch when that translation is missing."""
    return text.get(language) or text.get("nl", "")


class PageForm(FlaskForm):
    """One page of a questionnaire; `page_form` makes a subclass holding its fields."""

    questions: tuple[Question, ...] = ()
    language = "nl"
    #: Shown without answers: its questions look the same to every resident.
    blank = False
    #: Per subclass (so per page): the blank questions' HTML by locale (`questions_html`).
    blank_html: dict[str, Markup] | None = None

    def field(self, code: str) -> Field:
        """The field of a question or grid item."""
        return self[PREFIX + code]

    def other_field(self, code: str) -> Field:
        """The "other, namely" text box of multiple-choice question `code`."""
        return self[PREFIX + other_key(code)]

    def text_of(self, text: Text) -> str:
        return text_in(text, self.language)


def page_form(
    questions: Sequence[Question],
    language: str,
    formdata: Any = None,
    answers: Mapping[str, Any] | None = None,
    csrf: bool = True,
) -> PageForm:
    """The form for these (visible) questions: filled from `formdata` when posted, or
    prefilled from earlier `answers`. Without `csrf` for answers that come from no browser
    (typed from paper, imported)."""
    form_class = _form_class(tuple(questions), language)
    data = {PREFIX + key: value for key, value in _prefill(questions, answers or {}).items()}
    meta = {} if csrf else {"meta": {"csrf": False}}
    form = form_class(formdata=formdata, data=data, **meta)
    form.blank = formdata is None and not data
    return form


def questions_html(form: PageForm) -> Markup:
    """`page_questions(form)` of templates/surveys/_questions.html. A blank page's is kept
    (per form class and locale): every resident's first visit to a page shows the same
    HTML, and rendering it was most of the page's CPU. Only blank ones: kept HTML holds
    no one's answers."""
    render = get_template_attribute("surveys/_questions.html", "page_questions")
    if not form.blank or form.blank_html is None:
        return render(form)
    locale = str(get_locale())
    html = form.blank_html.get(locale)
    if html is None:
        html = form.blank_html[locale] = render(form)
    return html


def answers_from(form: PageForm, questions: Sequence[Question]) -> dict[str, Any]:
    """The answers on a validated form, in the shapes above; unanswered ones left out.
    On a form not (yet) valid, a number that cannot be read is left out too."""
    answers: dict[str, Any] = {}
    for question in questions:
        answers.update(_answer(form, question))
    return {key: value for key, value in answers.items() if is_answered(value)}


#: Form classes made lately, by the identity of their questions: checking a spreadsheet of
#: paper questionnaires builds the same page thousands of times. Each entry keeps its
#: questions alive, so an id is never reused for other questions while it is cached.
_FORM_CLASSES: OrderedDict[tuple, tuple[tuple[Question, ...], type[PageForm]]] = OrderedDict()
_FORM_CLASSES_LOCK = threading.Lock()
FORM_CLASSES_KEPT = 64


def _form_class(questions: tuple[Question, ...], language: str) -> type[PageForm]:
    key = (tuple(map(id, questions)), language)
    with _FORM_CLASSES_LOCK:
        kept = _FORM_CLASSES.get(key)
        if kept is not None and all(a is b for a, b in zip(kept[0], questions, strict=True)):
            _FORM_CLASSES.move_to_end(key)
            return kept[1]
    fields: dict[str, Any] = {}
    for question in questions:
        for field_key, unbound in _fields(question, language).items():
            fields[PREFIX + field_key] = unbound
    attributes = {"questions": questions, "language": language, "blank_html": {}}
    form_class = type("PageForm", (PageForm,), {**fields, **attributes})
    with _FORM_CLASSES_LOCK:
        _FORM_CLASSES[key] = (questions, form_class)
        while len(_FORM_CLASSES) > FORM_CLASSES_KEPT:
            _FORM_CLASSES.popitem(last=False)
    return form_class


# --- fields, one builder per question type ------------------------------------------------


def _fields(question: Question, language: str) -> dict[str, Any]:
    """The unbound fields of one question, by the key its answer is stored under."""
    label, help_text = text_in(question.text, language), text_in(question.help, language)
    kind = question.type
    if kind is QuestionType.INFO:
        return {}
    if kind is QuestionType.LIKERT_GRID:
        return {
            item.code: _radio(item.code, text_in(item.text, language), "", question, _likert())
            for item in question.items
        }
    if kind is QuestionType.MULTIPLE:
        return _multiple(question, label, help_text, language)
    if kind is QuestionType.RANKING:
        options = [(o.code, text_in(o.label, language)) for o in question.options]
        return {question.code: _ranking(question, label, help_text, options)}
    if kind in (QuestionType.TEXT, QuestionType.LONG_TEXT, QuestionType.NUMBER):
        return {question.code: _typed(question, label, help_text)}
    if kind is QuestionType.SINGLE:
        choices = _option_choices(question, language)
    else:
        choices = _likert() if kind is QuestionType.LIKERT else _marks()
    return {question.code: _radio(question.code, label, help_text, question, choices)}


def _option_choices(question: Question, language: str) -> list[SelectChoice]:
    return [
        SelectChoice(option.code, text_in(option.label, language)) for option in question.options
    ]


def _likert() -> list[SelectChoice]:
    return [
        SelectChoice(code, label) for code, label in zip(LIKERT_CODES, LIKERT_LABELS, strict=True)
    ]


def _marks() -> list[SelectChoice]:
    low, high = MARK_RANGE
    return [SelectChoice(str(mark)) for mark in range(low, high + 1)]


def _radio(code: str, label: str, help_text: str, question: Question, choices: list) -> Field:
    validators = [_required(question, _l("Choose an answer."))]
    validators.append(_known_codes([choice.value for choice in choices]))
    return AnswerRadioField(
        label,
        kept={},
        name=code,
        description=help_text,
        choices=choices,
        validators=validators,
        validate_choice=False,
    )


def _multiple(question: Question, label: str, help_text: str, language: str) -> dict:
    choices = _option_choices(question, language)
    if question.other:
        choices.append(SelectChoice(OTHER, _l("Other, namely")))
    fields = {
        question.code: AnswerCheckboxesField(
            label,
            kept={},
            name=question.code,
            description=help_text,
            choices=choices,
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
            validators=[_some_chosen(question), _known_codes([choice.value for choice in choices])],
        )
    }
    if question.other:
        key = other_key(question.code)
        fields[key] = StringField(
            _l("Your other answer"),
            name=key,
            filters=[strip],
            validators=[_other_described(question.code), _at_most(TEXT_MAX)],
        )
    return fields


def _typed(question: Question, label: str, help_text: str) -> Field:
    """A text box: short text, long text or a whole number."""
    required = _required(question, _l("Enter an answer."))
    if question.type is QuestionType.NUMBER:
        return StringField(
            label,
            name=question.code,
            description=help_text,
            filters=[strip],
            validators=[required, _whole_number(question.minimum, question.maximum)],
            render_kw={"inputmode": "numeric", "class": "short"},
        )
    if question.type is QuestionType.LONG_TEXT:
        return TextAreaField(
            label,
            name=question.code,
            description=help_text,
            filters=[strip, _plain_newlines],
            validators=[required, _at_most(LONG_TEXT_MAX)],
            render_kw={"rows": 6},
        )
    return StringField(
        label,
        name=question.code,
        description=help_text,
        filters=[strip],
        validators=[required, _at_most(TEXT_MAX)],
    )


def _plain_newlines(text: str | None) -> str | None:
    """Browsers post a text area's line breaks as CRLF; answers keep them as "\\n"."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


def _ranking(question: Question, label: str, help_text: str, options: list) -> Field:
    return RankingField(
        label,
        name=question.code,
        description=help_text,
        options=options,
        count=question.rank_count or len(options),
        validators=[_valid_ranking(question.required)],
    )


@dataclass(frozen=True)
class Place:
    """One place of a ranking: its select's id and label, and the code chosen there."""

    id: str
    label: Any
    chosen: str


class RankingField(Field):
    """The top `count` options in order: one select per place, all named after the
    question, so the browser posts the codes in order ("" for a place left open)."""

    def __init__(self, label=None, validators=None, *, options=(), count=1, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.options = list(options)
        self.count = count

    def process_data(self, value) -> None:
        self.data = _padded(value if isinstance(value, list) else [], self.count)

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            self.data = _padded([str(code).strip() for code in valuelist], self.count)

    def places(self) -> list[Place]:
        return [
            Place(f"{self.id}-{n}", _l("Choice %(number)s", number=n), self.data[n - 1])
            for n in range(1, self.count + 1)
        ]


def _padded(codes: list, count: int) -> list[str]:
    """At least `count` places; more are kept, so that tampering is refused, not cut off."""
    return [str(code) for code in codes] + [""] * (count - len(codes))


# --- radio buttons and checkboxes, without a WTForms subfield each -------------------------


@dataclass(frozen=True)
class Shown:
    """What stays the same of one radio button or checkbox, request after request."""

    id: str
    label: Label
    data: str
    #: id, name, type and value, as `html_params` writes them (it sorts attributes: these
    #: come after "checked" and "class").
    attributes: Markup


class ChoiceOption:
    """One radio button or checkbox as `choices` in templates/_forms.html renders it: the
    `id`, `label`, `data` and `checked` of a WTForms subfield, and called, its <input>."""

    __slots__ = ("shown", "checked")

    def __init__(self, shown: Shown, checked: bool):
        self.shown, self.checked = shown, checked

    id = property(lambda self: self.shown.id)
    label = property(lambda self: self.shown.label)
    data = property(lambda self: self.shown.data)

    def __call__(self, **attributes) -> Markup:
        """The <input> as WTForms writes it, with the class given: the templates give no
        other attribute, so no other is taken."""
        css = attributes.pop("class", None)
        if attributes:
            raise TypeError(f"a choice option takes only a class, not {sorted(attributes)}")
        checked = " checked" if self.checked else ""
        css = "" if css is None else Markup(' class="%s"') % css
        return Markup(f"<input{checked}{css} {self.shown.attributes}>")


class QuickChoices:
    """Iterated, a choice field gives `ChoiceOption`s instead of WTForms subfields: building
    a field per option and writing its attributes anew was two thirds of an answer page's
    CPU (issue 20). What does not change is kept in `kept`, one dict per unbound field (so
    per cached form class), by locale: the Likert labels are translated lazily."""

    def __init__(self, *args, kept: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = kept

    def __iter__(self):
        chosen = self.chosen()
        for shown in self.shown():
            yield ChoiceOption(shown, shown.data in chosen)

    def chosen(self) -> set[str]:
        raise NotImplementedError

    def shown(self) -> tuple[Shown, ...]:
        key = (str(get_locale()), self.id, self.name)
        shown = self.kept.get(key)
        if shown is None:
            kind = self.option_widget.input_type
            shown = self.kept[key] = tuple(
                self._shown(f"{self.id}-{n}", choice.value, choice.label or choice.value, kind)
                for n, choice in enumerate(self._iter_choices_normalized())
            )
        return shown

    def kept_options(self, kind: str, input_class: str, caller: Callable) -> Markup:
        """The options as `caller` (the `choice` macro of templates/_forms.html) writes
        them: each written once unchecked and once checked, then kept like `shown`; only
        which are checked is chosen anew."""
        key = ("written", str(get_locale()), self.id, self.name, kind, input_class)
        written = self.kept.get(key)
        if written is None:
            written = self.kept[key] = tuple(
                (caller(ChoiceOption(shown, False)), caller(ChoiceOption(shown, True)))
                for shown in self.shown()
            )
        chosen = self.chosen()
        pairs = zip(self.shown(), written, strict=True)
        return Markup("").join(pair[shown.data in chosen] for shown, pair in pairs)

    def _shown(self, option_id: str, value, label, kind: str) -> Shown:
        attributes = html_params(id=option_id, name=self.name, type=kind, value=str(value))
        # Resolved in this locale, and written as before: a lazy text as it is (through
        # its __html__), other text escaped.
        text = Markup(label.__html__()) if hasattr(label, "__html__") else str(label)
        return Shown(option_id, Label(option_id, text), str(value), attributes)


class AnswerRadioField(QuickChoices, RadioField):
    def chosen(self) -> set[str]:
        return {self.data} if isinstance(self.data, str) else set()


class AnswerCheckboxesField(QuickChoices, SelectMultipleField):
    def chosen(self) -> set[str]:
        return set(self.data or ())


# --- validators -----------------------------------------------------------------------------

Validator = Callable[[PageForm, Field], None]


def _required(question: Question, message) -> Validator:
    def validate(form, field) -> None:
        if question.required and not is_answered(field.data):
            raise StopValidation(message)

    return validate


def _known_codes(codes: list[str]) -> Validator:
    """Only codes offered on the form: anything else was not posted by it."""

    def validate(form, field) -> None:
        chosen = field.data if isinstance(field.data, list) else [field.data]
        if any(is_answered(code) and code not in codes for code in chosen):
            raise StopValidation(_l("Choose one of the answers shown."))

    return validate


def _some_chosen(question: Question) -> Validator:
    """Required multiple choice: a ticked box, or text in the "other, namely" box."""

    def validate(form, field) -> None:
        other = form.other_field(question.code).data if question.other else ""
        if question.required and not field.data and not other:
            raise StopValidation(_l("Choose one or more answers."))

    return validate


def _other_described(code: str) -> Validator:
    def validate(form, field) -> None:
        if OTHER in (form.field(code).data or []) and not field.data:
            raise StopValidation(_l("Describe your other answer."))

    return validate


def _at_most(length: int) -> Validator:
    def validate(form, field) -> None:
        if field.data and len(field.data) > length:
            raise ValidationError(
                _l(
                    "Use at most %(max)s characters; now there are %(length)s.",
                    max=length,
                    length=len(field.data),
                )
            )

    return validate


def _whole_number(low: int | None, high: int | None) -> Validator:
    def validate(form, field) -> None:
        if not field.data:
            return
        if not WHOLE_NUMBER.match(field.data):
            raise ValidationError(_range_message(low, high) or _l("Enter a whole number."))
        number = int(field.data)
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValidationError(_range_message(low, high))

    return validate


def _range_message(low: int | None, high: int | None):
    if low is not None and high is not None:
        return _l("Enter a whole number from %(min)s to %(max)s.", min=low, max=high)
    if low is not None:
        return _l("Enter a whole number of %(min)s or more.", min=low)
    if high is not None:
        return _l("Enter a whole number of %(max)s or less.", max=high)
    return None


def _valid_ranking(required: bool) -> Validator:
    def validate(form, field) -> None:
        places, codes = field.data, [code for code, _ in field.options]
        chosen = [code for code in places if code]
        if len(places) > field.count or any(code not in codes for code in chosen):
            raise StopValidation(_l("Choose one of the answers shown."))
        if len(set(chosen)) < len(chosen):
            raise StopValidation(_l("Choose each answer only once."))
        if "" in places[: len(chosen)]:
            raise StopValidation(_l("Fill in the choices in order, starting with the first."))
        if required and len(chosen) < field.count:
            raise StopValidation(_l("Fill in every choice."))

    return validate


# --- answers in, answers out --------------------------------------------------------------


def _prefill(questions: Sequence[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Earlier answers as field data: codes and numbers as the strings the fields hold."""
    data: dict[str, Any] = {}
    for question in questions:
        for key in answer_keys(question):
            if key not in answers:
                continue
            value = answers[key]
            if key == question.code and question.type in (
                QuestionType.MULTIPLE,
                QuestionType.RANKING,
            ):
                data[key] = [str(code) for code in value] if isinstance(value, list) else []
            else:
                data[key] = str(value)
    return data


def _answer(form: PageForm, question: Question) -> dict[str, Any]:
    kind = question.type
    if kind is QuestionType.INFO:
        return {}
    if kind is QuestionType.LIKERT_GRID:
        return {item.code: form.field(item.code).data for item in question.items}
    data = form.field(question.code).data
    if kind is QuestionType.MULTIPLE:
        return _multiple_answer(form, question, data or [])
    if kind is QuestionType.RANKING:
        return {question.code: [code for code in data if code]}
    if kind in (QuestionType.MARK, QuestionType.NUMBER):
        return {question.code: int(data) if WHOLE_NUMBER.match(data or "") else None}
    return {question.code: data}


def _multiple_answer(form: PageForm, question: Question, chosen: list[str]) -> dict[str, Any]:
    """The ticked codes in option order; text in "other, namely" counts as ticking it."""
    other = form.other_field(question.code).data if question.other else ""
    codes = [
        code for code in question.answer_codes() if code in chosen or (code == OTHER and other)
    ]
    answer: dict[str, Any] = {question.code: codes}
    if other:
        answer[other_key(question.code)] = other
    return answer
