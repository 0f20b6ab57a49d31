"""Each published share keeps, beside it, the share that answered "don't know" (which the
figure leaves out of its base).

Revision ID: e5b2c9d41a07
Revises: d91f4b7a2c03
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "e5b2c9d41a07"
down_revision = "d91f4b7a2c03"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("result_figures", sa.Column("dont_know", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("result_figures", "dont_know")
