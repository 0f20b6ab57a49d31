"""Village-vision proposals: a review status on surveys and the proposal history.

Revision ID: 5ead202748a3
Revises: 9210efc7374e
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "5ead202748a3"
down_revision = "9210efc7374e"
branch_labels = None
depends_on = None


def _value_enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table(
        "proposal_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _value_enum(
                "proposal_event",
                "submitted",
                "commented",
                "changes_requested",
                "approved",
                "changed",
            ),
            nullable=False,
        ),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("by_municipality", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_proposal_events_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_proposal_events_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_events")),
    )
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_events_survey_id"), ["survey_id"])

    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "review_status",
                _value_enum(
                    "review_status", "drafting", "submitted", "changes_requested", "approved"
                ),
                nullable=True,
            )
        )
    # Village-vision surveys made before proposals existed were the municipality's own.
    op.execute(
        "UPDATE surveys SET review_status = 'drafting' "
        "WHERE kind = 'village_vision' AND status = 'draft'"
    )
    op.execute(
        "UPDATE surveys SET review_status = 'approved' "
        "WHERE kind = 'village_vision' AND status <> 'draft'"
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_surveys_proposal_has_review"),
            "(kind = 'village_vision') = (review_status IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            op.f("ck_surveys_proposal_published_after_approval"),
            "status = 'draft' OR review_status IS NULL OR review_status = 'approved'",
        )


def downgrade():
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_surveys_proposal_published_after_approval"), type_="check"
        )
        batch_op.drop_constraint(op.f("ck_surveys_proposal_has_review"), type_="check")
        batch_op.drop_constraint(op.f("ck_surveys_review_status"), type_="check")
        batch_op.drop_column("review_status")

    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_events_survey_id"))

    op.drop_table("proposal_events")
