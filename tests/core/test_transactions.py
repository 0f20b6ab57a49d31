from flask import Blueprint

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
