"""The paper path: print batches and their sheets, what volunteers typed, which volunteer
may enter which survey, single entry per survey, and spreadsheet imports.

Revision ID: b613c8afb887
Revises: a3f7c2e19d54
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "b613c8afb887"
down_revision = "a3f7c2e19d54"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "paper_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["accounts.id"],
            name=op.f("fk_paper_imports_imported_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_paper_imports_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_imports")),
    )
    op.create_table(
        "paper_settings",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("single_entry", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["accounts.id"],
            name=op.f("fk_paper_settings_changed_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_paper_settings_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_paper_settings")),
    )
    op.create_table(
        "paper_survey_access",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("senior", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_paper_survey_access_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["accounts.id"],
            name=op.f("fk_paper_survey_access_granted_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_paper_survey_access_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "survey_id", name=op.f("pk_paper_survey_access")),
    )
    op.create_table(
        "paper_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "village",
                "members",
                "reminder",
                name="paper_batch_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["accounts.id"],
            name=op.f("fk_paper_batches_created_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_paper_batches_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_paper_batches_version_id_questionnaire_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["villages.id"],
            name=op.f("fk_paper_batches_village_id_villages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_batches")),
    )
    op.create_table(
        "paper_sheets",
        sa.Column("id", sa.String(length=9), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "printed",
                "returned",
                "entered",
                "void",
                name="paper_sheet_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("entered_at", sa.DateTime(), nullable=True),
        sa.Column("single_entry", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("disagreements", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["paper_batches.id"],
            name=op.f("fk_paper_sheets_batch_id_paper_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_paper_sheets_invitation_id_invitations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_paper_sheets_response_id_responses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_paper_sheets_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_paper_sheets_version_id_questionnaire_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["villages.id"],
            name=op.f("fk_paper_sheets_village_id_villages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_sheets")),
        sa.UniqueConstraint("batch_id", "position", name="uq_paper_sheets_batch_position"),
        sa.UniqueConstraint("response_id", name=op.f("uq_paper_sheets_response_id")),
    )
    with op.batch_alter_table("paper_sheets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paper_sheets_invitation_id"), ["invitation_id"], unique=False
        )
        batch_op.create_index(
            "ix_paper_sheets_survey_status", ["survey_id", "status"], unique=False
        )

    op.create_table(
        "paper_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.String(length=9), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("fields", sa.Integer(), server_default="0", nullable=False),
        sa.Column("wiped", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint("round BETWEEN 1 AND 3", name=op.f("ck_paper_entries_known_round")),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["accounts.id"],
            name=op.f("fk_paper_entries_entered_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["paper_sheets.id"],
            name=op.f("fk_paper_entries_sheet_id_paper_sheets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_entries")),
        sa.UniqueConstraint("sheet_id", "round", name="uq_paper_entries_sheet_round"),
    )
    with op.batch_alter_table("paper_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paper_entries_entered_by_id"), ["entered_by_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("paper_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_entries_entered_by_id"))

    op.drop_table("paper_entries")
    with op.batch_alter_table("paper_sheets", schema=None) as batch_op:
        batch_op.drop_index("ix_paper_sheets_survey_status")
        batch_op.drop_index(batch_op.f("ix_paper_sheets_invitation_id"))

    op.drop_table("paper_sheets")
    op.drop_table("paper_batches")
    op.drop_table("paper_survey_access")
    op.drop_table("paper_settings")
    op.drop_table("paper_imports")
