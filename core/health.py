"""Is the database reachable, and is its schema the one this code expects?"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from core.db import db

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@cache
def expected_revisions() -> frozenset[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_status() -> dict[str, str]:
    """Return the database state as `ok`, `outdated` (migrations pending) or `unavailable`."""
    try:
        if not inspect(db.session.connection()).has_table("alembic_version"):
            return {"database": "outdated", "detail": "run `flask --app app db upgrade`"}
        revisions = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars()
        current = frozenset(revisions)
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("Health check: database unavailable", exc_info=True)
        return {"database": "unavailable"}
    if current != expected_revisions():
        return {"database": "outdated", "detail": "run `flask --app app db upgrade`"}
    return {"database": "ok"}
