"""Checking one posted page of answers: the one check for the designer's preview and the
resident's personal link, so the preview accepts exactly what the real survey accepts.

The page is checked with the questionnaire's own form (`surveys.answer_form`) and routing
(`surveys.routing`). A page is refused outright when it posts answers our form never sends:
to a question the page does not show, or several answers to a question that takes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from surveys.answer_form import PageForm, answers_from, page_form
from surveys.conditions import is_answered
from surveys.definition import Page, Question, Questionnaire, QuestionType
from surveys.routing import answer_keys, answers_on_route, still_asked, visible_questions

#: The questions whose field is posted once per choice: a checkbox each, a select per place.
SEVERAL_VALUES = (QuestionType.MULTIPLE, QuestionType.RANKING)
#: Shown in the error summary of a refused page.
REFUSED = _l(
    "The form sent answers to questions that are not on this page. "
    "Please check your answers below and send the page again."
)


@dataclass(frozen=True)
class CheckedPage:
    """A posted page, checked. `answers` is None unless every answer on it passed."""

    form: PageForm
    #: The questions the page asks, given the answers posted on it.
    asked: list[Question]
    #: Answers posted that our own form never sends (a crafted request).
    refused: bool
    answers: dict[str, Any] | None


def check_page(
    page: Page, earlier: Mapping[str, Any], language: str, formdata: Any, csrf: bool = True
) -> CheckedPage:
    """Check posted `formdata` of `page`, given the `earlier` answers of the other pages
    (`csrf` False: answers typed from paper, which come from no browser form)."""
    form, asked = posted_page(page, earlier, language, formdata, csrf)
    valid = form.validate()  # also on a refused page: mark what else is wrong on it
    refused = not_from_our_form(formdata, visible_questions(page, earlier))
    if refused:
        form.form_errors.append(REFUSED)
    answers = answers_from(form, asked) if valid and not refused else None
    return CheckedPage(form, asked, refused, answers)


def posted_page(
    page: Page, answers: Mapping[str, Any], language: str, formdata: Any, csrf: bool = True
) -> tuple[PageForm, list[Question]]:
    """The posted form of a page, and the questions it asks: those shown given the earlier
    `answers`, less those an answer posted on the page itself now hides. So a required
    question hidden by a changed answer cannot block the page; one newly revealed is not
    checked before the resident has seen it."""
    shown = visible_questions(page, answers)
    form = page_form(shown, language, formdata=formdata, csrf=csrf)
    asked = still_asked(page, shown, answers, answers_from(form, shown))
    if len(asked) == len(shown):
        return form, asked  # nothing hidden (asked is a part of shown): the same form
    return page_form(asked, language, formdata=formdata, csrf=csrf), asked


def not_from_our_form(formdata: Any, shown: list[Question]) -> bool:
    """Answers posted to anything but the questions shown, or several answers to a
    question that takes one. Our own fields start with "_", which no question code can,
    or are the CSRF token."""
    allowed = {key for question in shown for key in answer_keys(question)}
    several = {question.code for question in shown if question.type in SEVERAL_VALUES}
    for key in formdata:
        values = formdata.getlist(key)
        if key in allowed:
            if key not in several and len(values) > 1:
                return True
        elif not key.startswith("_") and key != "csrf_token" and any(map(is_answered, values)):
            return True
    return False


def with_page(
    questionnaire: Questionnaire, earlier: Mapping[str, Any], checked: CheckedPage
) -> dict[str, Any]:
    """The earlier answers with the checked page's replaced, minus those routing now skips."""
    if checked.answers is None:
        raise ValueError("only a page that passed its check is kept")
    replaced = {key for question in checked.asked for key in answer_keys(question)}
    kept = {key: value for key, value in earlier.items() if key not in replaced}
    return answers_on_route(questionnaire, kept | checked.answers)


def revealed(page: Page, checked: CheckedPage, answers: Mapping[str, Any]) -> str | None:
    """The first question the page's own answers added to it: the page is shown again."""
    before = {question.code for question in checked.asked}
    return next((q.code for q in visible_questions(page, answers) if q.code not in before), None)
