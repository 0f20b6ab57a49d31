"""Inviting a survey's panel members, reminding those who have not finished, unsubscribing.

Who gets an invitation: members in the survey's villages (every panel village when it names
none) who are in the panel, not paused today, below this quarter's invitation limit
(panel.fatigue), not invited to this survey before, and have an email address. Paper
members are counted apart: they get a paper questionnaire, not a mail.

One SQL expression (`_reason`) decides this for the preview and for the sending job alike,
so the number the official sees is the number that is sent.

Before publishing and while inviting, the official also sees per village how many
responses to expect, and a warning where that is below the disclosure threshold.

An anonymous survey goes only to villages with at least the disclosure threshold of
members to invite (or whose cluster in the survey has as many together: its villages'
answers are then stored and shown as the cluster's), and only when the whole survey has as
many; see `too_few_for_anonymity`. Fewer could not hide who answered.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import (
    Integer,
    Select,
    and_,
    case,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from accounts.models import Account
from analysis.disclosure import threshold_of
from audit.services import record
from core.db import db, utcnow
from core.urls import external_url
from fieldwork.links import survey_token, unsubscribe_token
from fieldwork.models import Invitation
from jobs.models import Job, JobStatus
from jobs.registry import Progress
from jobs.services import enqueue
from mail.services import Addressee, queue_mails
from panel import me_services
from panel.fatigue import quarter_of
from panel.models import Member, MemberStatus
from surveys.answer_form import text_in
from surveys.models import Survey, SurveyStatus
from villages.models import Village
from villages.queries import panel_villages

log = logging.getLogger(__name__)

SEND_JOB = "fieldwork.send_invitations"
INVITATION_MAIL = "survey_invitation"
REMINDER_MAIL = "survey_reminder"
#: Members invited, or invitations reminded, per transaction.
BATCH_SIZE = 500

#: Why a member in scope gets no invitation now, in the order they are checked.
REASONS = ("left", "already_invited", "paused", "fatigue", "paper", "too_few")
INVITE = "invite"


class SendingRefused(ValueError):
    """Invitations go out only while the survey is open; `reason` says why not now."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Days and times ---------------------------------------------------------------------------


def _start_of_day(day: date) -> datetime:
    """Midnight at the start of a Dutch calendar day, as an aware datetime."""
    return datetime.combine(day, time(), ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def _end_of(day: date) -> datetime:
    """Midnight at the end of a Dutch calendar day."""
    return _start_of_day(day + timedelta(days=1))


def _on_or_before(column, day: date):
    """The (UTC) moment in `column` fell on or before this Dutch calendar day."""
    return column < _end_of(day)


# Who is invited ---------------------------------------------------------------------------


def _invitations_this_quarter(today: date, among: Collection[int] | None = None):
    """Invitations per member in the calendar quarter of `today`: one grouped query (of
    the members `among` only, when given)."""
    first, last = quarter_of(today)
    statement = select(Invitation.member_id, func.count().label("invitations")).where(
        Invitation.invited_at >= _start_of_day(first),
        _on_or_before(Invitation.invited_at, last),
    )
    if among is not None:
        statement = statement.where(Invitation.member_id.in_(among))
    return statement.group_by(Invitation.member_id).subquery()


def _reason(survey: Survey, quarter, today: date, blocked: Collection[int] = ()):
    """Why a member gets no invitation (one of REASONS), or INVITE; mirrors panel.fatigue.
    `blocked`: the villages with too few members for an anonymous survey."""
    invited_here = exists().where(
        Invitation.survey_id == survey.id, Invitation.member_id == Member.id
    )
    limit = current_app.config["INVITATIONS_PER_QUARTER"]
    return case(
        (Member.status == MemberStatus.LEFT, "left"),
        (invited_here, "already_invited"),
        (Member.paused_until >= today, "paused"),
        (func.coalesce(quarter.c.invitations, 0) >= limit, "fatigue"),
        (Member.account_id.is_(None), "paper"),
        (Member.village_id.in_(blocked), "too_few"),
        else_=INVITE,
    )


def _members_in_scope(
    survey: Survey,
    today: date,
    *columns,
    blocked: Collection[int] = (),
    among: Collection[int] | None = None,
) -> Select:
    """`columns` and the reason of every member in the survey's villages (of the members
    `among` only, when given)."""
    quarter = _invitations_this_quarter(today, among)
    village_ids = [village.id for village in survey.villages]
    statement = (
        select(*columns, _reason(survey, quarter, today, blocked).label("reason"))
        .select_from(Member)
        .outerjoin(quarter, quarter.c.member_id == Member.id)
        .where(Member.village_id.in_(village_ids) if village_ids else true())
    )
    return statement if among is None else statement.where(Member.id.in_(among))


def _to_invite(
    survey: Survey,
    today: date,
    among: Collection[int] | None = None,
    preview: InvitationPreview | None = None,
) -> Select:
    """The members who get an invitation now, with the account their mail goes to (of the
    members `among` only, when given). `preview`: the anonymous survey's, if made already."""
    blocked = []
    if survey.anonymous:
        blocked = (preview or invitation_preview(survey, today)).blocked
    scoped = _members_in_scope(survey, today, Member.id, blocked=blocked, among=among)
    scoped = scoped.subquery()
    return (
        select(Member.id, Account.email, Account.language, Account.name)
        .join(scoped, scoped.c.id == Member.id)
        .join(Account, Account.id == Member.account_id)
        .where(scoped.c.reason == INVITE)
        .order_by(Member.id)
    )


def paper_members_to_invite(survey: Survey, today: date) -> Select:
    """(member id, village id) of the paper members due an invitation now: they get a
    printed questionnaire instead of a mail (paper.batches). Not in the villages an
    anonymous survey leaves out for having too few members."""
    blocked = invitation_preview(survey, today).blocked if survey.anonymous else []
    scoped = _members_in_scope(survey, today, Member.id, Member.village_id, blocked=blocked)
    scoped = scoped.subquery()
    return (
        select(scoped.c.id, scoped.c.village_id)
        .where(scoped.c.reason == "paper", scoped.c.village_id.not_in(blocked))
        .order_by(scoped.c.id)
    )


@dataclass
class VillageCount:
    """Members of one village (None: all villages) who get an invitation, and who do not."""

    village: Village | None
    invite: int = 0
    left: int = 0
    already_invited: int = 0
    paused: int = 0
    fatigue: int = 0
    paper: int = 0
    too_few: int = 0

    @property
    def excluded(self) -> int:
        return sum(getattr(self, reason) for reason in REASONS)

    @property
    def invitees(self) -> int:
        """Members invited: already, or when the invitations are sent, by mail or on paper
        (a paper member's answers are as anonymous as a web member's, and as easy to pick
        out in a small village)."""
        return self.invite + self.already_invited + self.too_few + self.paper


@dataclass(frozen=True)
class TooFewInvitees:
    """Where an anonymous survey has fewer members to invite than the disclosure threshold:
    a village (not saved by its cluster), or the whole survey (village None)."""

    village: Village | None
    invitees: int
    threshold: int
    cluster: str | None = None
    cluster_invitees: int | None = None


@dataclass
class InvitationPreview:
    rows: list[VillageCount]
    totals: VillageCount
    #: Anonymous surveys only: the villages, or the whole survey, with too few invitees.
    too_few: list[TooFewInvitees] = field(default_factory=list)

    @property
    def blocked(self) -> list[int]:
        """The villages whose members get no invitation to this anonymous survey."""
        return [short.village.id for short in self.too_few if short.village is not None]

    @property
    def refused(self) -> bool:
        """The whole anonymous survey has too few invitees: nobody is invited."""
        return any(short.village is None for short in self.too_few)


def _counted(survey: Survey, today: date, blocked: Collection[int]) -> list[VillageCount]:
    scoped = _members_in_scope(survey, today, Member.village_id, blocked=blocked).subquery()
    statement = select(scoped.c.village_id, scoped.c.reason, func.count()).group_by(
        scoped.c.village_id, scoped.c.reason
    )
    rows = {village.id: VillageCount(village) for village in survey.villages or panel_villages()}
    for village_id, reason, number in db.session.execute(statement):
        if village_id in rows:
            setattr(rows[village_id], reason, number)
    return list(rows.values())


def invitation_preview(survey: Survey, today: date) -> InvitationPreview:
    """Per village in scope: how many members get an invitation, and who not and why."""
    rows = _counted(survey, today, ())
    too_few = too_few_for_anonymity(survey, rows) if survey.anonymous else []
    blocked = [short.village.id for short in too_few if short.village is not None]
    if blocked:
        rows = _counted(survey, today, blocked)
    return InvitationPreview(rows, _sum(VillageCount, rows), too_few)


def too_few_for_anonymity(survey: Survey, rows: list[VillageCount]) -> list[TooFewInvitees]:
    """The villages of an anonymous survey with some but fewer invitees than the disclosure
    threshold, and the whole survey when all its invitees outside those are fewer.

    A small village in a cluster whose villages in this survey reach the threshold together
    is not short: its answers are stored and reported as the cluster's (fieldwork stores
    the cluster instead of a village too small to hide in), so its residents hide among
    the cluster's. A village without any invitee is not short either: nobody to identify.
    """
    from results.clusters import clusters_by_village  # results build on fieldwork

    threshold = threshold_of(current_app.config["DISCLOSURE_THRESHOLD"])
    clusters = clusters_by_village()
    together: dict[str, int] = {}
    for row in rows:
        if row.village.id in clusters:
            name = clusters[row.village.id]
            together[name] = together.get(name, 0) + row.invitees
    short = []
    for row in rows:
        cluster = clusters.get(row.village.id)
        saved = cluster is not None and together[cluster] >= threshold
        if 0 < row.invitees < threshold and not saved:
            short.append(
                TooFewInvitees(row.village, row.invitees, threshold, cluster, together.get(cluster))
            )
    left = sum(row.invitees for row in rows) - sum(s.invitees for s in short)
    if left < threshold:
        short.append(TooFewInvitees(None, left, threshold))
    return short


def _sum(cls: type, rows: Iterable) -> object:
    """The totals row: every count summed, no village."""
    rows = list(rows)
    counts = [f.name for f in fields(cls) if f.name != "village"]
    return cls(None, **{count: sum(getattr(row, count) for row in rows) for count in counts})


@dataclass
class SentCount:
    """Invitations sent so far to the members of one village (None: all villages)."""

    village: Village | None
    invited: int = 0
    completed: int = 0
    reminded_once: int = 0
    reminded_twice: int = 0


def sent_so_far(survey: Survey) -> tuple[list[SentCount], SentCount]:
    """Invitations of this survey per village, with how many finished and were reminded."""

    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)

    statement = (
        select(
            Member.village_id,
            func.count().label("invited"),
            total(Invitation.took_part.is_(True)).label("completed"),
            total(Invitation.reminders_sent == 1).label("reminded_once"),
            total(Invitation.reminders_sent == 2).label("reminded_twice"),
        )
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.survey_id == survey.id)
        .group_by(Member.village_id)
    )
    found = {row[0]: row[1:] for row in db.session.execute(statement)}
    villages = db.session.scalars(
        select(Village).where(Village.id.in_(found)).order_by(Village.name)
    )
    rows = [SentCount(village, *found[village.id]) for village in villages]
    return rows, _sum(SentCount, rows)


# Expected responses -------------------------------------------------------------------------

#: Past invitations a village (or else the whole panel) needs before its own response rate
#: is used; fewer say too little, and the EXPECTED_RESPONSE_RATE setting is used instead.
MIN_PAST_INVITATIONS = 20


@dataclass(frozen=True)
class ResponseRate:
    rate: float
    #: "village": this village's past surveys; "panel": all past surveys of the panel;
    #: "setting": the EXPECTED_RESPONSE_RATE setting (too few past invitations).
    source: str
    #: The past invitations it is based on (0 for the setting).
    invitations: int = 0


@dataclass(frozen=True)
class ExpectedResponses:
    """How many responses a village in the survey's scope is likely to give."""

    village: Village
    #: Members invited by mail: already, or when the invitations are sent.
    members: int
    rate: ResponseRate
    threshold: int
    #: The village cluster whose figures stand in for the village's, if any.
    cluster: str | None = None
    #: The expected responses of the cluster's villages in this survey together.
    cluster_expected: int | None = None

    @property
    def expected(self) -> int:
        """Rounded down: a threshold of 10 is not met by 9.6 expected responses."""
        return math.floor(self.members * self.rate.rate + 1e-9)

    @property
    def below_threshold(self) -> bool:
        return self.expected < self.threshold

    @property
    def covered_by_cluster(self) -> bool:
        return self.cluster_expected is not None and self.cluster_expected >= self.threshold

    @property
    def members_short(self) -> int | None:
        """Members to recruit besides those invited to expect the threshold; None when the
        expected rate is nil (no number of members is then enough)."""
        if self.rate.rate <= 0:
            return None
        return max(0, math.ceil(self.threshold / self.rate.rate - 1e-9) - self.members)


def past_response_rates(survey: Survey) -> tuple[dict[int, tuple[int, int]], tuple[int, int]]:
    """(invited, completed) of the panel's closed surveys other than this one, per village
    of the member now and for the whole panel: one grouped query."""
    completed = func.coalesce(func.sum(case((Invitation.took_part.is_(True), 1), else_=0)), 0).cast(
        Integer
    )
    rows = db.session.execute(
        select(Member.village_id, func.count(), completed)
        .join(Member, Member.id == Invitation.member_id)
        .join(Survey, Survey.id == Invitation.survey_id)
        .where(
            Survey.status.in_([SurveyStatus.CLOSED, SurveyStatus.ARCHIVED]),
            Survey.id != survey.id,
        )
        .group_by(Member.village_id)
    ).all()
    per_village = {village_id: (invited, done) for village_id, invited, done in rows}
    panel = (sum(row[1] for row in rows), sum(row[2] for row in rows))
    return per_village, panel


def _rate(counts: tuple[int, int] | None, panel: tuple[int, int]) -> ResponseRate:
    for source, (invited, completed) in (("village", counts or (0, 0)), ("panel", panel)):
        if invited >= MIN_PAST_INVITATIONS:
            return ResponseRate(completed / invited, source, invited)
    return ResponseRate(current_app.config["EXPECTED_RESPONSE_RATE"], "setting")


def expected_responses(
    survey: Survey, preview: InvitationPreview, clusters: Mapping[int, str]
) -> list[ExpectedResponses]:
    """Per village of `preview`: members invited × the response rate of past surveys (of
    the village, else of the panel, else the setting). `clusters`: village id -> the name
    of its cluster (results.clusters.clusters_by_village)."""
    per_village, panel = past_response_rates(survey)
    threshold = threshold_of(current_app.config["DISCLOSURE_THRESHOLD"])
    rows = [
        ExpectedResponses(
            village=row.village,
            members=row.invite + row.already_invited,
            rate=_rate(per_village.get(row.village.id), panel),
            threshold=threshold,
            cluster=clusters.get(row.village.id),
        )
        for row in preview.rows
    ]
    together: dict[str, int] = {}
    for row in rows:
        if row.cluster is not None:
            together[row.cluster] = together.get(row.cluster, 0) + row.expected
    return [
        replace(row, cluster_expected=together[row.cluster]) if row.cluster else row for row in rows
    ]


# Sending ----------------------------------------------------------------------------------


def why_not_sendable(
    survey: Survey, today: date, preview: InvitationPreview | None = None
) -> str | None:
    """Why invitations cannot go out today ('draft', 'not_yet_open', 'closed', 'too_few':
    an anonymous survey with fewer invitees than the disclosure threshold), or None.

    Only an open survey sends: an invitation to a survey that opens later would carry a
    link that does not work yet.
    """
    if survey.status is SurveyStatus.DRAFT:
        return "draft"
    if survey.is_open(today):
        if survey.anonymous and (preview or invitation_preview(survey, today)).refused:
            return "too_few"
        return None
    if survey.status is SurveyStatus.PUBLISHED and today < survey.opens_on:
        return "not_yet_open"
    return "closed"


def sending_job(survey: Survey) -> Job | None:
    """The job that is sending this survey's invitations right now, if any."""
    unfinished = select(Job).where(
        Job.name == SEND_JOB, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])
    )
    return next(
        (job for job in db.session.scalars(unfinished) if job.params.get("survey_id") == survey.id),
        None,
    )


def start_sending(survey: Survey, by: Account | None, today: date) -> Job:
    """Queue the job that invites the members (SendingRefused unless open today).

    A second click while the job waits or runs returns that job instead of a new one.
    Callers lock the survey row (survey_for_viewing(..., locking=True) in the view), so
    two clicks at once do not both get past the check.
    """
    reason = why_not_sendable(survey, today)
    if reason is not None:
        raise SendingRefused(reason)
    job = sending_job(survey)
    if job is None:
        job = enqueue(SEND_JOB, survey_id=survey.id, by_id=by.id if by else None)
        record("survey.invitations_started", survey, job=job.id)
    return job


def send_invitations(
    survey_id: int, today: date, progress: Progress, by_id: int | None = None
) -> int:
    """Invite every member due an invitation, BATCH_SIZE per transaction; returns the count.

    Runs in a background job, not a request, so it commits each batch itself: a job that
    stops halfway keeps what it sent, and run again it sends only the rest (each batch
    asks anew whom of its members to invite; the database refuses a second invitation
    anyway). Who is due is found once, and each batch asks only about its own members:
    asking about every member for every batch made the job quadratic in the panel's size.
    A last pass over every member invites anyone who became due while the job ran.
    """
    survey = db.session.get_one(Survey, survey_id)
    due = db.session.scalars(_to_invite(survey, today)).all()
    db.session.commit()
    batches = [due[at : at + BATCH_SIZE] for at in range(0, len(due), BATCH_SIZE)]
    done = 0
    progress(0, len(due))
    while True:
        among = batches.pop(0) if batches else None
        invited = _invite_batch(survey_id, today, among)
        if invited is None or (among is None and invited == 0):
            break
        db.session.commit()
        done += invited
        progress(done, max(len(due), done))
    if done:
        record("survey.invitations_sent", survey, actor_id=by_id, invited=done)
    db.session.commit()
    log.info("Survey %s: %s invitation(s) queued", survey_id, done)
    return done


def _invite_batch(survey_id: int, today: date, among: list[int] | None) -> int | None:
    """Invite those due of the members `among` (None: the next BATCH_SIZE of all members
    due) and queue their mails: how many; None once invitations may no longer go out.

    Locks the survey row first, so a second job for the same survey waits and then
    finds these members invited.
    """
    survey = db.session.get_one(Survey, survey_id, with_for_update=True, populate_existing=True)
    preview = invitation_preview(survey, today) if survey.anonymous else None
    if why_not_sendable(survey, today, preview) is not None:
        return None  # closed while sending, or too few left for an anonymous survey
    members = db.session.execute(_to_invite(survey, today, among, preview).limit(BATCH_SIZE)).all()
    if not members:
        return 0
    now = utcnow()
    rows = [{"survey_id": survey.id, "member_id": m.id, "invited_at": now} for m in members]
    # One INSERT of many rows, not one per row (psycopg's executemany): the monitor's
    # trigger then runs once per batch instead of once per invitation.
    statement = insert(Invitation).returning(
        Invitation.id, Invitation.survey_id, Invitation.member_id, sort_by_parameter_order=True
    )
    invitations = db.session.execute(statement, rows).all()
    _queue_survey_mails(INVITATION_MAIL, survey, zip(invitations, members, strict=True))
    return len(invitations)


def _queue_survey_mails(kind: str, survey: Survey, invited: Iterable[tuple]) -> None:
    """The invitation or reminder mails, each with the personal link and the unsubscribe
    link: (invitation, recipient) pairs, rendered once per language (mail.queue_mails)."""
    definition = survey.live_version.definition

    def shared(language: str) -> dict:
        return {
            "title": text_in(definition["title"], language),
            "introduction": text_in(definition.get("introduction") or {}, language),
            "closes_on": survey.closes_on,
            "anonymous": survey.anonymous,
            "my_page": external_url("me.overview"),
        }

    addressees = [
        Addressee(
            recipient.email,
            recipient.language,
            {
                "name": recipient.name,
                "link": external_url("answer.start", token=survey_token(invitation)),
                "unsubscribe": external_url(
                    "invitations.unsubscribe", token=unsubscribe_token(invitation.member_id)
                ),
            },
        )
        for invitation, recipient in invited
    ]
    queue_mails(kind, addressees, shared, expires_at=_end_of(survey.closes_on))


# Reminders --------------------------------------------------------------------------------


def _reminder_due(survey: Survey, today: date):
    """Which invitations of this survey are due a reminder today, or None for no reminders.

    Not to members who finished, left the panel or are paused (a pause means "leave me
    alone for now"; once it ends, a reminder still due is sent). The first reminder comes
    `first_reminder_days` after the invitation, the second `second_reminder_days` after it
    and at least the difference after the first, so a late run never sends both at once.
    """
    first, second = survey.first_reminder_days, survey.second_reminder_days
    if first is None:
        return None
    due = and_(
        Invitation.reminders_sent == 0,
        _on_or_before(Invitation.invited_at, today - timedelta(days=first)),
    )
    if second is not None:
        due = or_(
            due,
            and_(
                Invitation.reminders_sent == 1,
                _on_or_before(Invitation.invited_at, today - timedelta(days=second)),
                _on_or_before(Invitation.last_reminded_at, today - timedelta(days=second - first)),
            ),
        )
    return and_(
        Invitation.survey_id == survey.id,
        Invitation.took_part.is_(False),
        Member.status == MemberStatus.ACTIVE,
        or_(Member.paused_until.is_(None), Member.paused_until < today),
        due,
    )


def paper_reminders_due(survey: Survey, today: date):
    """Which paper members' invitations are due a reminder today (a new printed copy,
    paper.batches), or None for no reminders: the same rule as for mails."""
    due = _reminder_due(survey, today)
    return None if due is None else and_(due, Member.account_id.is_(None))


def _remind_batch(survey: Survey, due, now: datetime) -> int:
    """Queue reminders for the next BATCH_SIZE due invitations and count them as sent.

    FOR UPDATE: on PostgreSQL a second run at the same moment waits, then re-checks `due`
    and finds these reminded.
    """
    statement = (
        select(Invitation, Account.email, Account.language, Account.name)
        .join(Member, Member.id == Invitation.member_id)
        .join(Account, Account.id == Member.account_id)
        .where(due)
        .order_by(Invitation.id)
        .limit(BATCH_SIZE)
        .with_for_update(of=Invitation)
    )
    rows = db.session.execute(statement).all()
    if not rows:
        return 0
    _queue_survey_mails(REMINDER_MAIL, survey, ((row.Invitation, row) for row in rows))
    # One UPDATE for the batch, not one per invitation: the monitor's statement trigger
    # then runs once per batch.
    counted = update(Invitation).where(Invitation.id.in_([row.Invitation.id for row in rows]))
    db.session.execute(
        counted.values(reminders_sent=Invitation.reminders_sent + 1, last_reminded_at=now)
    )
    return len(rows)


def send_due_reminders(
    today: date, progress: Progress | None = None, now: datetime | None = None
) -> int:
    """Remind everyone due a reminder today in the open surveys; returns the count.

    Run daily by cron (`flask --app app fieldwork remind`) or as a job: it commits each
    batch itself, like the invitation job. Run twice the same day, it sends nothing new.
    `now` is when the reminders count as sent: a moment on `today`, the current one unless
    a test replays other days.
    """
    open_surveys = db.session.scalars(
        select(Survey).where(Survey.status == SurveyStatus.PUBLISHED).order_by(Survey.id)
    ).all()
    from paper.batches import remind_paper_members  # paper builds on fieldwork

    sent = 0
    for survey in [s for s in open_surveys if s.is_open(today)]:
        due = _reminder_due(survey, today)
        while due is not None and (reminded := _remind_batch(survey, due, now or utcnow())):
            db.session.commit()
            sent += reminded
            if progress is not None:
                progress(sent, None, survey.title)
        remind_paper_members(survey, today, now)
    db.session.commit()
    log.info("%s reminder(s) queued", sent)
    return sent


# Unsubscribing ----------------------------------------------------------------------------


def unsubscribe(member: Member) -> None:
    """Leave the panel from the link in a mail: no more invitations or reminders, and
    survey mails still in the outbox are withdrawn. Nothing happens when the member has
    left already (a second click, or a mail scanner)."""
    if member.status is not MemberStatus.LEFT:
        me_services.leave(member, via="unsubscribe_link")
