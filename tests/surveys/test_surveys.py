"""Survey lifecycle and questionnaire versions, on both databases."""

import copy
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from core.db import db, utcnow
from surveys.models import LifecycleError, QuestionnaireVersion, Survey, SurveyStatus
from surveys.services import InvalidQuestionnaire, create_survey, save_questionnaire
from tests.helpers import count
from tests.surveys.test_format import EXAMPLE

TODAY = date(2026, 12, 1)


def published(survey):
    survey.publish(TODAY, TODAY + timedelta(days=21), utcnow())
    db.session.commit()
    return survey


def test_a_new_survey_is_a_draft_with_version_one(app):
    survey = create_survey(EXAMPLE, by=None)
    db.session.commit()
    assert survey.status is SurveyStatus.DRAFT
    assert survey.title == "Leefbaarheid in uw dorp"
    assert [v.number for v in survey.versions] == [1]
    assert survey.current_version.definition == EXAMPLE


def test_the_lifecycle_goes_one_way(app):
    survey = create_survey(EXAMPLE, by=None)
    with pytest.raises(LifecycleError):
        survey.close()
    with pytest.raises(LifecycleError):
        survey.archive()
    with pytest.raises(LifecycleError):
        survey.publish(TODAY, TODAY - timedelta(days=1), utcnow())
    published(survey)
    assert survey.is_open(TODAY) and not survey.is_open(TODAY + timedelta(days=22))
    with pytest.raises(LifecycleError):
        survey.publish(TODAY, TODAY, utcnow())
    survey.close()
    with pytest.raises(LifecycleError):
        survey.close()
    survey.archive()
    db.session.commit()
    assert survey.status is SurveyStatus.ARCHIVED


def test_publishing_freezes_the_version_and_editing_makes_a_new_one(app):
    survey = published(create_survey(EXAMPLE, by=None))
    first = survey.current_version
    assert first.frozen
    with pytest.raises(LifecycleError):
        first.replace_definition({})
    changed = copy.deepcopy(EXAMPLE)
    changed["title"]["nl"] = "Leefbaarheid 2027"
    version = save_questionnaire(survey, changed)
    db.session.commit()
    assert version.number == 2 and not version.frozen
    assert first.definition == EXAMPLE  # the answered version is untouched
    assert survey.title == "Leefbaarheid 2027"


def test_a_draft_is_edited_in_place(app):
    survey = create_survey(EXAMPLE, by=None)
    changed = copy.deepcopy(EXAMPLE)
    changed["pages"][0]["title"]["nl"] = "Over uw dorp"
    save_questionnaire(survey, changed)
    db.session.commit()
    assert count(QuestionnaireVersion) == 1
    assert survey.current_version.definition["pages"][0]["title"]["nl"] == "Over uw dorp"


def test_an_invalid_questionnaire_saves_nothing(app):
    broken = copy.deepcopy(EXAMPLE)
    broken["pages"][0]["questions"][2]["options"] = []
    with pytest.raises(InvalidQuestionnaire) as raised:
        create_survey(broken, by=None)
    assert raised.value.problems[0].kind == "no_options"
    db.session.rollback()
    assert count(Survey) == 0


def test_the_database_refuses_a_published_survey_without_dates(app):
    survey = create_survey(EXAMPLE, by=None)
    db.session.commit()
    survey.status = SurveyStatus.PUBLISHED  # behind the model's back
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_version_numbers_are_unique_per_survey(app):
    survey = create_survey(EXAMPLE, by=None)
    survey.versions.append(QuestionnaireVersion(number=1, definition=EXAMPLE))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
