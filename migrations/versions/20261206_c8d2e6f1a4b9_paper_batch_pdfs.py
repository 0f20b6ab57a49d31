"""The rendered PDF of a print batch, the job that renders it, and when it was deleted after
printing (it holds names and addresses).

Revision ID: c8d2e6f1a4b9
Revises: b613c8afb887
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "c8d2e6f1a4b9"
down_revision = "b613c8afb887"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("paper_batches") as batch:
        batch.add_column(sa.Column("pdf_job_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("pdf", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("pdf_pages", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pdf_ready_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("pdf_deleted_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key(
            "fk_paper_batches_pdf_job_id_jobs", "jobs", ["pdf_job_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("paper_batches") as batch:
        batch.drop_constraint("fk_paper_batches_pdf_job_id_jobs", type_="foreignkey")
        batch.drop_column("pdf_deleted_at")
        batch.drop_column("pdf_ready_at")
        batch.drop_column("pdf_pages")
        batch.drop_column("pdf")
        batch.drop_column("pdf_job_id")
