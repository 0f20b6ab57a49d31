"""Anonymous answers move to a table of their own, with fresh random ids and no times, and
coarsened village, age band and sex; invitations of anonymous surveys keep only that the
member took part.

Existing sent anonymous responses get a new id and are coarsened to cells that at least
k (the disclosure threshold) of the survey's responses share (the final participants
are known now); quotes made from them follow the new id. The downgrade moves them back,
with the survey's opening day as their times (as before).

Revision ID: 3c8e51f0a7d2
Revises: b7c41e2d9a10
Create Date: 2026-12-06
"""

import random
import secrets
from collections import Counter
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

revision = "3c8e51f0a7d2"
down_revision = "b7c41e2d9a10"
branch_labels = None
depends_on = None

CHANNEL = sa.Enum(
    "web", "paper", name="channel", native_enum=False, create_constraint=True, length=32
)


def _threshold() -> int:
    return current_app.config["DISCLOSURE_THRESHOLD"] if has_app_context() else 10


def upgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("took_part", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute("UPDATE invitations SET took_part = (completed_at IS NOT NULL)")
    op.execute(
        "UPDATE invitations SET completed_at = NULL WHERE survey_id IN"
        " (SELECT id FROM surveys WHERE anonymous)"
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f("ck_invitations_completed_took_part"), "completed_at IS NULL OR took_part"
        )
    op.create_table(
        "anonymous_responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("age_band", sa.String(length=8), nullable=True),
        sa.Column("sex", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_anonymous_responses_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_anonymous_responses_version_id_questionnaire_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["villages.id"],
            name=op.f("fk_anonymous_responses_village_id_villages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_responses")),
    )
    op.create_index(op.f("ix_anonymous_responses_survey_id"), "anonymous_responses", ["survey_id"])
    with op.batch_alter_table("result_quotes", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_result_quotes_response_id_responses"), type_="foreignkey"
        )
    _move_anonymous_responses()


def _move_anonymous_responses():
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT r.id, r.survey_id, r.version_id, r.channel, r.answers, r.village_id,"
            " r.age_band, r.sex FROM responses r JOIN surveys s ON s.id = r.survey_id"
            " WHERE s.anonymous AND r.status = 'completed'"
        )
    ).all()
    cells = _coarsened(rows, _threshold())
    table = sa.table(
        "anonymous_responses",
        *(sa.column(name) for name in ("id", "survey_id", "version_id", "channel")),
        sa.column("answers", sa.JSON()),
        *(sa.column(name) for name in ("village_id", "age_band", "sex")),
    )
    rows = list(rows)
    random.SystemRandom().shuffle(rows)  # the stored order says nothing either
    for row in rows:
        new_id = secrets.token_hex(16)
        village_id, age_band, sex = cells[row.id]
        connection.execute(
            table.insert().values(
                id=new_id,
                survey_id=row.survey_id,
                version_id=row.version_id,
                channel=row.channel,
                answers=row.answers if isinstance(row.answers, dict) else _json(row.answers),
                village_id=village_id,
                age_band=age_band,
                sex=sex,
            )
        )
        connection.execute(
            sa.text("UPDATE result_quotes SET response_id = :new WHERE response_id = :old"),
            {"new": new_id, "old": row.id},
        )
        connection.execute(sa.text("DELETE FROM responses WHERE id = :old"), {"old": row.id})


def _json(text):
    import json

    return json.loads(text)


def _coarsened(rows, k: int) -> dict:
    """Each response's (village, age band, sex), coarsened as fieldwork.anonymity does,
    counting the survey's responses (one per participant)."""
    full = Counter((r.survey_id, r.village_id, r.age_band, r.sex) for r in rows)
    banded = Counter((r.survey_id, r.village_id, r.age_band) for r in rows)
    village = Counter((r.survey_id, r.village_id) for r in rows)
    cells = {}
    for r in rows:
        if r.village_id is None:
            cells[r.id] = (None, None, None)
        elif full[(r.survey_id, r.village_id, r.age_band, r.sex)] >= k:
            cells[r.id] = (r.village_id, r.age_band, r.sex)
        elif banded[(r.survey_id, r.village_id, r.age_band)] >= k:
            cells[r.id] = (r.village_id, r.age_band, None)
        elif village[(r.survey_id, r.village_id)] >= k:
            cells[r.id] = (r.village_id, None, None)
        else:
            cells[r.id] = (None, None, None)
    return cells


def _day(opens_on) -> date:
    if opens_on is None:
        return datetime.now(UTC).date()
    return date.fromisoformat(opens_on) if isinstance(opens_on, str) else opens_on


def downgrade():
    connection = op.get_bind()
    opened = {
        survey_id: datetime.combine(_day(opens_on), time())
        for survey_id, opens_on in connection.execute(
            sa.text("SELECT id, opens_on FROM surveys WHERE anonymous")
        )
    }
    responses = sa.table(
        "responses",
        *(sa.column(name) for name in ("id", "survey_id", "version_id", "channel", "status")),
        sa.column("answers", sa.JSON()),
        *(sa.column(name) for name in ("current_page", "village_id", "age_band", "sex")),
        *(sa.column(name) for name in ("started_at", "updated_at", "completed_at")),
    )
    rows = connection.execute(
        sa.text(
            "SELECT id, survey_id, version_id, channel, answers, village_id, age_band, sex"
            " FROM anonymous_responses"
        )
    ).all()
    for row in rows:
        moment = opened[row.survey_id]
        connection.execute(
            responses.insert().values(
                id=row.id,
                survey_id=row.survey_id,
                version_id=row.version_id,
                channel=row.channel,
                status="completed",
                answers=row.answers if isinstance(row.answers, dict) else _json(row.answers),
                current_page=0,
                village_id=row.village_id,
                age_band=row.age_band,
                sex=row.sex,
                started_at=moment,
                updated_at=moment,
                completed_at=moment,
            )
        )
    connection.execute(
        sa.text(
            "UPDATE result_quotes SET response_id = NULL"
            " WHERE response_id NOT IN (SELECT id FROM responses)"
        )
    )
    for survey_id, moment in opened.items():
        connection.execute(
            sa.text(
                "UPDATE invitations SET completed_at = :moment"
                " WHERE survey_id = :survey AND took_part AND completed_at IS NULL"
            ),
            {"moment": moment, "survey": survey_id},
        )
    with op.batch_alter_table("result_quotes", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_result_quotes_response_id_responses"),
            "responses",
            ["response_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.drop_index(op.f("ix_anonymous_responses_survey_id"), table_name="anonymous_responses")
    op.drop_table("anonymous_responses")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_invitations_completed_took_part"), type_="check")
        batch_op.drop_column("took_part")
