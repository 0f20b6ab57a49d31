"""The printed village mirror: a PDF per village and one with every village, for anyone,
like the pages, and only of published figures (never a preview). A PDF not yet rendered is
queued and the reader asked to come back in a minute."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from sqlalchemy import select

from core.db import db
from mirror import pdf
from mirror.figures import language
from mirror.models import MirrorPdf
from villages.models import Village, VillageKind

bp = Blueprint("mirror_pdf", __name__)


@bp.get("/dorpsspiegel/<slug>.pdf")
def village(slug: str):
    """One village's printed mirror."""
    place = db.session.scalar(
        select(Village).where(Village.slug == slug, Village.kind != VillageKind.NEIGHBOURHOOD)
    )
    if place is None:
        abort(404)
    return _download(place.slug, f"dorpsspiegel-{place.slug}.pdf")


@bp.get("/dorpsspiegel/alle-dorpen.pdf")
def all_villages():
    """Every village's printed mirror in one document."""
    return _download(pdf.ALL, "dorpsspiegel-alle-dorpen.pdf")


def _download(area: str, filename: str) -> Response:
    if pdf.published() is None:
        abort(404)  # nothing published: nothing to print
    reader = language() if language() in pdf.LANGUAGES else "nl"
    found = pdf.cached(area, reader)
    if found is None:
        return _being_made(reader)
    return Response(
        db.session.scalar(select(MirrorPdf.pdf).where(MirrorPdf.id == found.id)),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "public, max-age=300",
        },
    )


def _being_made(reader: str) -> tuple[str, int, dict[str, str]]:
    pdf.ensure_rendering(reader)
    db.session.commit()
    page = render_template("mirror/print/being_made.html")
    return page, 503, {"Retry-After": "60", "Cache-Control": "no-store"}
