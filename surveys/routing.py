"""Which pages and questions a resident meets, given the answers so far.

Pure functions on a `Questionnaire` and its answers (code -> answer, the shapes of
`surveys.answer_form`), using the one condition evaluator. The web form, the preview and
later the paper form and data entry all route the same way.
"""

from __future__ import annotations

from typing import Any

from surveys.conditions import Answers, evaluate
from surveys.definition import Page, Question, Questionnaire, QuestionType


def visible_questions(page: Page, answers: Answers) -> list[Question]:
    """The page's questions whose condition holds, in order (info texts included)."""
    return [question for question in page.questions if evaluate(question.condition, answers)]


def still_asked(
    page: Page, shown: list[Question], answers: Answers, posted: Answers
) -> list[Question]:
    """Of the questions `shown` on a page, those still asked given the answers `posted` on
    it: an answer there can hide a later question on the same page (whose posted answer
    then no longer counts). `answers` are the earlier ones, the page's own left out."""
    on_page = {key for question in page.questions for key in answer_keys(question)}
    state = {key: value for key, value in answers.items() if key not in on_page}
    asked = []
    for question in page.questions:
        if question in shown and evaluate(question.condition, state):
            asked.append(question)
            state.update({key: posted[key] for key in answer_keys(question) if key in posted})
    return asked


def page_is_shown(page: Page, answers: Answers) -> bool:
    """Whether a resident sees the page: its condition holds and it asks something.

    A page whose questions are all routed away is skipped, even when an info text on it
    is still visible: that text introduced the skipped questions. A page made of info
    texts only (a closing word, say) is shown.
    """
    if not evaluate(page.condition, answers):
        return False
    visible = visible_questions(page, answers)
    if any(question.type is not QuestionType.INFO for question in visible):
        return True
    return bool(visible) and all(q.type is QuestionType.INFO for q in page.questions)


def first_page(questionnaire: Questionnaire, answers: Answers) -> int | None:
    """The index of the first page shown, or None when routing skips every page."""
    return next_page(questionnaire, -1, answers)


def next_page(questionnaire: Questionnaire, index: int, answers: Answers) -> int | None:
    """The index of the next page shown after page `index`, or None after the last."""
    pages = questionnaire.pages
    return next((i for i in range(index + 1, len(pages)) if page_is_shown(pages[i], answers)), None)


def previous_page(questionnaire: Questionnaire, index: int, answers: Answers) -> int | None:
    """The index of the page shown before page `index`, or None on the first."""
    pages = questionnaire.pages
    return next((i for i in range(index - 1, -1, -1) if page_is_shown(pages[i], answers)), None)


def answers_on_route(questionnaire: Questionnaire, answers: Answers) -> dict[str, Any]:
    """Only the answers to questions a resident meets with these answers: those routing
    now skips (an earlier answer changed) and unknown codes are left out.

    Conditions refer only to earlier questions, so one pass in order suffices: a skipped
    question's answer is gone before any later condition reads it.
    """
    kept: dict[str, Any] = {}
    for page in questionnaire.pages:
        if not evaluate(page.condition, kept):
            continue
        for question in page.questions:
            if evaluate(question.condition, kept):
                kept.update({key: answers[key] for key in answer_keys(question) if key in answers})
    return kept


def answer_keys(question: Question) -> list[str]:
    """The keys a question's answer is stored under: its code, its grid items' codes, and
    `{code}_other` for the "other, namely" text."""
    if question.type is QuestionType.INFO:
        return []
    if question.type is QuestionType.LIKERT_GRID:
        return [item.code for item in question.items]
    if question.type is QuestionType.MULTIPLE and question.other:
        return [question.code, other_key(question.code)]
    return [question.code]


def other_key(code: str) -> str:
    """Where the "other, namely" text of multiple-choice question `code` is kept."""
    return f"{code}_other"
