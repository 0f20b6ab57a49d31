"""The "results are online" mail: once a wave's mirror is published, everyone invited to
that wave hears so, once. Not those who left the panel (the unsubscribe link of every survey
mail) or who paused it ("leave me alone for now"), as with reminders.

Runs as a job queued by the release (results.release), committing a batch at a time like
the invitations; a newer run of the same wave published later mails nobody again.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import or_, select

from accounts.models import Account
from core.db import db, utcnow
from core.urls import external_url
from fieldwork.links import unsubscribe_token
from fieldwork.models import Invitation
from jobs.registry import Progress
from mail.services import queue_mail
from mirror.models import ResultsAnnouncement
from panel.models import Member, MemberStatus
from surveys.answer_form import text_in
from surveys.models import Survey, SurveyKind
from villages.models import Village

log = logging.getLogger(__name__)

ANNOUNCE_JOB = "mirror.announce_results"
MAIL = "results_online"
#: Mails queued per transaction.
BATCH_SIZE = 500


def announce(survey_id: int, today: date, progress: Progress | None = None) -> int:
    """Mail everyone invited to the survey that its results are online; the count queued.
    Nothing for a wave announced before, or for a survey the mirror does not show."""
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.kind is not SurveyKind.GENERAL:
        return 0
    announcement = _announcement(survey_id)
    if announcement.finished_at is not None:
        db.session.rollback()
        return 0
    db.session.commit()
    sent = 0
    while queued := _mail_batch(survey_id, today):
        db.session.commit()
        sent += queued
        if progress is not None:
            progress(sent, None, survey.title)
    announcement = db.session.get_one(ResultsAnnouncement, survey_id, with_for_update=True)
    announcement.finished_at = announcement.finished_at or utcnow()
    db.session.commit()
    log.info("Survey %s: results announced in %s mail(s)", survey_id, sent)
    return sent


def _title(survey_id: int, language: str) -> str:
    survey = db.session.get_one(Survey, survey_id)
    return text_in(survey.live_version.definition["title"], language)


def _announcement(survey_id: int) -> ResultsAnnouncement:
    found = db.session.get(ResultsAnnouncement, survey_id, with_for_update=True)
    if found is None:
        found = ResultsAnnouncement(survey_id=survey_id)
        db.session.add(found)
        db.session.flush()
    return found


def _mail_batch(survey_id: int, today: date) -> int:
    """Queue the next BATCH_SIZE mails after the last one queued; 0 when nobody is left.
    The announcement row is locked first, so a second job waits and then goes on after."""
    announcement = db.session.get_one(
        ResultsAnnouncement, survey_id, with_for_update=True, populate_existing=True
    )
    if announcement.finished_at is not None:
        return 0
    rows = db.session.execute(
        select(Invitation.id, Account.email, Account.language, Account.name, Member, Village.slug)
        .join(Member, Member.id == Invitation.member_id)
        .join(Account, Account.id == Member.account_id)
        .join(Village, Village.id == Member.village_id)
        .where(
            Invitation.survey_id == survey_id,
            Invitation.id > announcement.last_invitation_id,
            Member.status == MemberStatus.ACTIVE,
            or_(Member.paused_until.is_(None), Member.paused_until < today),
        )
        .order_by(Invitation.id)
        .limit(BATCH_SIZE)
    ).all()
    for row in rows:
        queue_mail(
            row.email,
            MAIL,
            row.language,
            name=row.name,
            title=_title(survey_id, row.language),
            link=external_url("mirror.overview"),
            village_link=external_url("mirror.village", slug=row.slug),
            unsubscribe=external_url(
                "invitations.unsubscribe", token=unsubscribe_token(row.Member.id)
            ),
        )
    if rows:
        announcement.last_invitation_id = rows[-1].id
        announcement.mails += len(rows)
    db.session.flush()
    return len(rows)
