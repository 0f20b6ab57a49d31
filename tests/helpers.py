"""Small helpers shared by tests."""

from sqlalchemy import func, select

from core.db import db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
