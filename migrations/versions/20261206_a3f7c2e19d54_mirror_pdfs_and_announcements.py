"""The village mirror keeps its printed PDFs per published run, and which waves' results
were announced to the residents invited to them.

Revision ID: a3f7c2e19d54
Revises: a17c5e93b2d4
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "a3f7c2e19d54"
down_revision = "a17c5e93b2d4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mirror_pdfs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("runs", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=80), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analysis_runs.id"],
            name=op.f("fk_mirror_pdfs_run_id_analysis_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mirror_pdfs")),
        sa.UniqueConstraint("runs", "area", "language", name=op.f("uq_mirror_pdfs_runs")),
    )
    op.create_table(
        "results_announcements",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_invitation_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("mails", sa.Integer(), server_default="0", nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_results_announcements_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_results_announcements")),
    )


def downgrade():
    op.drop_table("results_announcements")
    op.drop_table("mirror_pdfs")
