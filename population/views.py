"""Officials import population margins and look back at earlier imports."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from accounts.models import Account
from accounts.permissions import official_required
from core.db import db
from panel.models import AgeBand
from population import services
from population.csv_import import REGISTERED_SEXES, parse_margins
from population.forms import ImportForm, problem_message, sex_label
from population.models import MarginImport
from villages.queries import panel_villages

bp = Blueprint("population", __name__, url_prefix="/population")

GROUPS = [(band, sex) for band in AgeBand for sex in REGISTERED_SEXES]


def importer_names(account_ids: set[int]) -> dict[int, str]:
    """Officials are staff: their name (or address) may be shown to colleagues."""
    if not account_ids:
        return {}
    rows = db.session.execute(
        select(Account.id, Account.name, Account.email).where(Account.id.in_(account_ids))
    )
    return {account_id: name or email for account_id, name, email in rows}


@bp.get("/")
@official_required
def index():
    """Every import of margins, the current one first."""
    history = services.import_history()
    current = services.current_margins()
    names = importer_names({s.margin_import.imported_by_id for s in history} - {None})
    return render_template("population/index.html", history=history, current=current, names=names)


@bp.route("/import", methods=["GET", "POST"])
@official_required
def import_margins():
    """Upload a CSV of margins; every problem is listed, the date and source are kept."""
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        villages = {v.name: v.id for v in panel_villages()}
        parsed = parse_margins(form.file.data.read(), villages)
        if parsed.ok:
            margin_import = services.import_margins(
                parsed.cells, form.reference_day(), form.source.data, g.account
            )
            db.session.commit()
            flash(_("The population figures are imported."), "ok")
            return redirect(url_for("population.show", import_id=margin_import.id), 303)
        problems = [problem_message(problem) for problem in parsed.problems]
        form.file.errors.append(
            _(
                "The file has %(num)s problem(s), listed below. Correct them and choose "
                "the file again.",
                num=len(problems),
            )
        )
    page = render_template(
        "population/import.html", form=form, problems=problems, submitted=form.is_submitted()
    )
    return page, 422 if form.errors else 200


@bp.get("/<int:import_id>")
@official_required
def show(import_id: int):
    """One import: the adults per village, age band and sex."""
    margin_import = db.session.get(MarginImport, import_id) or abort(404)
    table = services.import_table(margin_import)
    return render_template(
        "population/show.html",
        margin_import=margin_import,
        table=[row for row in table if row.counts],
        totals={group: sum(row.counts.get(group, 0) for row in table) for group in GROUPS},
        groups=GROUPS,
        bands=list(AgeBand),
        sex_label=sex_label,
        absent=[row.village.name for row in table if not row.counts],
        is_current=services.current_margins() is margin_import,
        importer=importer_names({margin_import.imported_by_id} - {None}),
    )


@bp.get("/template.csv")
@official_required
def template_csv():
    """A CSV to fill in: every village, age band and sex, with the counts left empty."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["village", "age_band", "sex", "count"])
    for village in panel_villages():
        for band, sex in GROUPS:
            writer.writerow([village.name, band.value, sex.value, ""])
    # The byte order mark makes Excel read the file as UTF-8.
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=population-margins.csv"},
    )
