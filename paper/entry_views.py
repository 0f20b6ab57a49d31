"""Volunteers (and officials) enter paper questionnaires: choose a survey, type or scan a
sheet id, type the sheet's answers; where two entries differ, a senior volunteer or an
official decides. Every route checks the survey scope (`paper.access`)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from accounts.models import Role
from accounts.permissions import roles_required
from audit.services import record
from core.db import db, utcnow
from paper import access, entry
from paper.accepting import SheetRefused, find_sheet
from paper.checking import NO_ANSWER, UNCLEAR, entry_fields
from paper.entry_forms import EntryForm, SheetIdForm, entry_form
from paper.models import Sheet
from paper.sheet_ids import compact, display, is_valid

bp = Blueprint("paper_entry", __name__, url_prefix="/entry")

entry_roles = roles_required(Role.OFFICIAL, Role.VOLUNTEER)


@bp.after_request
def _not_stored(response: Response) -> Response:
    # Typed answers must not stay in a shared computer's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
@entry_roles
def index():
    """The surveys this person may enter paper questionnaires for."""
    surveys = access.surveys_of(g.account)
    resolving = {s.id for s in surveys if access.may_resolve(g.account, s.id)}
    return render_template("paper/entry/index.html", surveys=surveys, resolving=resolving)


@bp.route("/<int:survey_id>", methods=["GET", "POST"])
@entry_roles
def sheet(survey_id: int):
    """Type or scan a sheet id; a sheet that cannot be entered is refused with the reason."""
    survey = access.require_entry_access(survey_id)
    form = SheetIdForm()
    if form.validate_on_submit():
        try:
            found = find_sheet(form.sheet_id.data, survey_id)
            return redirect(url_for(".enter", survey_id=survey_id, sheet_id=found.id), 303)
        except SheetRefused as refused:
            form.sheet_id.errors = [refused.message]
    return _sheet_page(survey, form), 422 if form.errors else 200


def _sheet_page(survey, form: SheetIdForm, refusal: str | None = None):
    return render_template(
        "paper/entry/sheet.html",
        survey=survey,
        form=form,
        refusal=refusal,
        resolver=access.may_resolve(g.account, survey.id),
        waiting=len(entry.waiting_for_resolution(survey.id)),
    )


@bp.route("/<int:survey_id>/<sheet_id>", methods=["GET", "POST"])
@entry_roles
def enter(survey_id: int, sheet_id: str):
    """The sheet's answers, typed as on paper. The second volunteer does not see the first."""
    survey = access.require_entry_access(survey_id)
    if request.method == "POST" and (repeated := entry.repeated(sheet_id, survey_id, g.account)):
        return _saved(*repeated)
    found, step = _sheet_and_step(survey, sheet_id)
    if step is entry.Step.RESOLVE:
        return redirect(url_for(".resolve", survey_id=survey_id, sheet_id=found.id), 303)
    fields = entry_fields(entry.questionnaire(found), _language())
    form = entry_form(fields, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        if (saved := _save(survey, found, form)) is not None:
            return saved
    return _entry_page(survey, found, form, step, request.method == "POST")


def _sheet_and_step(survey, sheet_id: str) -> tuple[Sheet, entry.Step]:
    """The sheet and this person's step with it, or the sheet-id page saying why not."""
    try:
        found = find_sheet(sheet_id, survey.id)
        return found, entry.next_step(found, g.account)
    except (SheetRefused, entry.NotYours) as refused:
        _refuse(survey, sheet_id, refused.message)


def _save(survey, found: Sheet, form: EntryForm):
    """Store the entry: the redirect when it was stored, None when it has problems (shown
    on the form). Entered by someone else meanwhile: the sheet-id page says so."""
    try:
        outcome = entry.save_entry(found, g.account, form.typed(), utcnow(), _language())
    except (SheetRefused, entry.NotYours) as refused:
        db.session.rollback()
        _refuse(survey, found.id, refused.message)
    if isinstance(outcome, entry.Saved):
        return _saved(found, outcome)
    form.show(outcome.problems)
    return None


def _refuse(survey, sheet_id: str, message: str):
    form = SheetIdForm(formdata=None, data={"sheet_id": _display_or_typed(sheet_id)})
    abort(Response(_sheet_page(survey, form, message), 409))


def _display_or_typed(sheet_id: str) -> str:
    typed = compact(sheet_id)
    return display(typed) if is_valid(typed) else sheet_id[:40]


def _entry_page(survey, found: Sheet, form: EntryForm, step, posted: bool):
    has_problems = bool(form.errors) or bool(form.form_errors)
    html = render_template(
        "paper/entry/enter.html",
        survey=survey,
        sheet=found,
        shown_id=display(found.id),
        form=form,
        step=step,
        routing=_routing(found, form),
        codes=(NO_ANSWER, UNCLEAR),
    )
    return html, 422 if posted and has_problems else 200


def _routing(found: Sheet, form: EntryForm) -> dict:
    """What the little script needs to grey out fields the paper skips: per field its
    question, kind, printed number -> code, and the conditions (page, question) on it."""
    page_of = {
        question.code: page.condition
        for page in entry.questionnaire(found).pages
        for question in page.questions
    }
    return {
        f.key: {
            "question": f.question.code,
            "kind": f.kind,
            "codes": {str(box.number): box.code for box in f.boxes},
            "conditions": [c for c in (page_of.get(f.question.code), f.question.condition) if c],
        }
        for f in form.fields
    }


def _saved(found: Sheet, outcome: entry.Saved):
    """Commit, say what happened, and go on to the next sheet id."""
    if not outcome.again:
        record("paper.sheet_typed", found, round=outcome.round, accepted=outcome.accepted)
    db.session.commit()
    shown = display(found.id)
    if outcome.accepted:
        flash(_("Sheet %(id)s is entered and counts as a response. Next sheet:", id=shown), "ok")
    elif outcome.round == 1:
        flash(
            _("Sheet %(id)s is saved. A second volunteer enters it too. Next sheet:", id=shown),
            "ok",
        )
    else:
        flash(
            _(
                "Sheet %(id)s is saved. The two entries differ on %(count)s field(s): "
                "a senior volunteer or an official decides. Next sheet:",
                id=shown,
                count=outcome.disagreements,
            ),
            "ok",
        )
    return redirect(url_for(".sheet", survey_id=found.survey_id), 303)


# --- differences between two entries ----------------------------------------------------


@bp.get("/<int:survey_id>/differences")
@entry_roles
def differences(survey_id: int):
    """Sheets whose two entries differ, for an official or a senior volunteer."""
    survey = access.require_resolve_access(survey_id)
    sheets = entry.waiting_for_resolution(survey_id)
    return render_template(
        "paper/entry/differences.html", survey=survey, sheets=sheets, display=display
    )


@bp.route("/<int:survey_id>/differences/<sheet_id>", methods=["GET", "POST"])
@entry_roles
def resolve(survey_id: int, sheet_id: str):
    """Both entries per field; the decider types the sheet again where they differ."""
    survey = access.require_resolve_access(survey_id)
    if request.method == "POST" and (repeated := entry.repeated(sheet_id, survey_id, g.account)):
        return _saved(*repeated)
    found, step = _sheet_and_step(survey, sheet_id)
    if step is not entry.Step.RESOLVE:
        return redirect(url_for(".enter", survey_id=survey_id, sheet_id=found.id), 303)
    rows = entry.comparison(found, _language())
    fields = [row.field for row in rows]
    posted = request.method == "POST"
    form = entry_form(fields, request.form if posted else None, entry.agreed_values(rows))
    if posted and form.validate():
        if (saved := _save(survey, found, form)) is not None:
            return saved
    if not posted:
        record("paper.differences_viewed", found)
        db.session.commit()
    return _resolve_page(survey, found, form, rows, posted)


def _resolve_page(survey, found: Sheet, form: EntryForm, rows, posted: bool):
    has_problems = bool(form.errors) or bool(form.form_errors)
    html = render_template(
        "paper/entry/resolve.html",
        survey=survey,
        sheet=found,
        shown_id=display(found.id),
        form=form,
        rows=rows,
        routing=_routing(found, form),
        codes=(NO_ANSWER, UNCLEAR),
    )
    return html, 422 if posted and has_problems else 200


def _language() -> str:
    return str(get_locale() or "nl")[:2]
