"""What the officials' start page shows, read from the domains in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.db import db
from fieldwork.monitor import Tally, survey_totals
from mail.models import MailStatus, OutboxMail
from results.models import AnalysisRun
from surveys import queries as surveys
from surveys.models import Survey

#: How many analysis runs the start page lists.
RECENT_RUNS = 5


@dataclass(frozen=True)
class SurveyInFieldwork:
    survey: Survey
    figures: Tally  #: exact, as the response monitor shows officials


@dataclass(frozen=True)
class StartPage:
    surveys: list[SurveyInFieldwork]
    proposals: list[Survey]
    failed_mail: int
    runs: list[AnalysisRun]


def start_page() -> StartPage:
    """Surveys in fieldwork with their response so far, proposals waiting for review,
    failed mail and the latest analysis runs."""
    published = surveys.published_surveys()
    totals = survey_totals(survey.id for survey in published)
    return StartPage(
        surveys=[SurveyInFieldwork(survey, totals[survey.id]) for survey in published],
        proposals=surveys.proposals_waiting_for_review(),
        failed_mail=failed_mail_count(),
        runs=recent_runs(),
    )


def failed_mail_count() -> int:
    """Mails the outbox gave up on; an official can send them again from the outbox."""
    statement = select(func.count()).where(OutboxMail.status == MailStatus.FAILED)
    return db.session.scalar(statement) or 0


def recent_runs(limit: int = RECENT_RUNS) -> list[AnalysisRun]:
    """The newest analysis runs of any survey, with their survey."""
    return list(
        db.session.scalars(
            select(AnalysisRun)
            .options(joinedload(AnalysisRun.survey))
            .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc())
            .limit(limit)
        )
    )
