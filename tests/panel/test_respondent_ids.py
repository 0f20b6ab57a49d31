"""Respondent ids are random, and the migration that re-keyed the serial ones keeps every
member with their own pseudonym and their pseudonymous answers."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from app import create_app
from core.db import db, utcnow
from demo.services import seed_villages
from fieldwork.models import Response
from panel.models import Channel, Household, Member, Respondent, Sex
from panel.services import Profile, register_member
from surveys.services import create_survey
from tests.conftest import base_config
from tests.results.test_quotes import questionnaire
from tests.test_migrations import MIGRATIONS, empty_database_url  # noqa: F401  (fixture)
from villages.queries import village_by_name

MIGRATION = next(
    (Path(__file__).resolve().parents[2] / "migrations" / "versions").glob(
        "20261206_c3e8a1f05b72_*.py"
    )
)


def migration():
    spec = importlib.util.spec_from_file_location("random_respondent_ids", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_new_members_get_random_respondent_ids(make_member):
    members = [make_member() for _ in range(5)]
    ids = [m.respondent_id for m in members]
    member_ids = [m.id for m in members]
    assert len(set(ids)) == 5
    assert ids != sorted(ids) or max(ids) > 1000  # not a serial next to the members' ids
    assert all(1 <= i <= 2**31 - 1 for i in ids)
    assert [i - j for i, j in zip(ids, member_ids, strict=True)] != [ids[0] - member_ids[0]] * 5


def test_the_migration_rekeys_respondents_members_and_responses(make_member):
    survey = create_survey(questionnaire(), by=None)
    survey.publish(utcnow().date(), utcnow().date(), utcnow())
    db.session.commit()
    members = [make_member() for _ in range(4)]
    before = {m.id: (m.respondent_id, m.respondent.pseudonym) for m in members}
    for member in members[:2]:
        db.session.add(
            Response(
                survey_id=survey.id,
                version_id=survey.live_version.id,
                channel=Channel.WEB,
                village_id=member.village_id,
                respondent_id=member.respondent_id,
                answers={"WOON": "1"},
            )
        )
    db.session.commit()

    with db.engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            migration()._rekey()
    db.session.expire_all()

    for member_id, (old_id, pseudonym) in before.items():
        member = db.session.get(Member, member_id)
        assert member.respondent_id != old_id
        assert member.respondent.pseudonym == pseudonym
        assert db.session.get(Respondent, old_id) is None
    answered = db.session.scalars(select(Response.respondent_id)).all()
    assert sorted(answered) == sorted(
        db.session.get(Member, m.id).respondent_id for m in members[:2]
    )
    assert db.session.scalar(select(Respondent).where(Respondent.pseudonym.like("#%"))) is None


def test_down_and_up_again_with_members_keeps_every_link(empty_database_url):  # noqa: F811
    """The real migration on a database with members: the downgrade keeps the random ids,
    the upgrade draws new ones and moves the members along, on both databases."""
    app = create_app(base_config(empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        seed_villages()
        profile = Profile(
            village_id=village_by_name("Orvelte").id,
            sex=Sex.FEMALE,
            household=Household.SINGLE,
            birth_year=1960,
        )
        members = [register_member(profile, Channel.PAPER) for _ in range(3)]
        db.session.commit()
        before = {m.id: (m.respondent_id, m.respondent.pseudonym) for m in members}
        db.session.remove()  # no open transaction may hold a lock the DDL waits for

        downgrade(directory=MIGRATIONS, revision="b7c41e2d9a10")
        upgrade(directory=MIGRATIONS)

        db.session.expire_all()
        for member_id, (old_id, pseudonym) in before.items():
            member = db.session.get(Member, member_id)
            assert member.respondent.pseudonym == pseudonym and member.respondent_id != old_id
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("respondents")}
        assert "created_at" not in columns
        db.session.remove()
        db.engine.dispose()
