"""The migration that moves sent anonymous answers to their own table, down and up again,
on the data the app stores (both databases)."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from core.db import db
from fieldwork.models import AnonymousResponse, Invitation
from results.models import Quote
from tests.privacy.test_attacks_storage import anonymous_survey, cell_of, take_part

MIGRATIONS = str(Path(__file__).resolve().parent.parent.parent / "migrations")
BEFORE = "b7c41e2d9a10"


def test_sent_anonymous_answers_move_back_and_forth_with_new_ids(app, make_member):
    survey = anonymous_survey()
    for number in range(12):  # one cell of twelve: kept whole
        member = make_member("Orvelte", birth_year=1960)
        take_part(survey, member, f"antwoord {number}")
    village_id, band, _ = cell_of(member)
    ids = set(db.session.scalars(select(AnonymousResponse.id)))
    quoted = sorted(ids)[0]
    said = db.session.get(AnonymousResponse, quoted).answers["OPEN"]
    db.session.add(Quote(survey_id=survey.id, question="OPEN", response_id=quoted, text="x"))
    db.session.commit()
    survey_id = survey.id
    db.session.remove()

    try:
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as connection:
            # As sent before: every response with its member's full cell.
            connection.execute(
                text("UPDATE responses SET village_id = :v, age_band = :b, sex = 'female'"),
                {"v": village_id, "b": band},
            )
            rows = connection.execute(
                text("SELECT id, respondent_id, status FROM responses WHERE survey_id = :s"),
                {"s": survey_id},
            ).all()
            assert {row.id for row in rows} == ids
            assert {(row.respondent_id, row.status) for row in rows} == {(None, "completed")}
            missing = "SELECT count(*) FROM invitations WHERE completed_at IS NULL"
            assert connection.scalar(text(missing)) == 0
            assert connection.scalar(text("SELECT response_id FROM result_quotes")) == quoted
        db.engine.dispose()
    finally:
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()

    moved = db.session.scalars(select(AnonymousResponse)).all()
    assert len(moved) == 12 and not {r.id for r in moved} & ids
    assert db.session.scalar(text("SELECT count(*) FROM responses")) == 0
    assert {(r.village_id, r.age_band, r.sex) for r in moved} == {(village_id, band, "female")}
    invitations = db.session.scalars(select(Invitation)).all()
    assert {(i.took_part, i.completed_at) for i in invitations} == {(True, None)}
    quote = db.session.scalar(select(Quote))
    [source] = [r for r in moved if r.id == quote.response_id]
    assert source.answers["OPEN"] == said
