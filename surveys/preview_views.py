"""The designer's preview: the questionnaire exactly as a resident will see it, page by page.

Nothing is stored: the answers so far travel between pages in a hidden field (JSON), and
each page is checked by the same code as the real survey's (`surveys.page_check`). The phone view
frames the preview at phone width, so officials see the narrow layout on a desktop, as a
resident sees it: without the official's menu.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask_babel import get_locale

from accounts.models import Role
from accounts.permissions import roles_required
from core.security import CONTENT_SECURITY_POLICY
from surveys.answer_form import PageForm, page_form, text_in
from surveys.definition import Questionnaire
from surveys.format import from_json
from surveys.models import QuestionnaireVersion, Survey
from surveys.page_check import CheckedPage, check_page, revealed, with_page
from surveys.permissions import survey_for_viewing
from surveys.routing import answer_keys, first_page, next_page, previous_page, visible_questions

bp = Blueprint("preview", __name__, url_prefix="/surveys")
log = logging.getLogger(__name__)

#: The security headers forbid framing; the preview may be framed by our own phone page.
FRAMABLE_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors 'self'"
)
#: The query parameter and value of a preview page shown in the phone frame.
FRAME, PHONE = "frame", "phone"
#: Names of the preview's own form fields: they start with "_", which no code can.
PAGE, ANSWERS, ACTION = "_page", "_answers", "_action"


@bp.route("/<int:survey_id>/preview", methods=["GET", "POST"])
@roles_required(Role.OFFICIAL, Role.ASSOCIATION)
def preview(survey_id: int):
    """One page of the questionnaire; POST checks it and moves on, saving nothing."""
    survey = survey_for_viewing(survey_id)
    version = _version(survey)
    pages = PreviewPages(survey, version, _questionnaire(version))
    if request.method == "GET":
        return pages.start()
    answers, index = _carried_answers(), _page_index(pages.questionnaire)
    page = pages.questionnaire.pages[index]
    checked = check_page(page, answers, pages.language, request.form)
    if checked.refused:
        return pages.page(index, answers, checked.form, status=422)
    if request.form.get(ACTION) == "back":
        # Going back keeps this page's answers when they are complete, and never complains.
        if checked.answers is not None:
            answers = with_page(pages.questionnaire, answers, checked)
        return pages.back(index, answers)
    if checked.answers is None:
        return pages.page(index, answers, checked.form, status=422)
    return pages.forward(index, checked, with_page(pages.questionnaire, answers, checked))


@bp.get("/<int:survey_id>/preview/phone")
@roles_required(Role.OFFICIAL, Role.ASSOCIATION)
def phone(survey_id: int):
    """The preview framed at the width of a phone."""
    survey = survey_for_viewing(survey_id)
    version = _version(survey)
    return render_template("surveys/preview/phone.html", survey=survey, version=version)


class PreviewPages:
    """Renders the preview's pages of one questionnaire version."""

    def __init__(self, survey: Survey, version: QuestionnaireVersion, questionnaire: Questionnaire):
        self.survey, self.version, self.questionnaire = survey, version, questionnaire
        self.language = get_locale().language

    def start(self) -> Response:
        index = first_page(self.questionnaire, {})
        return self.done({}) if index is None else self.page(index, {})

    def back(self, index: int, answers: dict[str, Any]) -> Response:
        previous = previous_page(self.questionnaire, index, answers)
        return self.page(index if previous is None else previous, answers)

    def forward(self, index: int, checked: CheckedPage, answers: dict[str, Any]) -> Response:
        """The next page; or this one again when its answers revealed more questions on it."""
        added = revealed(self.questionnaire.pages[index], checked, answers)
        if added:
            return self.page(index, answers, revealed=added)
        following = next_page(self.questionnaire, index, answers)
        return self.done(answers) if following is None else self.page(following, answers)

    def page(
        self,
        index: int,
        answers: dict,
        form: PageForm | None = None,
        status: int = 200,
        revealed: str | None = None,
    ) -> Response:
        """Page `index`; `revealed` names the first question the last answers added to it."""
        page = self.questionnaire.pages[index]
        if form is None:
            asked = visible_questions(page, answers)
            form = page_form(asked, self.language, answers=answers)
        first = previous_page(self.questionnaire, index, answers) is None
        html = self._render(
            "surveys/preview/page.html",
            form=form,
            index=index,
            page_title=text_in(page.title, self.language),
            introduction=text_in(self.questionnaire.introduction, self.language) if first else "",
            first=first,
            last=next_page(self.questionnaire, index, answers) is None,
            carried=json.dumps(answers, ensure_ascii=False),
            revealed=revealed,
        )
        return framable(make_response(html, status))

    def done(self, answers: dict[str, Any]) -> Response:
        """The end: in the real survey the answers would be sent here."""
        keys = [key for q in self.questionnaire.questions() for key in answer_keys(q)]
        shown = [(key, answers[key]) for key in keys if key in answers]
        return framable(make_response(self._render("surveys/preview/done.html", answers=shown)))

    def _render(self, template: str, **context) -> str:
        return render_template(
            template,
            survey=self.survey,
            version=self.version,
            title=text_in(self.questionnaire.title, self.language),
            pages=len(self.questionnaire.pages),
            **framing(),
            **context,
        )


def framing() -> dict[str, Any]:
    """In the phone frame, a page is drawn as for a resident following their link: no
    account, so no official's menu in the header, and no preview banner (the phone page
    around the frame says what this is)."""
    if request.args.get(FRAME) != PHONE:
        return {"frame": None}
    return {"frame": PHONE, "current_account": None}


def framable(response: Response) -> Response:
    """Allow the phone page (same origin) to frame this response; only this one."""
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = FRAMABLE_POLICY
    return response


def _version(survey: Survey) -> QuestionnaireVersion:
    """The version asked for with ?version=N, or the current one; else 404."""
    number = request.args.get("version", type=int)
    if number is None:
        return survey.current_version or abort(404)
    return next((v for v in survey.versions if v.number == number), None) or abort(404)


def _questionnaire(version: QuestionnaireVersion) -> Questionnaire:
    questionnaire, problems = from_json(version.definition)
    if questionnaire is None:
        # Saved versions passed the checks; this one fails checks added since.
        log.error("Questionnaire version %s fails its checks: %s", version.id, problems)
        abort(500)
    return questionnaire


def _carried_answers() -> dict[str, Any]:
    """The answers of earlier pages from the hidden field; anything unreadable is none."""
    try:
        answers = json.loads(request.form.get(ANSWERS, "{}"))
    except (ValueError, RecursionError):
        return {}
    return answers if isinstance(answers, dict) else {}


def _page_index(questionnaire: Questionnaire) -> int:
    index = request.form.get(PAGE, type=int)
    if index is None or not 0 <= index < len(questionnaire.pages):
        abort(400)
    return index
