"""The village mirror (dorpsspiegel): public pages of the published liveability figures.
Officials may add ?voorbeeld=1 to see the newest figures before they are published."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from sqlalchemy import select

from accounts.models import Role
from core.db import db
from mirror import pages, services
from villages.models import Village

bp = Blueprint("mirror", __name__)


def _preview() -> tuple[bool, bool]:
    """Whether this is a preview, and whether to offer one. Only an official's preview
    shows figures not yet published, and only when there are such figures (else the page
    is the published one, without a banner)."""
    account = g.get("account")
    unreleased = bool(account and account.has_role(Role.OFFICIAL)) and services.has_unreleased()
    asked = request.args.get("voorbeeld") == "1"
    return asked and unreleased, unreleased and not asked


@bp.get("/dorpsspiegel")
def overview():
    """Every village and cluster in the latest published wave, sortable by a key figure."""
    preview, can_preview = _preview()
    content = pages.overview(request.args.get("sorteer"), preview, can_preview)
    return render_template("mirror/overview.html", content=content)


@bp.get("/dorpsspiegel/<slug>")
def village(slug: str):
    """One village: its key figures, their trend, its population and how reliable it is."""
    place = db.session.scalar(select(Village).where(Village.slug == slug)) or abort(404)
    preview, can_preview = _preview()
    name, content = pages.village(place, preview, can_preview, _sees_own_weighting(place))
    return render_template("mirror/village.html", name=name, content=content)


def _sees_own_weighting(village: Village) -> bool:
    """The village's own weighting figures: for officials and the village's association."""
    account = g.get("account")
    if account is None:
        return False
    return account.has_role(Role.OFFICIAL) or village.id in account.villages_for(Role.ASSOCIATION)
