"""The sent answers of a survey, wherever they are kept: an anonymous survey's in
`AnonymousResponse` (see `fieldwork.answering.submit`), the others' in `Response`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.db import db
from fieldwork.models import AnonymousResponse, Response, ResponseStatus
from surveys.models import QuestionnaireVersion, Survey


@dataclass(frozen=True)
class SentAnswers:
    """One sent response: its random id, questionnaire version and answers."""

    id: str
    version_id: int
    answers: dict[str, Any]


def sent_answers(survey: Survey) -> list[SentAnswers]:
    """Every sent response of the survey, in the order of their random ids."""
    model = AnonymousResponse if survey.anonymous else Response
    statement = select(model.id, model.version_id, model.answers).where(
        model.survey_id == survey.id
    )
    if model is Response:
        statement = statement.where(Response.status == ResponseStatus.COMPLETED)
    rows = db.session.execute(statement.order_by(model.id))
    return [SentAnswers(id_, version_id, answers or {}) for id_, version_id, answers in rows]


def sent_response(
    survey: Survey, response_id: str
) -> tuple[SentAnswers, QuestionnaireVersion] | None:
    """One sent response of the survey with its questionnaire version; None when there is
    no such response, it belongs to another survey or it was not sent."""
    found = db.session.get(AnonymousResponse if survey.anonymous else Response, response_id)
    if found is None or found.survey_id != survey.id or not found.completed:
        return None
    return SentAnswers(found.id, found.version_id, found.answers or {}), found.version
