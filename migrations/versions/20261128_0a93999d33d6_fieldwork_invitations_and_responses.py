"""Fieldwork: invitations and responses; anonymity and reminder days per survey.

Revision ID: 0a93999d33d6
Revises: 5ead202748a3
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0a93999d33d6"
down_revision = "5ead202748a3"
branch_labels = None
depends_on = None


def _value_enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table(
        "responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.Column("channel", _value_enum("channel", "web", "paper"), nullable=False),
        sa.Column("status", _value_enum("response_status", "started", "completed"), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("current_page", sa.Integer(), server_default="0", nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("age_band", sa.String(length=8), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(status = 'completed') = (completed_at IS NOT NULL)",
            name=op.f("ck_responses_completed_has_date"),
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondents.id"],
            name=op.f("fk_responses_respondent_id_respondents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_responses_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_responses_version_id_questionnaire_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["villages.id"],
            name=op.f("fk_responses_village_id_villages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sa.UniqueConstraint("survey_id", "respondent_id", name="uq_responses_survey_respondent"),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index("ix_responses_survey_status", ["survey_id", "status"])

    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("response_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "reminders_sent BETWEEN 0 AND 2", name=op.f("ck_invitations_at_most_two_reminders")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["panel_members.id"],
            name=op.f("fk_invitations_member_id_panel_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_invitations_response_id_responses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_invitations_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("response_id", name=op.f("uq_invitations_response_id")),
        sa.UniqueConstraint("survey_id", "member_id", name="uq_invitations_survey_member"),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index("ix_invitations_member_invited_at", ["member_id", "invited_at"])

    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("first_reminder_days", sa.Integer(), server_default="5", nullable=True)
        )
        batch_op.add_column(
            sa.Column("second_reminder_days", sa.Integer(), server_default="10", nullable=True)
        )
        batch_op.create_check_constraint(
            op.f("ck_surveys_reminders_in_order"),
            "second_reminder_days IS NULL OR (first_reminder_days IS NOT NULL"
            " AND second_reminder_days > first_reminder_days)",
        )
        batch_op.create_check_constraint(
            op.f("ck_surveys_first_reminder_after_a_day"),
            "first_reminder_days IS NULL OR first_reminder_days > 0",
        )


def downgrade():
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_surveys_first_reminder_after_a_day"), type_="check")
        batch_op.drop_constraint(op.f("ck_surveys_reminders_in_order"), type_="check")
        batch_op.drop_column("second_reminder_days")
        batch_op.drop_column("first_reminder_days")
        batch_op.drop_column("anonymous")

    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_member_invited_at")
    op.drop_table("invitations")

    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index("ix_responses_survey_status")
    op.drop_table("responses")
