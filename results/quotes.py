"""Curated quotes (disclosure rule 6): open text is never published per village. Officials
read the open answers without village or respondent, make a quote of one with identifying
details removed, and publish it for the whole municipality. Every step is logged.

Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import current_app
from sqlalchemy import Select, bindparam, select

from accounts.models import Account
from analysis.disclosure import threshold_of
from audit.services import record
from core.db import db
from fieldwork.sent import sent_answers, sent_response
from results.models import Quote, QuoteStatus
from surveys.definition import QuestionType
from surveys.models import Survey

#: The question types whose answer is the resident's own words.
OPEN_TYPES = frozenset({QuestionType.TEXT.value, QuestionType.LONG_TEXT.value})


class NoSuchAnswer(LookupError):
    """No completed response of this survey has an open answer to that question."""


@dataclass(frozen=True)
class OpenAnswer:
    """One open answer as officials see it: no village, no respondent, no time.

    `response_id` is the random id a quote is made from; it is not shown."""

    response_id: str
    question: str
    text: str


def _open_questions_in(definition: dict) -> list[dict]:
    return [
        question
        for page in definition.get("pages", [])
        for question in page.get("questions", [])
        if question.get("type") in OPEN_TYPES
    ]


def open_questions(survey: Survey) -> dict[str, dict[str, str]]:
    """Code -> text ({"nl": ..., "en": ...}) of the open questions of every version, in
    the order they first appeared, in the newest wording."""
    found: dict[str, dict[str, str]] = {}
    for version in survey.versions:
        for question in _open_questions_in(version.definition):
            found[question["code"]] = question.get("text", {})  # keeps its first place
    return found


def completed_responses(survey: Survey) -> int:
    return len(sent_answers(survey))


def why_answers_hidden(survey: Survey) -> str | None:
    """Why the open answers cannot be read yet ('open', 'too_few'), or None.

    While a survey is open, a new answer appearing right after a resident submitted would
    name its author; after closing, fewer answers than the disclosure threshold are too
    few to hide among. So officials read them only once the survey is closed and has at
    least the threshold of completed responses.
    """
    if not survey.finished:
        return "open"
    if completed_responses(survey) < threshold_of(current_app.config["DISCLOSURE_THRESHOLD"]):
        return "too_few"
    return None


def open_answers(survey: Survey) -> list[OpenAnswer]:
    """The open-text answers of completed responses, per question, then in the random
    order of the response ids, so that neither time nor village can be read from it;
    none while why_answers_hidden."""
    if why_answers_hidden(survey) is not None:
        return []
    codes = {
        version.id: {question["code"] for question in _open_questions_in(version.definition)}
        for version in survey.versions
    }
    order = {code: position for position, code in enumerate(open_questions(survey))}
    answers = [
        OpenAnswer(sent.id, code, text.strip())
        for sent in sent_answers(survey)
        for code, text in sent.answers.items()
        if code in codes.get(sent.version_id, ()) and isinstance(text, str) and text.strip()
    ]
    return sorted(answers, key=lambda a: (order.get(a.question, len(order)), a.response_id))


def open_answer(survey: Survey, response_id: str, question: str) -> OpenAnswer:
    """The one open answer a quote is made from, or NoSuchAnswer (also while hidden)."""
    if why_answers_hidden(survey) is not None:
        raise NoSuchAnswer(response_id)
    found = sent_response(survey, response_id)
    if found is None:
        raise NoSuchAnswer(response_id)
    sent, version = found
    codes = {q["code"] for q in _open_questions_in(version.definition)}
    text = sent.answers.get(question)
    if question not in codes or not isinstance(text, str) or not text.strip():
        raise NoSuchAnswer(response_id)
    return OpenAnswer(sent.id, question, text.strip())


def quotes_of(survey: Survey) -> list[Quote]:
    """Every quote of the survey, drafts, published and withdrawn, oldest first."""
    return list(
        db.session.scalars(select(Quote).where(Quote.survey_id == survey.id).order_by(Quote.id))
    )


def quote_from(survey: Survey, response_id: str, question: str) -> Quote | None:
    """The quote already made from this answer, if any: an answer is curated once."""
    return db.session.scalar(
        select(Quote).where(
            Quote.survey_id == survey.id,
            Quote.response_id == response_id,
            Quote.question == question,
        )
    )


def create_quote(
    survey: Survey, response_id: str, question: str, text: str, account: Account
) -> Quote:
    """A draft quote from an open answer, in the official's edited words. The same answer
    again (a double click) gets the quote already made. Lock the survey row first, so two
    requests at once cannot both make one."""
    existing = quote_from(survey, response_id, question)
    if existing is not None:
        return existing
    open_answer(survey, response_id, question)  # NoSuchAnswer for an id from elsewhere
    quote = Quote(
        survey_id=survey.id,
        question=question,
        response_id=response_id,
        text=text,
        created_by_id=account.id,
    )
    db.session.add(quote)
    db.session.flush()
    # The text stays out of the log: it was made from someone's answer.
    record("quotes.created", quote, actor_id=account.id, survey=survey.id, question=question)
    return quote


def publish_quote(quote: Quote, account: Account, now: datetime) -> None:
    """Publish a draft or withdrawn quote; ValueError when it is published already."""
    quote.publish(now)
    db.session.flush()
    record("quotes.published", quote, actor_id=account.id, survey=quote.survey_id)


def withdraw_quote(quote: Quote, account: Account) -> None:
    """Take a published quote off the results; ValueError when it is not published."""
    quote.withdraw()
    db.session.flush()
    record("quotes.withdrawn", quote, actor_id=account.id, survey=quote.survey_id)


def published_texts(survey_id: int) -> list[str]:
    """The texts of the quotes the survey's results show, in the order they were published."""
    return list(db.session.scalars(_published_texts(), {"survey_id": survey_id}))


@cache
def _published_texts() -> Select:
    """Built once: building this statement costs more than running it."""
    return (
        select(Quote.text)
        .where(Quote.survey_id == bindparam("survey_id"), Quote.status == QuoteStatus.PUBLISHED)
        .order_by(Quote.published_at, Quote.id)
    )


def record_open_answers_viewed(survey: Survey, account: Account, **detail) -> None:
    """Reading open answers is reading personal data: every view is logged."""
    record("quotes.open_answers_viewed", survey, actor_id=account.id, survey=survey.id, **detail)
