"""A database restart while residents answer: the next page is saved as if nothing happened,
and sending makes one response. (On PostgreSQL every connection of the app is cut, as a
restart or a failover does.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from core.db import db
from fieldwork.links import survey_token
from fieldwork.models import Response
from tests.fieldwork.test_answering import ANSWERS, Resident, invite, publish


def cut_every_connection(database_url: str) -> None:
    """What a restart does to the app's pooled connections: they are gone."""
    name = sa.make_url(database_url).database
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as connection:
        connection.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    engine.dispose()


def test_a_database_restart_between_two_pages_loses_nothing(app, make_member, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("an embedded SQLite file has no server to restart")
    resident = Resident(app, survey_token(invite(publish(), make_member())))
    resident.start()
    first = resident.post(1, ANSWERS[0])
    assert first.status_code == 303
    db.session.commit()

    cut_every_connection(database_url)

    for number, data in enumerate(ANSWERS[1:], start=2):
        answered = resident.post(number, data)
        assert answered.status_code == 303, (number, answered.status_code)
    sent = resident.send()
    assert sent.status_code == 303
    db.session.rollback()
    responses = db.session.scalars(select(Response)).all()
    assert len(responses) == 1 and responses[0].completed
    assert set(ANSWERS[0]) <= set(responses[0].answers)
