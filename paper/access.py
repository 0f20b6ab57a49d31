"""Which surveys a volunteer may enter paper questionnaires for (their survey scope), and
the per-survey entry settings. Like an association's village scope: checked on every
entry route. A volunteer's scope gives them the entry pages only: never results, answers
of other sheets, or anything else of the survey.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import abort, g
from sqlalchemy import select

from accounts.models import Account, Role
from audit.services import record
from core.db import db
from paper.models import PaperSettings, SurveyAccess
from surveys.models import Survey, SurveyStatus

log = logging.getLogger(__name__)

#: Surveys whose paper questionnaires can still be entered.
ENTERABLE = (SurveyStatus.PUBLISHED,)


def access_of(account: Account | None, survey_id: int) -> SurveyAccess | None:
    if account is None:
        return None
    return db.session.get(SurveyAccess, (account.id, survey_id))


def may_enter(account: Account | None, survey_id: int) -> bool:
    """Officials enter for every survey; volunteers for the surveys they were given."""
    if account is None:
        return False
    if account.has_role(Role.OFFICIAL):
        return True
    return account.has_role(Role.VOLUNTEER) and access_of(account, survey_id) is not None


def may_resolve(account: Account | None, survey_id: int) -> bool:
    """Officials and senior volunteers of the survey decide where two entries differ."""
    if account is None:
        return False
    if account.has_role(Role.OFFICIAL):
        return True
    access = access_of(account, survey_id)
    return account.has_role(Role.VOLUNTEER) and access is not None and access.senior


def require_entry_access(survey_id: int) -> Survey:
    """Inside a view: the survey, or 404 when there is none, 403 outside the scope."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    if not may_enter(g.get("account"), survey_id):
        abort(403)
    return survey


def require_resolve_access(survey_id: int) -> Survey:
    survey = require_entry_access(survey_id)
    if not may_resolve(g.get("account"), survey_id):
        abort(403)
    return survey


def surveys_of(account: Account) -> list[Survey]:
    """The surveys an account may enter for, newest first: all published ones for an
    official, the granted ones for a volunteer."""
    query = select(Survey).where(Survey.status.in_(ENTERABLE)).order_by(Survey.id.desc())
    if not account.has_role(Role.OFFICIAL):
        query = query.join(SurveyAccess, SurveyAccess.survey_id == Survey.id).where(
            SurveyAccess.account_id == account.id
        )
    return list(db.session.scalars(query))


def volunteers() -> list[Account]:
    """Every account with the volunteer role, by name."""
    from accounts.models import RoleGrant

    return list(
        db.session.scalars(
            select(Account)
            .join(RoleGrant, RoleGrant.account_id == Account.id)
            .where(RoleGrant.role == Role.VOLUNTEER)
            .order_by(Account.name, Account.email)
        ).unique()
    )


def accesses(survey: Survey) -> list[SurveyAccess]:
    return list(
        db.session.scalars(
            select(SurveyAccess)
            .where(SurveyAccess.survey_id == survey.id)
            .join(Account, Account.id == SurveyAccess.account_id)
            .order_by(Account.name, Account.email)
        )
    )


def grant(survey: Survey, account: Account, senior: bool, by: Account, now: datetime) -> bool:
    """Give a volunteer access (or change their senior flag). Idempotent: False when
    nothing changed. Only volunteers get a scope."""
    if not account.has_role(Role.VOLUNTEER):
        raise ValueError("only volunteers get a survey scope")
    access = access_of(account, survey.id)
    if access is not None and access.senior == senior:
        return False
    if access is None:
        access = SurveyAccess(account_id=account.id, survey_id=survey.id, granted_by_id=by.id)
        db.session.add(access)
    access.senior, access.granted_at = senior, now
    record("paper.access_granted", survey, volunteer=account.id, senior=senior)
    db.session.flush()
    log.info("Survey %s: volunteer %s may enter paper (senior=%s)", survey.id, account.id, senior)
    return True


def revoke(survey: Survey, account: Account) -> bool:
    """Take a volunteer's access away. Idempotent: False when they had none."""
    access = access_of(account, survey.id)
    if access is None:
        return False
    db.session.delete(access)
    record("paper.access_revoked", survey, volunteer=account.id)
    db.session.flush()
    log.info("Survey %s: volunteer %s may no longer enter paper", survey.id, account.id)
    return True


def single_entry(survey_id: int) -> bool:
    settings = db.session.get(PaperSettings, survey_id)
    return settings is not None and settings.single_entry


def set_single_entry(survey: Survey, allowed: bool, by: Account, now: datetime) -> bool:
    """Allow one entry per sheet for this survey (marked on every sheet so entered), or
    require two again. Idempotent: False when nothing changed."""
    settings = db.session.get(PaperSettings, survey.id)
    if settings is None:
        settings = PaperSettings(survey_id=survey.id, single_entry=False)
        db.session.add(settings)
    if settings.single_entry == allowed:
        return False
    settings.single_entry, settings.changed_at, settings.changed_by_id = allowed, now, by.id
    record("paper.single_entry_changed", survey, single_entry=allowed)
    db.session.flush()
    return True
