"""Reading surveys for the designer's pages."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from accounts.models import Account, Role
from core.db import db
from surveys.models import (
    QuestionnaireVersion,
    ReviewStatus,
    Survey,
    SurveyKind,
    SurveyStatus,
    survey_villages,
)
from villages.models import Village

STATUS_ORDER = case(
    {status.value: rank for rank, status in enumerate(SurveyStatus)}, value=Survey.status
)


def visible_surveys(account: Account) -> list[Survey]:
    """Officials: every survey. Associations: their villages' village-vision proposals. With
    what the list shows (villages, proposing associations, version numbers) loaded at once;
    the questionnaires themselves are left out."""
    query = (
        select(Survey)
        .options(
            selectinload(Survey.villages).selectinload(Village.associations),
            selectinload(Survey.versions).load_only(QuestionnaireVersion.number),
        )
        .order_by(STATUS_ORDER, Survey.created_at.desc())
    )
    if not account.has_role(Role.OFFICIAL):
        villages = account.villages_for(Role.ASSOCIATION)
        own = select(survey_villages.c.survey_id).where(survey_villages.c.village_id.in_(villages))
        others = select(survey_villages.c.survey_id).where(
            survey_villages.c.village_id.not_in(villages)
        )
        query = query.where(
            Survey.kind == SurveyKind.VILLAGE_VISION,
            Survey.id.in_(own),
            Survey.id.not_in(others),
        )
    return list(db.session.scalars(query))


def published_surveys() -> list[Survey]:
    """Surveys in fieldwork (or about to start), closing first on top."""
    return list(
        db.session.scalars(
            select(Survey)
            .where(Survey.status == SurveyStatus.PUBLISHED)
            .order_by(Survey.closes_on, Survey.id)
        )
    )


def proposals_waiting_for_review() -> list[Survey]:
    """Village-vision proposals an association handed in, oldest first, with their villages."""
    return list(
        db.session.scalars(
            select(Survey)
            .where(Survey.review_status == ReviewStatus.SUBMITTED)
            .options(selectinload(Survey.villages))
            .order_by(Survey.created_at, Survey.id)
        )
    )
