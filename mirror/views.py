"""The village mirror (dorpsspiegel): public pages of the published liveability figures.
Officials may add ?voorbeeld=1 to see the newest figures before they are published."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from sqlalchemy import select

from accounts.models import Role
from core.db import db
from mirror import services
from villages.models import Village

bp = Blueprint("mirror", __name__)


def _preview() -> bool:
    """Only an official's preview shows figures not yet published, and only when there are
    such figures (else the page is the published one, without a banner)."""
    asked = request.args.get("voorbeeld") == "1"
    return asked and _is_official() and services.has_unreleased()


def _is_official() -> bool:
    account = g.get("account")
    return bool(account and account.has_role(Role.OFFICIAL))


@bp.get("/dorpsspiegel")
def overview():
    """Every village and cluster in the latest published wave, sortable by a key figure."""
    preview = _preview()
    data = services.overview(preview)
    sort = services.sort_key(data, request.args.get("sorteer"))
    return render_template(
        "mirror/overview.html",
        data=services.sorted_overview(data, sort),
        sort=sort,
        preview=preview,
        can_preview=_is_official() and not preview and services.has_unreleased(),
    )


@bp.get("/dorpsspiegel/<slug>")
def village(slug: str):
    """One village: its key figures, their trend, its population and how reliable it is."""
    place = db.session.scalar(select(Village).where(Village.slug == slug)) or abort(404)
    preview = _preview()
    page = services.village_page(place, preview)
    return render_template(
        "mirror/village.html",
        page=page,
        preview=preview,
        can_preview=_is_official() and not preview and services.has_unreleased(),
        sees_own_weighting=_sees_own_weighting(place),
    )


def _sees_own_weighting(village: Village) -> bool:
    """The village's own weighting figures: for officials and the village's association."""
    account = g.get("account")
    if account is None:
        return False
    return account.has_role(Role.OFFICIAL) or village.id in account.villages_for(Role.ASSOCIATION)
