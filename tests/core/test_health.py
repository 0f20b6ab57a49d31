import sqlalchemy as sa

from core.db import db


def test_health_reports_a_current_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_reports_pending_migrations(client):
    version = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'older'"))
    db.session.commit()
    try:
        response = client.get("/healthz")
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": version})
        db.session.commit()
    assert response.status_code == 503
    assert response.json["database"] == "outdated"


def test_health_reports_an_unreachable_database(make_app):
    app = make_app(DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=2")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unavailable"}


def test_health_reports_a_database_that_was_never_migrated(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}", JOBS_WEB_WORKER=False)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "outdated"
