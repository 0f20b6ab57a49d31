"""Villages, associations and background jobs.

Revision ID: 229dbf1feea4
Revises:
Create Date: 2026-11-28 10:35:57.330741
"""

import sqlalchemy as sa
from alembic import op

revision = "229dbf1feea4"
down_revision = None
branch_labels = None
depends_on = None


def _value_enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table(
        "associations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            _value_enum("association_kind", "village", "neighbourhood", "platform"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_associations")),
        sa.UniqueConstraint("name", name=op.f("uq_associations_name")),
    )
    op.create_table(
        "villages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column(
            "kind",
            _value_enum("village_kind", "large_village", "village", "hamlet", "neighbourhood"),
            nullable=False,
        ),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("population_is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("population_updated_at", sa.DateTime(), nullable=True),
        sa.Column("part_of_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'neighbourhood') = (part_of_id IS NOT NULL)",
            name=op.f("ck_villages_neighbourhood_has_parent"),
        ),
        sa.CheckConstraint(
            "population IS NULL OR population >= 0",
            name=op.f("ck_villages_population_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["part_of_id"], ["villages.id"], name=op.f("fk_villages_part_of_id_villages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_villages")),
        sa.UniqueConstraint("name", name=op.f("uq_villages_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_villages_slug")),
    )
    op.create_table(
        "association_villages",
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["associations.id"],
            name=op.f("fk_association_villages_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["villages.id"],
            name=op.f("fk_association_villages_village_id_villages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "association_id", "village_id", name=op.f("pk_association_villages")
        ),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            _value_enum("job_status", "queued", "running", "succeeded", "failed"),
            nullable=False,
        ),
        sa.Column("steps_done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("steps_total", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), server_default="", nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("steps_done >= 0", name=op.f("ck_jobs_steps_done_not_negative")),
        sa.CheckConstraint(
            "steps_total IS NULL OR steps_done <= steps_total",
            name=op.f("ck_jobs_steps_done_within_total"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_status"), "jobs", ["status"])


def downgrade():
    op.drop_index(op.f("ix_jobs_status"), table_name="jobs")
    op.drop_table("jobs")
    op.drop_table("association_villages")
    op.drop_table("villages")
    op.drop_table("associations")
