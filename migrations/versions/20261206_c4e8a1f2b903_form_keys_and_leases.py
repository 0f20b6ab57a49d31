"""One creation per form key: the keys of creating forms under a unique constraint, so a
double submit (also two at the same moment) makes one survey, batch, member or proposal.
Mail claims name their worker and when the mail was handed over, and running jobs keep a
heartbeat (short leases).

Revision ID: c4e8a1f2b903
Revises: 3c8e51f0a7d2
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e8a1f2b903"
down_revision = "3c8e51f0a7d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submissions")),
        sa.UniqueConstraint("purpose", "key", name=op.f("uq_form_submissions_purpose")),
    )
    with op.batch_alter_table("outbox_mails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("send_started_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
    with op.batch_alter_table("outbox_mails", schema=None) as batch_op:
        batch_op.drop_column("send_started_at")
        batch_op.drop_column("claimed_by")
    op.drop_table("form_submissions")
