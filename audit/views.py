"""Officials browse the audit log. There is no route that changes or deletes an entry."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from accounts.models import Account, Role, RoleGrant
from accounts.permissions import official_required
from accounts.queries import names_by_id
from audit import queries
from audit.forms import AuditFilterForm
from core.db import db

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _staff() -> dict[int, str]:
    """Accounts that act on others' behalf, for the 'who' filter."""
    rows = db.session.execute(
        select(Account.id, Account.email)
        .join(RoleGrant, RoleGrant.account_id == Account.id)
        .where(RoleGrant.role != Role.RESIDENT)
        .distinct()
    ).all()
    return dict(rows)


@bp.get("/")
@official_required
def index():
    """The log, newest first, filtered by action, person and dates."""
    form = AuditFilterForm(queries.known_actions(), _staff(), request.args)
    criteria = queries.AuditFilter()
    if form.validate():
        criteria = queries.AuditFilter(
            action=form.action.data or "",
            actor_id=int(form.actor.data) if form.actor.data else None,
            since=form.since.data,
            until=form.until.data,
        )
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
