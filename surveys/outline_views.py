"""The questionnaire designer's outline edits: the title and introduction, pages and
questions (add, change, move, copy, remove). Each is a plain form post, so they work
without JavaScript; each carries the questionnaire revision it was made on."""

from __future__ import annotations

from typing import NoReturn

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.db import db
from core.forms import ButtonForm
from surveys import editing, services
from surveys.definition import QuestionType
from surveys.forms import (
    CorrectionForm,
    NewQuestionTypeForm,
    PageForm,
    QuestionForm,
    SurveyTextsForm,
)
from surveys.messages import put_on_fields, type_name
from surveys.models import LifecycleError, Survey
from surveys.permissions import survey_for_editing
from surveys.views import described, designers, render_designer, render_form

bp = Blueprint("outline", __name__, url_prefix="/surveys")
bp.add_app_template_filter(type_name, "type_name")
QUESTION_TYPES = {kind.value for kind in QuestionType}
STALE_FORM = _l(
    "The questionnaire was changed after you opened this form, by you in another window or "
    "by someone else. Nothing has been saved. Your changes are still below: check them "
    "against the questionnaire and save again."
)
STALE_OUTLINE = _l(
    "The questionnaire was changed after you opened this page (perhaps by a double click). "
    "Nothing has been done; look again and repeat the action if it is still needed."
)


@bp.route("/<int:survey_id>/texts", methods=["GET", "POST"])
@designers
def texts(survey_id: int):
    """The questionnaire's title and introduction."""
    survey = survey_for_editing(survey_id)
    definition = survey.current_version.definition
    form = SurveyTextsForm()
    if request.method == "GET":
        form.show_texts(definition)
    problems = []
    if form.validate_on_submit():
        changed = editing.replace_texts(definition, *form.texts())
        saved, problems = save(survey, changed, form, location_prefix="")
        if saved:
            return saved
    return render_form("surveys/texts.html", survey, form, problems)


@bp.route("/<int:survey_id>/pages/new", methods=["GET", "POST"])
@designers
def new_page(survey_id: int):
    """Add a page at the end."""
    survey = survey_for_editing(survey_id)
    definition = survey.current_version.definition
    form = PageForm()
    form.set_earlier_codes(definition, page=len(definition["pages"]))
    if request.method == "GET":
        form.code.data = editing.unused_code(editing.all_codes(definition), "P")
    problems = []
    if form.validate_on_submit():
        if dict(form.page_json(), questions=[]) in definition["pages"]:
            return redirect(url_for("surveys.show", survey_id=survey.id))  # a double click
        changed = editing.add_page(definition, dict(form.page_json(), questions=[]))
        position = f"pages[{len(definition['pages'])}]"
        saved, problems = save(survey, changed, form, location_prefix=position)
        if saved:
            return saved
    return render_form("surveys/page.html", survey, form, problems)


@bp.route("/<int:survey_id>/pages/<page_code>/edit", methods=["GET", "POST"])
@designers
def edit_page(survey_id: int, page_code: str):
    """A page's code, title and condition."""
    survey = survey_for_editing(survey_id)
    definition = survey.current_version.definition
    p = _page_or_404(definition, page_code)
    form = PageForm()
    form.set_earlier_codes(definition, page=p)
    if request.method == "GET":
        form.show_page(definition["pages"][p])
    problems = []
    if form.validate_on_submit():
        changed = editing.replace_page(definition, page_code, form.page_json())
        saved, problems = save(survey, changed, form, location_prefix=f"pages[{p}]")
        if saved:
            return saved
    return render_form("surveys/page.html", survey, form, problems, page_code=page_code)


@bp.route("/<int:survey_id>/pages/<page_code>/questions/new", methods=["GET", "POST"])
@designers
def new_question(survey_id: int, page_code: str):
    """Add a question at the end of a page: first its type, then the rest."""
    survey = survey_for_editing(survey_id)
    definition = survey.current_version.definition
    p = _page_or_404(definition, page_code)
    kind = request.values.get("type")
    if kind not in QUESTION_TYPES:
        return render_form(
            "surveys/question_type.html", survey, NewQuestionTypeForm(), [], page_code=page_code
        )
    form = QuestionForm()
    form.set_earlier_codes(definition, page=p + 1)
    if request.method == "GET":
        form.type.data = kind
        form.code.data = editing.unused_code(editing.all_codes(definition), "V")
    problems = []
    if form.validate_on_submit():
        if editing.has_question(definition, form.question_json()):
            return redirect(url_for("surveys.show", survey_id=survey.id))  # a double click
        changed = editing.add_question(definition, page_code, form.question_json())
        position = f"pages[{p}].questions[{len(definition['pages'][p]['questions'])}]"
        saved, problems = save(survey, changed, form, location_prefix=position)
        if saved:
            return saved
    return render_form("surveys/question.html", survey, form, problems, page_code=page_code)


@bp.route("/<int:survey_id>/questions/<code>", methods=["GET", "POST"])
@designers
def edit_question(survey_id: int, code: str):
    """Edit a question. In a published version: correct its texts, or start a new version."""
    survey = survey_for_editing(survey_id)
    definition = survey.current_version.definition
    p, q = _question_or_404(definition, code)
    form, correction = QuestionForm(), CorrectionForm()
    form.set_earlier_codes(definition, page=p, question=q)
    if request.method == "GET":
        form.show_question(definition["pages"][p]["questions"][q])
    problems = []
    if form.validate_on_submit():
        changed = editing.replace_question(definition, code, form.question_json())
        correcting = request.form.get("action") == "correct"
        if not correcting or correction.validate():
            where_ = f"pages[{p}].questions[{q}]"
            saved, problems = save(survey, changed, form, where_, correcting=correcting)
            if saved:
                return saved
    return render_form(
        "surveys/question.html", survey, form, problems, code=code, correction=correction
    )


@bp.post("/<int:survey_id>/questions/<code>/<any(up, down):direction>")
@designers
def move_question(survey_id: int, code: str, direction: str):
    """Move a question one place; past the edge of a page it goes to the next page."""
    return _outline_edit(
        survey_id, lambda d: editing.move_question(d, code, -1 if direction == "up" else 1)
    )


@bp.post("/<int:survey_id>/pages/<page_code>/<any(up, down):direction>")
@designers
def move_page(survey_id: int, page_code: str, direction: str):
    """Move a page, with its questions, one place."""
    return _outline_edit(
        survey_id, lambda d: editing.move_page(d, page_code, -1 if direction == "up" else 1)
    )


@bp.post("/<int:survey_id>/questions/<code>/duplicate")
@designers
def duplicate_question(survey_id: int, code: str):
    """A copy right below the question, with a new code."""
    return _outline_edit(survey_id, lambda d: editing.duplicate_question(d, code)[0])


@bp.route("/<int:survey_id>/questions/<code>/delete", methods=["GET", "POST"])
@designers
def delete_question(survey_id: int, code: str):
    """Ask, then remove a question."""
    survey = survey_for_editing(survey_id)
    _question_or_404(survey.current_version.definition, code)
    if request.method == "GET":
        return render_form("surveys/delete.html", survey, ButtonForm(), [], code=code)
    return _outline_edit(survey_id, lambda d: editing.remove_question(d, code))


@bp.route("/<int:survey_id>/pages/<page_code>/delete", methods=["GET", "POST"])
@designers
def delete_page(survey_id: int, page_code: str):
    """Ask, then remove a page with its questions."""
    survey = survey_for_editing(survey_id)
    p = _page_or_404(survey.current_version.definition, page_code)
    if request.method == "GET":
        page = survey.current_version.definition["pages"][p]
        return render_form("surveys/delete.html", survey, ButtonForm(), [], page=page)
    return _outline_edit(survey_id, lambda d: editing.remove_page(d, page_code))


def _outline_edit(survey_id: int, change):
    """Apply one outline edit (move, copy, remove); refused whole if it breaks routing."""
    survey = survey_for_editing(survey_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if request.form.get("revision") != survey.current_version.revision:
        flash(STALE_OUTLINE, "warning")
        return redirect(url_for("surveys.show", survey_id=survey.id))
    before = survey.current_version.definition
    try:
        changed = change(before)
    except editing.NotFound:
        abort(404)
    try:
        version = services.save_questionnaire(survey, changed, by=g.account)
    except services.InvalidQuestionnaire as invalid:
        db.session.rollback()
        return render_designer(survey, described(invalid.problems, changed), status=422)
    db.session.commit()
    flash_saved(survey, version)
    return redirect(url_for("surveys.show", survey_id=survey.id))


def save(survey: Survey, changed: dict, form, location_prefix: str, correcting: bool = False):
    """Save a form's change. Returns (redirect, []) or (None, problems elsewhere): problems
    of the form's own part are put on its fields. A change that is already there (a double
    click, or saving unchanged) is done; one made on an older revision is shown again."""
    current = survey.current_version
    if changed == current.definition:
        flash(_("Saved."), "ok")
        return redirect(url_for("surveys.show", survey_id=survey.id)), []
    if form.revision.data != current.revision:
        form.revision.data = current.revision
        form.form_errors.append(STALE_FORM)
        return None, []
    try:
        if correcting:
            version = services.correct_text(survey, changed, by=g.account)
        else:
            version = services.save_questionnaire(survey, changed, by=g.account)
    except services.InvalidQuestionnaire as invalid:
        db.session.rollback()
        return None, put_on_fields(invalid.problems, changed, form, location_prefix)
    except LifecycleError:
        db.session.rollback()
        form.form_errors.append(
            _("Only texts can change in a correction. Save as a new version instead.")
        )
        return None, []
    db.session.commit()
    if correcting:
        flash(
            _("The text has been corrected in version %(number)s.", number=version.number),
            "ok",
        )
    else:
        flash_saved(survey, version)
    return redirect(url_for("surveys.show", survey_id=survey.id)), []


def flash_saved(survey: Survey, version) -> None:
    if survey.live_version is not None and version is not survey.live_version:
        flash(
            _(
                "Saved in version %(number)s, a draft. Residents keep answering version %(live)s "
                "until you put the new version into use.",
                number=version.number,
                live=survey.live_version.number,
            ),
            "ok",
        )
    else:
        flash(_("Saved."), "ok")


def _page_or_404(definition: dict, code: str) -> int:
    try:
        return editing.page_index(definition, code)
    except editing.NotFound:
        _gone()


def _question_or_404(definition: dict, code: str) -> tuple[int, int]:
    try:
        return editing.locate(definition, code)
    except editing.NotFound:
        _gone()


def _gone() -> NoReturn:
    """A code that is not there: a wrong link (404), or, when posting, a change already
    made, by a double click or by someone else (back to the outline, saying so)."""
    if request.method == "POST":
        flash(STALE_OUTLINE, "warning")
        abort(redirect(url_for("surveys.show", survey_id=request.view_args["survey_id"])))
    abort(404)
