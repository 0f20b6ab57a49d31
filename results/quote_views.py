"""Officials curate quotes from a survey's open answers (disclosure rule 6). Reading the
open answers is reading personal data: every page that shows them is logged."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from accounts.permissions import official_required
from analysis.disclosure import threshold_of
from core.db import db, utcnow
from core.forms import ButtonForm
from results import quotes
from results.forms import PublishQuoteForm, QuoteForm
from results.models import Quote, QuoteStatus
from surveys.models import Survey
from surveys.permissions import survey_for_viewing

bp = Blueprint("quotes", __name__)

#: Open answers per page: enough to work through, few enough to read each one.
PAGE_SIZE = 20


def _quote(survey: Survey, quote_id: int) -> Quote:
    """The survey's quote, or 404; a POST locks its row until the commit."""
    quote = db.session.get(Quote, quote_id, with_for_update=request.method == "POST")
    if quote is None or quote.survey_id != survey.id:
        abort(404)
    return quote


@bp.get("/surveys/<int:survey_id>/quotes")
@official_required
def index(survey_id: int):
    """The survey's quotes, and its open answers a page at a time, each with a form to
    start a quote; never with village, respondent or time."""
    survey = survey_for_viewing(survey_id)
    answers = quotes.open_answers(survey)
    pages = max(1, -(-len(answers) // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    shown = answers[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    made = quotes.quotes_of(survey)
    hidden = quotes.why_answers_hidden(survey)
    quotes.record_open_answers_viewed(survey, g.account, page=page, answers=len(shown))
    db.session.commit()
    return render_template(
        "results/quotes/index.html",
        survey=survey,
        answers=shown,
        total=len(answers),
        page=page,
        pages=pages,
        first=(page - 1) * PAGE_SIZE + 1,
        quotes=made,
        quoted={(q.response_id, q.question): q for q in made},
        questions=quotes.open_questions(survey),
        hidden=hidden,
        threshold=threshold_of(current_app.config["DISCLOSURE_THRESHOLD"]),
    )


@bp.route("/surveys/<int:survey_id>/quotes/new", methods=["GET", "POST"])
@official_required
def new(survey_id: int):
    """One open answer with its text to edit into a draft quote; a second submit of the
    same answer finds the quote already made."""
    survey = survey_for_viewing(survey_id, locking=request.method == "POST")
    form = QuoteForm(data=request.args)
    if form.validate_on_submit():
        try:
            quote = quotes.create_quote(
                survey, form.response_id.data, form.question.data, form.text.data, g.account
            )
        except quotes.NoSuchAnswer:
            abort(404)
        db.session.commit()
        flash(_("The quote has been saved as a draft. Publish it when it is ready."), "ok")
        return redirect(url_for(".publish", survey_id=survey.id, quote_id=quote.id), 303)
    answer = _answer_or_404(survey, form)
    if request.method == "GET":
        form.text.data = answer.text
    quotes.record_open_answers_viewed(survey, g.account, answers=1)
    db.session.commit()
    return render_template(
        "results/quotes/new.html",
        survey=survey,
        form=form,
        answer=answer,
        existing=quotes.quote_from(survey, answer.response_id, answer.question),
        questions=quotes.open_questions(survey),
    ), 422 if form.errors else 200


def _answer_or_404(survey: Survey, form: QuoteForm) -> quotes.OpenAnswer:
    try:
        return quotes.open_answer(survey, form.response_id.data or "", form.question.data or "")
    except quotes.NoSuchAnswer:
        abort(404)


@bp.route("/surveys/<int:survey_id>/quotes/<int:quote_id>/publish", methods=["GET", "POST"])
@official_required
def publish(survey_id: int, quote_id: int):
    """Check the quote, confirm that nothing in it identifies anyone, publish."""
    survey = survey_for_viewing(survey_id)
    quote = _quote(survey, quote_id)
    form = PublishQuoteForm()
    if request.method == "POST" and quote.status is QuoteStatus.PUBLISHED:
        flash(_("The quote has been published."), "ok")  # a double click
        return redirect(url_for(".index", survey_id=survey.id), 303)
    if form.validate_on_submit():
        quotes.publish_quote(quote, g.account, utcnow())
        db.session.commit()
        flash(_("The quote has been published."), "ok")
        return redirect(url_for(".index", survey_id=survey.id), 303)
    return render_template(
        "results/quotes/publish.html",
        survey=survey,
        quote=quote,
        form=form,
        button=ButtonForm(),
        questions=quotes.open_questions(survey),
    ), 422 if form.errors else 200


@bp.post("/surveys/<int:survey_id>/quotes/<int:quote_id>/withdraw")
@official_required
def withdraw(survey_id: int, quote_id: int):
    """Take a published quote off the results; it can be published again later."""
    survey = survey_for_viewing(survey_id)
    quote = _quote(survey, quote_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if quote.status is QuoteStatus.WITHDRAWN:
        flash(_("The quote has been withdrawn."), "ok")  # a double click
    elif quote.status is not QuoteStatus.PUBLISHED:
        flash(_("Only a published quote can be withdrawn."), "error")
    else:
        quotes.withdraw_quote(quote, g.account)
        db.session.commit()
        flash(_("The quote has been withdrawn."), "ok")
    return redirect(url_for(".index", survey_id=survey.id), 303)
