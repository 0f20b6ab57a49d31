"""Answering a survey from the personal link: start or continue, save page by page, send.

All state is in the database, so the link works on any device and without logging in.
Every write first locks the invitation's row: two tabs, a double click, a replayed request
or a retry after a lost connection are handled one after the other and find the same
response. A page reads the link's invitation, survey, member and response in one query
(`opened`; a write locks the invitation's and the response's rows in it), and each
frozen questionnaire is read and checked once per process (`surveys.format`). Pages are
checked with the questionnaire's own form and routing; a page that fails stores nothing.
Callers commit.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Select, Text, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.orm import aliased, contains_eager
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import MultiDict

from core.dates import local_today
from core.db import db
from fieldwork.anonymity import Cell, stored_cell
from fieldwork.models import (
    AnonymousResponse,
    Invitation,
    Response,
    ResponseLocked,
    ResponseStatus,
)
from mail.services import queue_mail
from panel.models import Channel
from population.representativeness import age_band_on
from surveys.answer_form import LIKERT_LABELS, OTHER, PageForm, page_form, text_in
from surveys.conditions import is_answered
from surveys.definition import LIKERT_CODES, Question, Questionnaire, QuestionType
from surveys.format import stored_questionnaire
from surveys.models import QuestionnaireVersion, Survey
from surveys.page_check import check_page, revealed, with_page
from surveys.routing import (
    answers_on_route,
    first_page,
    next_page,
    other_key,
    page_is_shown,
    previous_page,
    visible_questions,
)

log = logging.getLogger(__name__)


class NotReady(ValueError):
    """Questions on the route still need an answer: the response cannot be sent yet."""

    def __init__(self, page: int):
        super().__init__(f"page {page} still needs answers")
        self.page = page


@dataclass(frozen=True)
class PageOutcome:
    """What became of a posted page. Not saved: show `form` again with its errors."""

    form: PageForm
    saved: bool
    #: The page posted answers to questions it does not show (a crafted request).
    refused: bool = False
    #: Where to go: a page index, or None for the check-and-send step.
    goes_to: int | None = None
    #: The first question the page's answers added to the page itself.
    revealed: str | None = None


def questionnaire_of(version: QuestionnaireVersion) -> Questionnaire:
    """The questionnaire of a version (a response's, or the survey's live one)."""
    return questionnaire_in(version.id, json.dumps(version.definition))


def questionnaire_in(version_id: int, text: str) -> Questionnaire:
    """The questionnaire of a version from its definition as stored (JSON text)."""
    questionnaire, problems = stored_questionnaire(text)
    if questionnaire is None:
        # Frozen versions passed the checks; this one fails checks added since.
        raise ValueError(f"questionnaire version {version_id} fails: {list(problems)}")
    return questionnaire


def end_of(questionnaire: Questionnaire) -> int:
    """`Response.current_page` past the last page: at the check-and-send step."""
    return len(questionnaire.pages)


@dataclass(frozen=True)
class Link:
    """What a personal link opens: the invitation with its survey and member, whether a
    paper copy counts for it, and the response being filled in with its questionnaire."""

    invitation: Invitation
    on_paper: bool
    response: Response | None
    #: The questionnaire of the response's version; without a response, read without a
    #: lock, the one residents answer now (the welcome page's); else None.
    questionnaire: Questionnaire | None


#: The definition as stored: the questionnaire cache's key, and no JSON to parse on a hit.
DEFINITION_TEXT = cast(QuestionnaireVersion.definition, Text)


def opened(
    invitation_id: int,
    survey_id: int,
    member_id: int,
    lock: bool = False,
    answering: bool = False,
) -> Link | None:
    """The link of these ids in one query, or None when no such invitation exists.

    With `lock` (a write) the invitation's row is locked (PostgreSQL; SQLite's POSTs hold
    the write lock from BEGIN IMMEDIATE, see core.db). Rows joined to a locked row are read
    as they were when the query began, so a response read beside the lock could miss the
    write that held it just before (a second tab's page), and that write's answers would be
    lost. So the response is either locked in the same query, `answering` (a page or the
    send step, which need one: PostgreSQL then reads both rows anew once it has them), or
    read by a second query once the invitation's lock is held (the welcome page, or no
    response to lock)."""
    ids = {"invitation_id": invitation_id, "survey_id": survey_id, "member_id": member_id}
    if lock:
        return _locked_link(ids, answering)
    row = db.session.execute(_statements()["read"], ids).first()
    if row is None:
        return None
    invitation, on_paper, version_id, text = row
    questionnaire = None if text is None else questionnaire_in(version_id, text)
    return Link(invitation, on_paper, invitation.response, questionnaire)


def _locked_link(ids: dict[str, int], answering: bool) -> Link | None:
    if answering:
        row = db.session.execute(_statements()["locked with response"], ids).first()
        if row is not None:
            invitation, on_paper, version_id, text = row
            _hold(invitation)
            return Link(
                invitation, on_paper, invitation.response, questionnaire_in(version_id, text)
            )
    # No response to lock (yet, or any more: a second tab sent it meanwhile).
    row = db.session.execute(_statements()["locked"], ids).first()
    if row is None:
        return None
    _hold(row[0])
    return Link(row[0], row[1], *_response_of(row[0]))


def _response_of(invitation: Invitation) -> tuple[Response | None, Questionnaire | None]:
    if invitation.response_id is None:
        return None, None
    row = db.session.execute(
        _statements()["response"], {"response_id": invitation.response_id}
    ).first()
    return (None, None) if row is None else (row[0], questionnaire_in(row[0].version_id, row[1]))


def prepare() -> None:
    """Build `opened`'s queries now, before gunicorn forks its workers (core.warm)."""
    _statements()


@cache
def _statements() -> dict[str, Select]:
    """`opened`'s queries, built once: building them and their cache keys took as long as
    running them. (Built on first use: they read the paper room's table.)"""
    invitation = (
        select(Invitation, _paper_copy_counts(Invitation.id))
        .join(Invitation.survey)
        .join(Invitation.member)
        .options(contains_eager(Invitation.survey), contains_eager(Invitation.member))
        .where(
            Invitation.id == bindparam("invitation_id"),
            Invitation.survey_id == bindparam("survey_id"),
            Invitation.member_id == bindparam("member_id"),
        )
    )
    version = QuestionnaireVersion.id, DEFINITION_TEXT
    # Without a response, the version residents answer now (`live_version`).
    shown_version = func.coalesce(Response.version_id, _live_version_id(Invitation.survey_id))
    return {
        "locked": invitation.with_for_update(of=Invitation).execution_options(
            populate_existing=True
        ),
        # The invitation's row is locked first, then the response's: the order every
        # write takes them in (`locked`, then the response's UPDATE).
        "locked with response": invitation.add_columns(*version)
        .join(Invitation.response)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .options(contains_eager(Invitation.response))
        .with_for_update(of=(Invitation, Response))
        .execution_options(populate_existing=True),
        "read": invitation.add_columns(*version)
        .outerjoin(Invitation.response)
        .outerjoin(QuestionnaireVersion, QuestionnaireVersion.id == shown_version)
        .options(contains_eager(Invitation.response)),
        "response": select(Response, DEFINITION_TEXT)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .where(Response.id == bindparam("response_id"))
        .execution_options(populate_existing=True),
    }


def _live_version_id(survey_id):
    live = aliased(QuestionnaireVersion)
    return (
        select(live.id)
        .where(live.survey_id == survey_id, live.frozen_at.is_not(None))
        .order_by(live.number.desc())
        .limit(1)
        .correlate(Invitation)
        .scalar_subquery()
    )


def live_version(survey_id: int) -> tuple[int, str] | None:
    """The id and stored definition of the version residents answer (`Survey.live_version`)
    without loading every version of the survey."""
    return db.session.execute(
        select(QuestionnaireVersion.id, DEFINITION_TEXT)
        .where(
            QuestionnaireVersion.survey_id == survey_id,
            QuestionnaireVersion.frozen_at.is_not(None),
        )
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
    ).first()


def live_questionnaire(survey: Survey) -> Questionnaire:
    """The questionnaire residents answer now."""
    version = live_version(survey.id)
    if version is None:
        raise ValueError(f"survey {survey.id} has no frozen version")
    return questionnaire_in(*version)


#: `Session.info` key: the invitation whose row this transaction has locked.
_LOCKED = "fieldwork.answering.locked"


def _hold(invitation: Invitation) -> None:
    db.session.info[_LOCKED] = (db.session().get_transaction(), invitation.id)


def _holds(invitation: Invitation) -> bool:
    """This transaction locked the invitation's row already (it ends with the transaction)."""
    return db.session.info.get(_LOCKED) == (db.session().get_transaction(), invitation.id)


def locked(invitation: Invitation) -> Invitation:
    """The invitation re-read with a row lock (PostgreSQL) until the transaction ends."""
    if _holds(invitation):
        return invitation
    db.session.flush()  # re-reading must not drop changes not yet written
    invitation = db.session.get(
        Invitation, invitation.id, with_for_update=True, populate_existing=True
    )
    _hold(invitation)
    return invitation


def _paper_copy_counts(invitation_id):
    """Whether the invitation has a named paper copy that still counts, as an expression:
    that member answers on paper only, so a sheet can never also be a web response (and
    the other way round, `paper.accepting` refuses a sheet whose invitation took part)."""
    # Imported here: paper reads fieldwork, not the other way round; this one question
    # is the exception, asked of the paper room's table rather than duplicated here.
    from paper.models import Sheet, SheetStatus

    return (
        select(Sheet.id)
        .where(Sheet.invitation_id == invitation_id, Sheet.status != SheetStatus.VOID)
        .exists()
        .label("on_paper")
    )


def current_response(invitation: Invitation) -> Response | None:
    """The response being filled in through this invitation, as stored right now."""
    if invitation.response_id is None:
        return None
    if _holds(invitation):
        # Read after the lock was taken (`opened`, `locked`): nobody changed it since.
        return db.session.get(Response, invitation.response_id)
    return db.session.get(Response, invitation.response_id, populate_existing=True)


def start_or_resume(invitation: Invitation, now: datetime) -> Response:
    """The invitation's response, made on first use; the same one from every tab and device.
    ResponseLocked when an anonymous survey was already sent (the link to it is cut)."""
    return _start_or_resume(invitation, now)[0]


def start_from(link: Link, now: datetime) -> tuple[Response, Questionnaire]:
    """`start_or_resume` through an opened link, with the response's questionnaire: the
    link's or the new response's, not read again."""
    response, questionnaire = _start_or_resume(link.invitation, now)
    if questionnaire is None:
        if response is link.response and link.questionnaire is not None:
            questionnaire = link.questionnaire
        else:
            questionnaire = questionnaire_of(response.version)
    return response, questionnaire


def _start_or_resume(
    invitation: Invitation, now: datetime
) -> tuple[Response, Questionnaire | None]:
    """The response, with its questionnaire when it was made here."""
    invitation = locked(invitation)
    response = current_response(invitation)
    if response is not None:
        return response, None
    if invitation.took_part:
        raise ResponseLocked("this invitation's response has been submitted")
    earlier = _earlier_response(invitation)
    response, questionnaire = (earlier, None) if earlier else _new_response(invitation, now)
    invitation.response = response
    db.session.flush()
    log.info("Invitation %s: answering started", invitation.id)
    return response, questionnaire


def _earlier_response(invitation: Invitation) -> Response | None:
    """A response of this respondent to this survey not (or no longer) linked to the
    invitation: one per respondent per survey, so it is the one to continue."""
    return db.session.scalars(
        select(Response).where(
            Response.survey_id == invitation.survey_id,
            Response.respondent_id == invitation.member.respondent_id,
            Response.status == ResponseStatus.STARTED,
            Response.channel == Channel.WEB,
        )
    ).first()


def _new_response(invitation: Invitation, now: datetime) -> tuple[Response, Questionnaire]:
    # The respondent stays linked while answering, so the resident can continue; an
    # anonymous survey cuts the link when the answers are sent (see `submit`).
    member = invitation.member
    version_id, text = live_version(invitation.survey_id)
    band = age_band_on(member.birth_year, member.age_band, local_today())
    response = Response(
        survey_id=invitation.survey_id,
        version_id=version_id,
        respondent_id=member.respondent_id,
        channel=Channel.WEB,
        village_id=member.village_id,
        age_band=band.value if band else None,
        sex=member.sex.value,
        answers={},
        started_at=now,
        updated_at=now,
    )
    questionnaire = questionnaire_in(version_id, text)
    response.current_page = _or_end(first_page(questionnaire, {}), questionnaire)
    db.session.add(response)
    return response, questionnaire


def _or_end(index: int | None, questionnaire: Questionnaire) -> int:
    return end_of(questionnaire) if index is None else index


def may_open(response: Response, questionnaire: Questionnaire, index: int) -> bool:
    """Pages on the route up to where the resident got; later ones only by answering."""
    pages = questionnaire.pages
    return (
        0 <= index < len(pages)
        and index <= response.current_page
        and page_is_shown(pages[index], response.answers)
    )


def continue_at(response: Response, questionnaire: Questionnaire) -> int | None:
    """The page to continue on, or None when every page is done (the check-and-send step)."""
    if response.current_page >= end_of(questionnaire):
        return unfinished_page(response, questionnaire)
    return response.current_page


def unfinished_page(response: Response, questionnaire: Questionnaire) -> int | None:
    """The first page that still needs answers before sending; None when ready to send."""
    answers = response.answers
    for index, page in enumerate(questionnaire.pages):
        if index >= response.current_page:
            return index  # not reached yet
        shown = page_is_shown(page, answers)
        if shown and any(_missing(q, answers) for q in visible_questions(page, answers)):
            return index
    return None


def _missing(question: Question, answers: dict[str, Any]) -> bool:
    """A required question without an answer (a grid: an item without one)."""
    if not question.required or question.type is QuestionType.INFO:
        return False
    if question.type is QuestionType.LIKERT_GRID:
        return any(not is_answered(answers.get(item.code)) for item in question.items)
    return not is_answered(answers.get(question.code))


def page_form_for(
    response: Response, questionnaire: Questionnaire, index: int, language: str
) -> PageForm:
    """Page `index` with the answers given so far filled in."""
    answers = response.answers
    asked = visible_questions(questionnaire.pages[index], answers)
    return page_form(asked, language, answers=answers)


def save_page(
    response: Response,
    index: int,
    formdata: MultiDict,
    language: str,
    now: datetime,
    back: bool = False,
    questionnaire: Questionnaire | None = None,
) -> PageOutcome:
    """Check posted page `index` against the questionnaire and store its answers.

    Refused, storing nothing: a missing required answer, an unknown answer code, a number
    out of range, or an answer our form never sends (see `surveys.page_check`). Going back
    stores the page's answers when they pass, and never complains about missing ones.
    `questionnaire`: the response version's, when the caller has it already.
    """
    if response.completed:
        raise ResponseLocked("this response has been submitted")
    questionnaire = questionnaire or questionnaire_of(response.version)
    page, earlier = questionnaire.pages[index], response.answers
    checked = check_page(page, earlier, language, formdata)
    if checked.refused:
        return PageOutcome(checked.form, saved=False, refused=True)
    answers = None if checked.answers is None else with_page(questionnaire, earlier, checked)
    if back:
        kept = earlier if answers is None else answers
        previous = previous_page(questionnaire, index, kept)
        _store_page(response, kept, index if previous is None else previous, now)
        return PageOutcome(checked.form, saved=True, goes_to=response.current_page)
    if answers is None:
        return PageOutcome(checked.form, saved=False)
    added = revealed(page, checked, answers)
    goes_to = index if added else next_page(questionnaire, index, answers)
    _store_page(response, answers, _or_end(goes_to, questionnaire), now)
    return PageOutcome(checked.form, saved=True, goes_to=goes_to, revealed=added)


#: `_store_page`'s statement, built once.
_STORE_PAGE = (
    update(Response.__table__)
    .where(
        Response.__table__.c.id == bindparam("response_id"),
        Response.__table__.c.status == ResponseStatus.STARTED,
    )
    .values(
        answers=bindparam("new_answers"),
        current_page=bindparam("new_page"),
        updated_at=bindparam("now"),
    )
)


def _store_page(response: Response, answers: dict[str, Any], page: int, now: datetime) -> None:
    """`Response.save_page`, written by one UPDATE of the response's row instead of the
    ORM's flush, which sorted out every object the link had loaded to write that one row
    (a sixth of a page save's CPU). Only a response still being filled in is written."""
    stored = db.session.execute(
        _STORE_PAGE,
        {"response_id": response.id, "new_answers": answers, "new_page": page, "now": now},
    )
    if stored.rowcount != 1:
        raise ResponseLocked("this response has been submitted")
    # The object shows what the row now holds, with nothing left for a flush to write.
    for name, value in (("answers", answers), ("current_page", page), ("updated_at", now)):
        set_committed_value(response, name, value)


def submit(
    invitation: Invitation,
    response: Response,
    now: datetime,
    confirm_by_mail: bool = False,
    questionnaire: Questionnaire | None = None,
) -> bool:
    """Send the answers: the response is locked for good and, for an anonymous survey,
    moved out of reach of the member (only "took part" stays). False when it was sent
    already (a double click, a second tab, a retry): nothing changes then. NotReady when
    questions on the route still need an answer (a crafted jump to sending)."""
    invitation, given = locked(invitation), response
    if invitation.took_part:
        return False
    response = current_response(invitation)
    if response is None or response.completed:
        return False
    if questionnaire is None or response is not given:
        questionnaire = questionnaire_of(response.version)
    page = unfinished_page(response, questionnaire)
    if page is not None:
        raise NotReady(page)
    answers = answers_on_route(questionnaire, response.answers)
    if invitation.survey.anonymous:
        _send_anonymously(invitation, response, answers)
    else:
        response.answers = answers
        response.complete(now)
        invitation.completed_at = now
    invitation.took_part = True
    if confirm_by_mail:
        _mail_confirmation(invitation)
    db.session.flush()
    log.info("Invitation %s: answers sent", invitation.id)
    return True


def _send_anonymously(invitation: Invitation, response: Response, answers: dict) -> None:
    """Insert the answers as a new row with a fresh random id and no times, in a table that
    never holds a member, and delete the response they were filled in as (which did).

    Left for the database's own bookkeeping (see docs/privacy.md): on PostgreSQL the new
    row's `xmin` is this transaction, which also marks the invitation as taken part, and
    the deleted row stays readable in its page until vacuumed, and in WAL and backups."""
    store_anonymously(invitation, response.version_id, response.channel, answers)
    invitation.response_id = None
    db.session.flush()
    db.session.delete(response)


def store_anonymously(
    invitation: Invitation, version_id: int, channel: Channel, answers: dict
) -> AnonymousResponse:
    """The member's answers as an `AnonymousResponse`: no member, no times, and their
    village, age band and sex coarsened until k participants share them. Also for answers
    typed from a named paper copy (`paper.accepting`)."""
    member = invitation.member
    band = age_band_on(member.birth_year, member.age_band, local_today())
    own = Cell(member.village_id, band.value if band else None, member.sex.value)
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    cell = stored_cell(invitation, own, threshold, local_today())
    anonymous = AnonymousResponse(
        survey_id=invitation.survey_id,
        version_id=version_id,
        channel=channel,
        answers=answers,
        village_id=cell.village_id,
        age_band=cell.age_band,
        sex=cell.sex,
    )
    db.session.add(anonymous)
    return anonymous


def _mail_confirmation(invitation: Invitation) -> None:
    """Thanks by mail, without the answers; only for members with an email address."""
    account = invitation.member.account
    if account is None or not account.email:
        return
    queue_mail(
        account.email,
        "response_received",
        account.language,
        name=account.name,
        survey=invitation.survey.title,
    )


# --- the check-and-send step: the answers as the resident gave them -----------------------


@dataclass(frozen=True)
class GivenAnswer:
    """One question (or grid statement) with the answer in words, and its page."""

    page: int
    code: str
    question: str
    answer: Any


def given_answers(
    response: Response, questionnaire: Questionnaire, language: str
) -> list[GivenAnswer]:
    """Every question on the resident's route with their answer, in words, to check."""
    answers, given = response.answers, []
    for index, page in enumerate(questionnaire.pages):
        if page_is_shown(page, answers):
            for question in visible_questions(page, answers):
                given.extend(_given(index, question, answers, language))
    return given


def _given(index: int, question: Question, answers: dict, language: str) -> list[GivenAnswer]:
    if question.type is QuestionType.INFO:
        return []
    if question.type is QuestionType.LIKERT_GRID:
        return [
            GivenAnswer(index, item.code, text_in(item.text, language), _likert(answers, item.code))
            for item in question.items
        ]
    text = text_in(question.text, language)
    return [GivenAnswer(index, question.code, text, _in_words(question, answers, language))]


def _likert(answers: dict, code: str) -> Any:
    labels = dict(zip(LIKERT_CODES, LIKERT_LABELS, strict=True))
    return labels.get(answers.get(code), "")


def _in_words(question: Question, answers: dict, language: str) -> Any:
    """The answer as shown on the form: option labels, not codes; "" when unanswered."""
    value = answers.get(question.code)
    if not is_answered(value):
        return ""
    if question.type is QuestionType.LIKERT:
        return _likert(answers, question.code)
    labels = {option.code: text_in(option.label, language) for option in question.options}
    if question.type is QuestionType.SINGLE:
        return labels.get(value, value)
    if question.type is QuestionType.RANKING:
        places = enumerate((labels.get(code, code) for code in value), start=1)
        return ", ".join(f"{place}. {label}" for place, label in places)
    if question.type is QuestionType.MULTIPLE:
        words = [labels.get(code, code) for code in value if code != OTHER]
        other = answers.get(other_key(question.code))
        return ", ".join(words + ([other] if other else []))
    return str(value)


def discard_unsent_anonymous(survey: Survey) -> int:
    """When an anonymous survey closes, answers never sent are deleted: they are still
    linked to their members, which an anonymous survey promised not to keep. The sent
    ones are shuffled (see `_shuffle_anonymous`)."""
    if not survey.anonymous:
        return 0
    result = db.session.execute(
        delete(Response).where(
            Response.survey_id == survey.id, Response.status == ResponseStatus.STARTED
        )
    )
    _shuffle_anonymous(survey)
    log.info(
        "Survey %s closed: %s unsent anonymous response(s) deleted", survey.id, result.rowcount
    )
    return result.rowcount


def _shuffle_anonymous(survey: Survey) -> None:
    """Write the survey's anonymous responses again, in random order, in this one
    transaction: until now each row's place in the table and (on PostgreSQL) its `xmin`
    told which submission, and so which invitation, wrote it. Once, at closing, rather than
    at every submission: the cost grows with the responses."""
    rows = db.session.execute(
        select(AnonymousResponse.__table__).where(AnonymousResponse.survey_id == survey.id)
    ).all()
    db.session.execute(delete(AnonymousResponse).where(AnonymousResponse.survey_id == survey.id))
    shuffled = [row._asdict() for row in rows]
    random.SystemRandom().shuffle(shuffled)
    if shuffled:
        db.session.execute(insert(AnonymousResponse.__table__), shuffled)
    db.session.expire_all()
