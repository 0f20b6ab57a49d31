"""The questionnaire designer: surveys, their pages and questions, import and export, and
the lifecycle. Works without JavaScript: every edit is a form post."""

from __future__ import annotations

import json
from typing import NoReturn

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.models import Role
from accounts.permissions import official_required, roles_required
from core.dates import local_today
from core.db import db
from core.forms import ButtonForm
from surveys import editing, queries, services
from surveys.definition import QuestionType
from surveys.forms import (
    UNREADABLE,
    CorrectionForm,
    FieldworkSettingsForm,
    ImportForm,
    NewQuestionTypeForm,
    NewSurveyForm,
    PageForm,
    PublishForm,
    QuestionForm,
    ScopeForm,
    SurveyTextsForm,
)
from surveys.messages import describe_condition, problem_message, put_on_fields, where
from surveys.models import LifecycleError, Survey, SurveyStatus
from surveys.permissions import can_delete, can_edit, survey_for_editing, survey_for_viewing
from surveys.templates import load_template
from villages.queries import panel_villages

bp = Blueprint("surveys", __name__, url_prefix="/surveys")
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
designers = roles_required(Role.OFFICIAL, Role.ASSOCIATION)


@bp.get("/")
@designers
def index():
    """Every survey an account may see, drafts first."""
    return render_template(
        "surveys/index.html",
        surveys=queries.visible_surveys(g.account),
        is_official=g.account.has_role(Role.OFFICIAL),
        is_association=g.account.has_role(Role.ASSOCIATION),
    )


@bp.route("/new", methods=["GET", "POST"])
@official_required
def new():
    """Start a survey from an empty questionnaire or a shipped template."""
    form = NewSurveyForm()
    if form.validate_on_submit():
        if form.start.data == "blank":
            definition = editing.blank(form.title.data)
        else:
            definition = load_template(form.start.data)
            definition["title"] = {"nl": form.title.data}
        survey = services.create_survey_once(definition, by=g.account)
        db.session.commit()
        flash(_("The survey has been created as a draft."), "ok")
        return redirect(url_for(".show", survey_id=survey.id))
    return render_template("surveys/new.html", form=form), 422 if form.errors else 200


@bp.route("/import", methods=["GET", "POST"])
@official_required
def import_questionnaire():
    """A questionnaire from a JSON file (docs/questionnaire-format.md): all of it or nothing."""
    form, problems = ImportForm(), []
    if form.validate_on_submit() and (document := form.document()) is not UNREADABLE:
        try:
            survey = services.create_survey_once(document, by=g.account)
        except services.InvalidQuestionnaire as invalid:
            problems = described(invalid.problems, document)
        else:
            db.session.commit()
            flash(_("The questionnaire has been imported as a new draft survey."), "ok")
            return redirect(url_for(".show", survey_id=survey.id))
    status = 422 if form.errors or problems else 200
    return render_template("surveys/import.html", form=form, problems=problems), status


@bp.get("/<int:survey_id>")
@designers
def show(survey_id: int):
    """The designer's outline: pages and questions with their actions, and the lifecycle."""
    survey = survey_for_viewing(survey_id)
    return render_designer(survey)


def render_designer(survey: Survey, problems=(), status: int = 200, publish_form=None):
    from surveys.proposal_views import panel_context

    return render_template(
        "surveys/show.html",
        survey=survey,
        definition=survey.current_version.definition,
        editable=can_edit(g.account, survey),
        deletable=can_delete(g.account, survey),
        is_official=g.account.has_role(Role.OFFICIAL),
        button=ButtonForm(),
        publish_form=publish_form or PublishForm(),
        problems=problems,
        today=local_today(),
        **panel_context(survey),
    ), status


@bp.get("/<int:survey_id>/export.json")
@designers
def export(survey_id: int):
    """The current questionnaire as a JSON file, to share with other municipalities."""
    survey = survey_for_viewing(survey_id)
    version = survey.current_version
    body = json.dumps(version.definition, ensure_ascii=False, indent=2)
    name = f"vragenlijst-{survey.id}-v{version.number}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/<int:survey_id>/duplicate")
@official_required
def duplicate(survey_id: int):
    """A new draft survey with a copy of this questionnaire."""
    survey = survey_for_viewing(survey_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    twin = services.duplicate_survey(survey, by=g.account)
    db.session.commit()
    flash(_("The copy has been made. You are now working on the copy."), "ok")
    return redirect(url_for(".show", survey_id=twin.id))


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


@bp.route("/<int:survey_id>/scope", methods=["GET", "POST"])
@official_required
def scope(survey_id: int):
    """Which villages' panel members are invited. A proposal stays with its village."""
    survey = survey_for_editing(survey_id)
    if survey.is_proposal:
        abort(403)
    form = ScopeForm(panel_villages(), data={"villages": [str(v.id) for v in survey.villages]})
    if form.validate_on_submit():
        chosen = {int(value) for value in form.villages.data}
        try:
            services.set_scope(survey, [v for v in panel_villages() if v.id in chosen])
        except LifecycleError:
            flash(_("The villages of a published survey cannot change."), "error")
        else:
            db.session.commit()
            flash(_("The villages have been saved."), "ok")
        return redirect(url_for(".show", survey_id=survey.id))
    return render_form("surveys/scope.html", survey, form, [])


@bp.route("/<int:survey_id>/fieldwork", methods=["GET", "POST"])
@official_required
def fieldwork_settings(survey_id: int):
    """Anonymous or pseudonymous, and the reminder days."""
    survey = survey_for_editing(survey_id)
    form = FieldworkSettingsForm(
        data={
            "anonymous": "anonymous" if survey.anonymous else "pseudonymous",
            "first_reminder_days": survey.first_reminder_days,
            "second_reminder_days": survey.second_reminder_days,
        }
    )
    if form.validate_on_submit():
        try:
            services.change_fieldwork_settings(
                survey,
                form.anonymous.data == "anonymous",
                form.first_reminder_days.data,
                form.second_reminder_days.data,
            )
        except LifecycleError:
            form.anonymous.errors = [_("Anonymity cannot change once the survey is published.")]
        else:
            db.session.commit()
            flash(_("Saved."), "ok")
            return redirect(url_for(".show", survey_id=survey.id))
    return render_form("surveys/fieldwork.html", survey, form, [])


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
            return redirect(url_for(".show", survey_id=survey.id))  # a double click
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
            return redirect(url_for(".show", survey_id=survey.id))  # a double click
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


@bp.route("/<int:survey_id>/delete", methods=["GET", "POST"])
@designers
def delete(survey_id: int):
    """Ask, then delete a draft survey."""
    survey = survey_for_editing(survey_id)
    if not can_delete(g.account, survey):
        abort(403)
    if request.method == "GET":
        return render_form("surveys/delete.html", survey, ButtonForm(), [], whole=True)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.delete_survey(survey)
    except LifecycleError:
        flash(_("Only a draft survey can be deleted."), "error")
        return redirect(url_for(".show", survey_id=survey.id))
    db.session.commit()
    flash(_("The survey has been deleted."), "ok")
    return redirect(url_for(".index"))


@bp.post("/<int:survey_id>/publish")
@official_required
def publish(survey_id: int):
    """Open the survey for answers between two dates; its questionnaire is frozen."""
    survey = survey_for_editing(survey_id)
    form = PublishForm()
    if form.validate_on_submit():
        dates = (form.opens_on.data, form.closes_on.data)
        return _lifecycle(
            survey,
            lambda: services.publish(survey, *dates),
            _("The survey has been published."),
            done=lambda: (survey.opens_on, survey.closes_on) == dates,
        )
    return render_designer(survey, status=422, publish_form=form)


@bp.post("/<int:survey_id>/publish-version")
@official_required
def publish_version(survey_id: int):
    """Put the new version of a published survey into use for everyone who starts now."""
    survey = survey_for_editing(survey_id)
    return _lifecycle(
        survey,
        lambda: services.publish_version(survey),
        _("The new version is now in use."),
        done=lambda: survey.status is SurveyStatus.PUBLISHED and not survey.has_draft_version,
    )


@bp.post("/<int:survey_id>/<any(close, archive):action>")
@official_required
def change_status(survey_id: int, action: str):
    """Close a published survey, or archive a closed one."""
    survey = survey_for_viewing(survey_id)
    messages = {"close": _("The survey is closed."), "archive": _("The survey is archived.")}
    target = {"close": SurveyStatus.CLOSED, "archive": SurveyStatus.ARCHIVED}[action]
    return _lifecycle(
        survey,
        lambda: getattr(services, action)(survey),
        messages[action],
        done=lambda: survey.status is target,
    )


def _lifecycle(survey: Survey, change, message: str, done=lambda: False):
    """Run one lifecycle step; `done` says whether it has already happened (a double click
    then gets the same message, not an error)."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    if done():
        flash(message, "ok")
        return redirect(url_for(".show", survey_id=survey.id))
    try:
        change()
    except LifecycleError:
        flash(_("That is not possible in the survey's current state."), "error")
    else:
        db.session.commit()
        flash(message, "ok")
    return redirect(url_for(".show", survey_id=survey.id))


def _outline_edit(survey_id: int, change):
    """Apply one outline edit (move, copy, remove); refused whole if it breaks routing."""
    survey = survey_for_editing(survey_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if request.form.get("revision") != survey.current_version.revision:
        flash(STALE_OUTLINE, "warning")
        return redirect(url_for(".show", survey_id=survey.id))
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
    return redirect(url_for(".show", survey_id=survey.id))


def save(survey: Survey, changed: dict, form, location_prefix: str, correcting: bool = False):
    """Save a form's change. Returns (redirect, []) or (None, problems elsewhere): problems
    of the form's own part are put on its fields. A change that is already there (a double
    click, or saving unchanged) is done; one made on an older revision is shown again."""
    current = survey.current_version
    if changed == current.definition:
        flash(_("Saved."), "ok")
        return redirect(url_for(".show", survey_id=survey.id)), []
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
    return redirect(url_for(".show", survey_id=survey.id)), []


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


def described(problems, definition) -> list[str]:
    return [f"{where(p.location, definition)}: {problem_message(p)}" for p in problems]


def render_form(template: str, survey: Survey, form, problems, **context):
    if getattr(form, "revision", None) is not None and not form.revision.data:
        form.revision.data = survey.current_version.revision
    correction = context.get("correction")
    refused = form.errors or problems or getattr(form, "form_errors", None)
    status = 422 if refused or (correction is not None and correction.errors) else 200
    return render_template(
        template,
        survey=survey,
        definition=survey.current_version.definition,
        form=form,
        problems=problems,
        **context,
    ), status


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
        abort(redirect(url_for(".show", survey_id=request.view_args["survey_id"])))
    abort(404)


@bp.app_template_filter("condition_text")
def condition_text(condition) -> str:
    return describe_condition(condition)
