"""Work every web process would otherwise do on its first requests, done once at start-up.

gunicorn with --preload creates the app in its master process and forks the workers from
it: what is built here is built once and shared by every worker (copy-on-write), instead
of each worker compiling templates and configuring the ORM on its first pages. Nothing
here touches the database: the master must not hand open connections to its workers.
"""

from __future__ import annotations

import gc
import logging
from datetime import UTC, datetime

from flask import Flask
from flask_babel import force_locale, format_datetime, format_decimal
from sqlalchemy.orm import configure_mappers

log = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt")


def warm_up(app: Flask) -> None:
    """Compile every template, configure the mappers, build the URL matcher and builders,
    the answer pages' statements, and load each language's catalogue and number and date
    formats."""
    from core import routing
    from fieldwork import answering

    configure_mappers()
    app.url_map.update()
    routing.compile_builders(app)
    compiled = compile_templates(app)
    answering.prepare()  # the first welcome page took 50 ms of CPU without
    with app.test_request_context():
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                load_language(app)
    log.debug("Warmed up: %s templates", compiled)


def compile_templates(app: Flask) -> int:
    """Every template in Jinja's cache, which must hold them all to keep them."""
    names = [n for n in app.jinja_env.list_templates() if n.endswith(TEMPLATE_SUFFIXES)]
    cache = app.jinja_env.cache
    if cache is not None and getattr(cache, "capacity", len(names)) < len(names):
        log.warning("Jinja's cache holds fewer than the %s templates", len(names))
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def load_language(app: Flask) -> None:
    """The catalogue as templates use it (core.i18n.template_gettext), and the locale data
    number and date formatting read."""
    app.jinja_env.from_string("{{ _('Menu') }}").render()
    format_decimal(1.5)
    format_datetime(datetime(2026, 1, 1, tzinfo=UTC), "long")


def freeze_for_workers() -> None:
    """Keep the garbage collector of every worker off the objects built before the fork:
    collecting writes to each object it visits, which would copy the shared pages into
    every worker (see the `gc.freeze` documentation)."""
    gc.collect()
    gc.freeze()
