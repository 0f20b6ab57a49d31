"""Open data: the published mirror as tables to download and as a JSON API, for anyone.

Read-only GETs (so outside CSRF, which guards writes), no login or session needed, rate
limited per address, open to scripts on other sites (CORS) and cheap to poll (ETag,
Last-Modified)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from core.limits import limiter
from core.security import public_data
from opendata import api, services, tables

bp = Blueprint("opendata", __name__)

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept-Language, If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Language",
    "Access-Control-Max-Age": "86400",
}


def _limit() -> str:
    return current_app.config["OPEN_DATA_LIMIT_PER_ADDRESS"]


class UnknownLanguage(Exception):
    pass


def _language() -> str:
    """?lang= first, then the Accept-Language header; Dutch by default."""
    asked = request.args.get("lang")
    if asked is not None:
        if asked not in api.LANGUAGES:
            raise UnknownLanguage(asked)
        return asked
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.accept_languages.best_match(api.LANGUAGES) or default


@bp.errorhandler(UnknownLanguage)
def _unknown_language(error: UnknownLanguage):
    return _answer({"error": f"unknown language; use one of {', '.join(api.LANGUAGES)}"}, 400)


@bp.after_request
def _cors(response: Response) -> Response:
    if request.path.startswith("/api/"):
        response.headers.update(CORS)
        response.vary.add("Accept-Language")
    return response


def _answer(document: dict, status: int = 200, lang: str | None = None) -> Response:
    response = current_app.response_class(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype="application/json",
    )
    if lang:
        response.content_language.add(lang)
    return response


def _polled(document: dict, lang: str) -> Response:
    """The answer with ETag and Last-Modified, or 304 when the client has it already."""
    response = _answer(document, lang=lang)
    response.add_etag()
    released = services.last_released()
    if released is not None:  # werkzeug would take None for "now"
        response.last_modified = released
    public_data(response)
    return response.make_conditional(request)


@bp.get("/api/v1/villages")
@limiter.limit(_limit)
def villages():
    """The villages of the mirror, with the state of their published figures."""
    lang = _language()
    with force_locale(lang):
        return _polled(api.villages_json(services.published(), lang), lang)


@bp.get("/api/v1/mirror")
@limiter.limit(_limit)
def mirror():
    """Every village's published figures and the municipality's, as the pages show them."""
    lang = _language()
    with force_locale(lang):
        return _polled(api.mirror_json(services.published(), lang), lang)


@bp.get("/api/v1/mirror/<slug>")
@limiter.limit(_limit)
def village_mirror(slug: str):
    """One village's published figures, as its page shows them."""
    lang = _language()
    with force_locale(lang):
        data = services.published()
        table = data.village(slug)
        if table is None:
            return _answer({"error": "no such village"}, 404)
        return _polled(api.village_mirror_json(data, table, lang), lang)


@bp.get("/api/v1/openapi.json")
@limiter.limit(_limit)
def openapi():
    """The API's OpenAPI 3.1 description."""
    response = jsonify(api.openapi(request.host_url.rstrip("/")))
    response.add_etag()
    public_data(response)
    return response.make_conditional(request)


@bp.get("/dorpsspiegel/alle-dorpen.<any(csv, xlsx):kind>")
@limiter.limit(_limit)
def all_villages_table(kind: str):
    """Every village's published figures as a table."""
    data = services.published()
    return _table(data, None, kind, "dorpsspiegel-alle-dorpen")


@bp.get("/dorpsspiegel/<slug>.<any(csv, xlsx):kind>")
@limiter.limit(_limit)
def village_table(slug: str, kind: str):
    """One village's published figures as a table."""
    data = services.published()
    table = data.village(slug) or abort(404)
    return _table(data, table, kind, f"dorpsspiegel-{table.slug}")


def _table(
    data: services.Published, village: services.VillageTable | None, kind: str, name: str
) -> Response:
    if data.wave is None:
        abort(404)  # nothing published: no table
    lines = tables.rows(data, village)
    if kind == "csv":
        body, mimetype = tables.as_csv(lines).encode(), "text/csv"
    else:
        body = tables.as_xlsx(lines, _("Village mirror"))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )
