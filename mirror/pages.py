"""The village mirror's pages as HTML, below the header.

That part is the same for every visitor who gets the same figures in the same language
and variant (order, preview link, own weighting), so it is rendered once per cache key and
kept with the figures: rendering the cached figures again cost ~8 ms a request (issue 20).
The header, the flashes and the language form with its CSRF token are the visitor's own
and rendered per request by base.html. An official's preview is never kept.
"""

from __future__ import annotations

from flask import render_template, request
from markupsafe import Markup

from mirror import services
from mirror.services import Overview, VillagePage
from villages.models import Village


def overview(asked: str | None, preview: bool, can_preview: bool) -> Markup:
    """The overview in the order asked (by name for anything unknown)."""
    if preview:
        data = services.overview(preview=True)
        return _overview(data, services.sort_key(data, asked), True, False)
    key = services.overview_key()
    data = services.overview(key=key)
    # Only the orders the page offers reach the key, so asking cannot fill the cache.
    sort = services.sort_key(data, asked)
    return services.cached(
        (*key, "html", *_address(), sort, can_preview),
        lambda: _overview(data, sort, False, can_preview),
    )


def village(
    place: Village, preview: bool, can_preview: bool, sees_own_weighting: bool
) -> tuple[str, Markup]:
    """The village's name (for the title) and its page."""
    if preview:
        page = services.village_page(place, preview=True)
        return page.name, _village(page, True, False, sees_own_weighting)
    key = services.village_key(place)

    def build() -> tuple[str, Markup]:
        page = services.village_page(place, key=key)
        return page.name, _village(page, False, can_preview, sees_own_weighting)

    return services.cached((*key, "html", *_address(), can_preview, sees_own_weighting), build)


def _address() -> tuple[str, str]:
    """What the links on the page are made of besides the figures: where the app is
    mounted (url_for) and the page's own path (the preview banner)."""
    return request.script_root, request.path


def _overview(data: Overview, sort: str, preview: bool, can_preview: bool) -> Markup:
    return Markup(
        render_template(
            "mirror/_overview.html",
            data=services.sorted_overview(data, sort),
            sort=sort,
            preview=preview,
            can_preview=can_preview,
        )
    )


def _village(page: VillagePage, preview: bool, can_preview: bool, own_weighting: bool) -> Markup:
    return Markup(
        render_template(
            "mirror/_village.html",
            page=page,
            preview=preview,
            can_preview=can_preview,
            sees_own_weighting=own_weighting,
        )
    )
