"""Surveys and their versions: create, save a draft, start a new version. Callers commit."""

from __future__ import annotations

from typing import Any

from accounts.models import Account
from audit.services import record
from core.db import db
from surveys.checks import Problem
from surveys.format import from_json, to_json
from surveys.models import QuestionnaireVersion, Survey


class InvalidQuestionnaire(ValueError):
    """The definition has problems; nothing was saved."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def valid_definition(definition: Any) -> dict[str, Any]:
    """The definition in its canonical form, or InvalidQuestionnaire with every problem."""
    questionnaire, problems = from_json(definition)
    if problems:
        raise InvalidQuestionnaire(problems)
    return to_json(questionnaire)


def create_survey(definition: Any, by: Account | None) -> Survey:
    """A draft survey with version 1 of its questionnaire."""
    canonical = valid_definition(definition)
    survey = Survey(title=canonical["title"]["nl"], created_by_id=by.id if by else None)
    survey.versions.append(QuestionnaireVersion(number=1, definition=canonical))
    db.session.add(survey)
    db.session.flush()
    record("survey.created", survey)
    return survey


def save_questionnaire(survey: Survey, definition: Any) -> QuestionnaireVersion:
    """Save a changed questionnaire: into the draft version, or as a new version when the
    current one is frozen (published)."""
    canonical = valid_definition(definition)
    current = survey.current_version
    if current is not None and not current.frozen:
        current.replace_definition(canonical)
        version = current
    else:
        version = QuestionnaireVersion(
            number=(current.number + 1) if current else 1, definition=canonical
        )
        survey.versions.append(version)
    survey.title = canonical["title"]["nl"]
    db.session.flush()
    record("survey.questionnaire_saved", survey, version=version.number)
    return version
