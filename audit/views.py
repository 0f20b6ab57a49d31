"""Officials browse the audit log. There is no route that changes or deletes an entry."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from accounts.permissions import official_required
from accounts.queries import names_by_id
from audit import labels, queries
from audit.forms import AuditFilterForm

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.add_app_template_global(labels.action_label, "audit_action_label")


def _criteria(form: AuditFilterForm) -> queries.AuditFilter:
    """Each valid field filters on its own; an invalid one is shown with its error."""
    form.validate()

    def valid(field):
        return field.data if not field.errors else None

    actor = valid(form.actor)
    return queries.AuditFilter(
        action=valid(form.action) or "",
        actor_id=int(actor) if actor else None,
        since=valid(form.since),
        until=valid(form.until),
    )


@bp.get("/")
@official_required
def index():
    """The log, newest first, filtered by action, person and dates."""
    form = AuditFilterForm(queries.known_actions(), queries.known_actors(), request.args)
    criteria = _criteria(form)
    page = max(1, request.args.get("page", 1, type=int))
    events, total = queries.page_of_events(criteria, page)
    actors = names_by_id({e.actor_id for e in events if e.actor_id is not None})
    return render_template(
        "audit/index.html",
        form=form,
        events=events,
        total=total,
        page=page,
        pages=max(1, -(-total // queries.PAGE_SIZE)),
        actors=actors,
        filter_args={key: value for key, value in request.args.items() if key != "page"},
    )
