"""Residents answer a survey from their personal link, one page at a time.

The link never logs anyone in and needs no login: everything is in the database, so a
resident can stop and continue later on another device. The link's key is used once per
browser: it is swapped for a cookie sent only to the survey's own pages, whose addresses
hold the survey's id but no key. Page numbers in the addresses count from 1, the services
count from 0. Once the answers are sent, every page leads to the thank-you page.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField

from core.dates import local_today
from core.db import db, utcnow
from core.forms import ButtonForm
from core.limits import limiter
from fieldwork import answering
from fieldwork.answering import Link, opened
from fieldwork.links import genuine_invitation, link_ids, may_answer
from fieldwork.models import Invitation, ResponseLocked
from fieldwork.models import Response as SurveyResponse
from surveys.answer_form import PageForm, questions_html, text_in
from surveys.definition import Questionnaire
from surveys.models import SurveyStatus
from surveys.routing import next_page, previous_page

bp = Blueprint("answer", __name__)

#: Per link, not per address: many residents may share one address (a phone network).
POST_LIMIT = "30 per minute"
#: Our own fields on a page start with "_", which no question code can.
RESPONSE, ACTION = "_response", "_action"


class SendForm(FlaskForm):
    """The check-and-send step. (One small form, kept beside its only view.)"""

    response = HiddenField(name=RESPONSE)
    confirm = BooleanField(_l("Send me a confirmation by email"))


#: The addresses after the link's first use: the survey, but not whose link it was.
ANSWERING = "/enquete/invullen/<int:survey_id>"
#: Holds the link's key, sent only to the pages of its own survey.
LINK_COOKIE = "enquete_link"


def _link_key() -> str:
    return "survey-link:" + request.cookies.get(LINK_COOKIE, "")


@bp.get("/enquete/<token>")
def start(token: str):
    """The link in the mail: swap its key for a cookie and go on at an address without it,
    so the key stays out of access logs, browser history and Referer headers. Nothing is
    stored: a mail scanner opening the link only gets the cookie. Any device may do this
    again; the key keeps working until the survey closes."""
    invitation = genuine_invitation(token)
    if invitation is None:
        abort(_link_does_not_work())
    survey_id = invitation.survey_id
    response = redirect(url_for("answer.welcome", survey_id=survey_id), 303)
    response.set_cookie(
        LINK_COOKIE,
        token,
        path=url_for("answer.welcome", survey_id=survey_id),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


# The pages are read with GET and written with POST by views of their own: only the
# POSTs are rate limited, so a GET no longer pays for Flask-Limiter's check (which looked
# up the request's limits and exemptions on every GET, to find none for its method).


@bp.get(ANSWERING)
def welcome(survey_id: int):
    """The welcome page: what the survey is about, how anonymity works; start or continue."""
    link = _link(survey_id)
    if link.invitation.took_part:
        return _to_thanks(survey_id)
    return _welcome(survey_id, link, ButtonForm())


@bp.post(ANSWERING)
@limiter.limit(POST_LIMIT, key_func=_link_key)
def begin(survey_id: int):
    """Start answering, or go on where the resident stopped."""
    link = _link(survey_id, lock=True)
    if link.invitation.took_part:
        return _to_thanks(survey_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        return _welcome(survey_id, link, form)
    try:
        response, questionnaire = answering.start_from(link, utcnow())
    except ResponseLocked:
        return _to_thanks(survey_id)
    going_on = _go_on(survey_id, response, questionnaire)  # the commit expires the response
    db.session.commit()
    return going_on


def _welcome(survey_id: int, link: Link, form: ButtonForm) -> str:
    survey, response = link.invitation.survey, link.response
    questionnaire = link.questionnaire or answering.live_questionnaire(survey)
    return render_template(
        "fieldwork/answer/start.html",
        survey_id=survey_id,
        survey=survey,
        title=text_in(questionnaire.title, _language()),
        introduction=text_in(questionnaire.introduction, _language()),
        started=response is not None,
        form=form,
    )


@bp.get(f"{ANSWERING}/pagina/<int:number>")
def page(survey_id: int, number: int):
    """One page of questions, with the answers given so far."""
    response, questionnaire = _answering(survey_id, _link(survey_id, answering=True))
    index = number - 1
    if not answering.may_open(response, questionnaire, index):
        return _go_on(survey_id, response, questionnaire)
    form = answering.page_form_for(response, questionnaire, index, _language())
    return _page(
        survey_id, response, questionnaire, index, form, revealed=request.args.get("nieuw")
    )


@bp.post(f"{ANSWERING}/pagina/<int:number>")
@limiter.limit(POST_LIMIT, key_func=_link_key)
def save_page(survey_id: int, number: int):
    """Check and save a page, then go on or back."""
    link = _link(survey_id, lock=True, answering=True)
    response, questionnaire = _answering(survey_id, link)
    index = number - 1
    if not answering.may_open(response, questionnaire, index):
        # A second click on Back finds the page already left: no complaint for that.
        if request.form.get(ACTION) != "back":
            flash(_("You cannot skip questions. Nothing was saved: please go on here."), "error")
        return _go_on(survey_id, response, questionnaire)
    if request.form.get(RESPONSE) != response.id:
        return _out_of_date(url_for("answer.page", survey_id=survey_id, number=number))
    back = request.form.get(ACTION) == "back"
    outcome = answering.save_page(
        response, index, request.form, _language(), utcnow(), back, questionnaire
    )
    if not outcome.saved:
        return _page(survey_id, response, questionnaire, index, outcome.form, 422)
    db.session.commit()
    if outcome.goes_to is None:
        return redirect(url_for("answer.send", survey_id=survey_id), 303)
    number = outcome.goes_to + 1
    return redirect(
        url_for("answer.page", survey_id=survey_id, number=number, nieuw=outcome.revealed), 303
    )


@bp.get(f"{ANSWERING}/versturen")
def send(survey_id: int):
    """Check the answers before sending them."""
    link = _link(survey_id, answering=True)
    response, questionnaire = _answering(survey_id, link)
    return _check(survey_id, link, response, questionnaire, SendForm(response=response.id))


@bp.post(f"{ANSWERING}/versturen")
@limiter.limit(POST_LIMIT, key_func=_link_key)
def submit(survey_id: int):
    """Send the answers: from then on they cannot change."""
    link = _link(survey_id, lock=True, answering=True)
    response, questionnaire = _answering(survey_id, link)
    form = SendForm(response=response.id)
    if not form.validate_on_submit():
        return _check(survey_id, link, response, questionnaire, form)
    if form.response.data != response.id:
        return _out_of_date(url_for("answer.send", survey_id=survey_id))
    try:
        answering.submit(
            link.invitation, response, utcnow(), form.confirm.data, questionnaire=questionnaire
        )
    except answering.NotReady as not_ready:
        flash(_("Some questions still need an answer. Nothing was sent yet."), "error")
        return redirect(url_for("answer.page", survey_id=survey_id, number=not_ready.page + 1), 303)
    db.session.commit()
    return _to_thanks(survey_id)


def _check(
    survey_id: int,
    link: Link,
    response: SurveyResponse,
    questionnaire: Questionnaire,
    form: SendForm,
):
    """The check-and-send step, or the page that still needs answers."""
    if answering.unfinished_page(response, questionnaire) is not None:
        return _go_on(survey_id, response, questionnaire)
    return render_template(
        "fieldwork/answer/send.html",
        survey_id=survey_id,
        title=text_in(questionnaire.title, _language()),
        answers=answering.given_answers(response, questionnaire, _language()),
        can_confirm=_has_email(link.invitation),
        form=form,
    )


@bp.get(f"{ANSWERING}/bedankt")
def thanks(survey_id: int):
    """Thank you: the answers were sent, and the link now leads only here."""
    invitation = _link(survey_id).invitation
    if not invitation.took_part:
        return redirect(url_for("answer.welcome", survey_id=survey_id), 303)
    questionnaire = answering.live_questionnaire(invitation.survey)
    return render_template(
        "fieldwork/answer/thanks.html",
        title=text_in(questionnaire.title, _language()),
        survey=invitation.survey,
        completed_at=invitation.completed_at,
        took_part=invitation.took_part,  # an anonymous survey keeps no time
    )


# --- helpers ---------------------------------------------------------------------------


def _link(survey_id: int, lock: bool = False, answering: bool = False) -> Link:
    """What the link opens (its invitation row-locked for a write, and its response too on
    the `answering` pages), or a plain page saying why not."""
    ids = link_ids(request.cookies.get(LINK_COOKIE, ""))
    link = None
    if ids is not None and ids[1] == survey_id:
        link = opened(*ids, lock=lock, answering=answering)
    invitation = link.invitation if link else None
    if invitation is None or not (invitation.survey.is_open(local_today()) or _closed(invitation)):
        abort(_link_does_not_work())
    if not may_answer(invitation):
        abort(
            _unusable(
                410,
                _("You are no longer in the resident panel"),
                _(
                    "You left the panel, so this survey link no longer works. "
                    "Thank you for your help."
                ),
            )
        )
    if not invitation.took_part and link.on_paper:
        abort(
            _unusable(
                409,
                _("You answer this survey on paper"),
                _(
                    "You received this survey as a paper questionnaire. Please fill in the "
                    "paper form and send it back in the reply envelope."
                ),
            )
        )
    if _closed(invitation):
        abort(_survey_closed(invitation))
    return link


def _link_does_not_work() -> Response:
    return _unusable(
        404,
        _("This link does not work"),
        _(
            "Check that you used the whole link from the email. A survey can be "
            "filled in until its closing date; after that, its link no longer works."
        ),
    )


def _closed(invitation: Invitation) -> bool:
    """The survey's answering is over: closed (perhaps before the date in the invitation
    mail), archived, or past its closing date."""
    survey = invitation.survey
    over = survey.closes_on is not None and survey.closes_on < local_today()
    return survey.status in (SurveyStatus.CLOSED, SurveyStatus.ARCHIVED) or over


def _survey_closed(invitation: Invitation) -> Response:
    """410 Gone, like the page for a member who left: the link was genuine and worked, but
    answering is over. Not a 404, which says the link itself is wrong; and no-store
    (`_not_stored`) means a survey that is reopened is answered again at once."""
    questionnaire = answering.live_questionnaire(invitation.survey)
    html = render_template(
        "fieldwork/answer/closed.html",
        title=text_in(questionnaire.title, _language()),
        completed_at=invitation.completed_at,
        took_part=invitation.took_part,  # an anonymous survey keeps no time
    )
    return make_response(html, 410)


def _unusable(status: int, title: str, message: str) -> Response:
    html = render_template("fieldwork/answer/unusable.html", title=title, message=message)
    return make_response(html, status)


def _answering(survey_id: int, link: Link) -> tuple[SurveyResponse, Questionnaire]:
    """The response being filled in, or off to the welcome page (not started yet) or the
    thank-you page (already sent)."""
    response = link.response
    if link.invitation.took_part or (response is not None and response.completed):
        abort(_to_thanks(survey_id))
    if response is None:
        abort(redirect(url_for("answer.welcome", survey_id=survey_id), 303))
    return response, link.questionnaire


def _go_on(
    survey_id: int, response: SurveyResponse, questionnaire: Questionnaire | None = None
) -> Response:
    """To the page to continue on, the check-and-send step, or the thank-you page."""
    if response.completed:
        return _to_thanks(survey_id)
    questionnaire = questionnaire or answering.questionnaire_of(response.version)
    index = answering.continue_at(response, questionnaire)
    if index is None:
        return redirect(url_for("answer.send", survey_id=survey_id), 303)
    return redirect(url_for("answer.page", survey_id=survey_id, number=index + 1), 303)


def _to_thanks(survey_id: int) -> Response:
    return redirect(url_for("answer.thanks", survey_id=survey_id), 303)


def _out_of_date(url: str) -> Response:
    """A form for another response than the link's: a very old tab. Nothing is saved."""
    flash(_("This page was out of date, so nothing was saved. Please check it again."), "error")
    return redirect(url, 303)


def _page(
    survey_id: int,
    response: SurveyResponse,
    questionnaire: Questionnaire,
    index: int,
    form: PageForm,
    status: int = 200,
    revealed: str | None = None,
):
    language, answers = _language(), response.answers
    first = previous_page(questionnaire, index, answers) is None
    html = render_template(
        "fieldwork/answer/page.html",
        survey_id=survey_id,
        form=form,
        questions=questions_html(form),
        response_id=response.id,
        number=index + 1,
        pages=len(questionnaire.pages),
        title=text_in(questionnaire.title, language),
        page_title=text_in(questionnaire.pages[index].title, language),
        first=first,
        last=next_page(questionnaire, index, answers) is None,
        revealed=revealed if revealed in {q.code for q in form.questions} else None,
    )
    return html, status


def _has_email(invitation: Invitation) -> bool:
    account = invitation.member.account
    return account is not None and bool(account.email)


def _language() -> str:
    return get_locale().language
