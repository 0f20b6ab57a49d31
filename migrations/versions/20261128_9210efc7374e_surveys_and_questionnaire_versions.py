"""Surveys with their scope of villages and frozen questionnaire versions.

Revision ID: 9210efc7374e
Revises: 5d746e5e663d
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "9210efc7374e"
down_revision = "5d746e5e663d"
branch_labels = None
depends_on = None


def _value_enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", _value_enum("survey_kind", "general", "village_vision"), nullable=False),
        sa.Column(
            "status",
            _value_enum("survey_status", "draft", "published", "closed", "archived"),
            nullable=False,
        ),
        sa.Column("opens_on", sa.Date(), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status = 'draft' OR (opens_on IS NOT NULL AND closes_on IS NOT NULL)",
            name=op.f("ck_surveys_published_has_dates"),
        ),
        sa.CheckConstraint(
            "closes_on IS NULL OR opens_on <= closes_on", name=op.f("ck_surveys_opens_before_close")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["accounts.id"],
            name=op.f("fk_surveys_created_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    op.create_table(
        "questionnaire_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_questionnaire_versions_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_versions")),
        sa.UniqueConstraint("survey_id", "number", name="uq_questionnaire_versions_number"),
    )
    op.create_table(
        "survey_villages",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_villages_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["villages.id"],
            name=op.f("fk_survey_villages_village_id_villages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "village_id", name=op.f("pk_survey_villages")),
    )


def downgrade():
    op.drop_table("survey_villages")
    op.drop_table("questionnaire_versions")
    op.drop_table("surveys")
