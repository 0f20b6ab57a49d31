import pytest
from flask import Blueprint
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from core.db import db
from tests.helpers import count
from villages.models import Village, VillageKind


def test_a_failing_request_stores_nothing(make_app):
    app = make_app()
    broken = Blueprint("broken", __name__)

    @broken.get("/broken")
    def write_then_fail():
        db.session.add(Village(name="Halfweg", slug="halfweg", kind=VillageKind.VILLAGE))
        db.session.flush()
        raise RuntimeError("boom")

    app.register_blueprint(broken)
    # Commits whatever the request left in its session: only a rollback saves us.
    app.after_request(lambda response: db.session.commit() or response)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert "Er ging bij ons iets mis" in response.text
    with app.app_context():
        assert count(Village) == 0


def test_a_request_that_only_reads_keeps_its_prepared_statements(make_app):
    """Reading requests end with COMMIT: a ROLLBACK makes psycopg forget its prepared
    statements, and with reading requests in between, none ever got prepared."""
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    reading = Blueprint("reading", __name__)

    @reading.get("/villages")
    def villages():
        return str(count(Village))

    @reading.get("/prepared")
    def prepared():
        return str(db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")))

    app.register_blueprint(reading)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are psycopg's")
    client = app.test_client()
    for _ in range(6):  # psycopg prepares a statement at its sixth run on a connection
        assert client.get("/villages").text == "0"
    assert int(client.get("/prepared").text) >= 1


def test_writes_a_request_leaves_uncommitted_are_rolled_back(make_app):
    """Only a transaction that ran nothing but SELECTs ends with COMMIT."""
    app = make_app()
    with app.app_context():
        db.session.add(Village(name="Halfweg", slug="halfweg", kind=VillageKind.VILLAGE))
        db.session.commit()
    leaving = Blueprint("leaving", __name__)

    @leaving.get("/pending")
    def pending():
        count(Village)
        db.session.add(Village(name="Nergens", slug="nergens", kind=VillageKind.VILLAGE))
        return "left pending"

    @leaving.get("/flushed")
    def flushed():
        db.session.add(Village(name="Nergens", slug="nergens", kind=VillageKind.VILLAGE))
        db.session.flush()
        count(Village)
        return "left flushed"

    @leaving.get("/updated")
    def updated():
        count(Village)
        db.session.execute(update(Village).values(name="Anders"))
        count(Village)
        return "left updated"

    @leaving.get("/changed")
    def changed():
        db.session.scalars(select(Village)).one().name = "Anders"
        return "left changed"

    app.register_blueprint(leaving)
    client = app.test_client()
    for path in ("/pending", "/flushed", "/updated", "/changed"):
        assert client.get(path).status_code == 200
        with app.app_context():
            assert db.session.scalars(select(Village.name)).all() == ["Halfweg"], path


def test_a_request_whose_read_failed_is_rolled_back(make_app):
    app = make_app()
    failing = Blueprint("failing", __name__)

    @failing.get("/failing")
    def fails():
        try:
            db.session.execute(text("SELECT * FROM no_such_table"))
        except DBAPIError:
            pass
        return "went on"

    app.register_blueprint(failing)
    client = app.test_client()
    assert client.get("/failing").text == "went on"
    assert client.get("/failing").text == "went on"  # the connection came back usable
