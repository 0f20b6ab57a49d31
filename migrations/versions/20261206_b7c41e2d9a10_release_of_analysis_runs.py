"""Analysis runs are released to the village associations by an official: a run that
succeeded is seen by officials only until then.

Runs that succeeded before this step existed were shown to the associations at once, so
they count as released when they finished.

Revision ID: b7c41e2d9a10
Revises: f7a33eda6779
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "b7c41e2d9a10"
down_revision = "f7a33eda6779"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("analysis_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("released_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("released_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_analysis_runs_released_by_id_accounts"),
            "accounts",
            ["released_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_analysis_runs_released_has_succeeded"),
            "released_at IS NULL OR status = 'succeeded'",
        )
    op.execute("UPDATE analysis_runs SET released_at = finished_at WHERE status = 'succeeded'")


def downgrade():
    with op.batch_alter_table("analysis_runs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_analysis_runs_released_has_succeeded"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_analysis_runs_released_by_id_accounts"), type_="foreignkey"
        )
        batch_op.drop_column("released_by_id")
        batch_op.drop_column("released_at")
