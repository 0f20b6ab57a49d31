"""Analysis: runs per survey wave with their published figures, village clusters, curated
quotes; responses keep the sex of the respondent for weighting.

Revision ID: f7a33eda6779
Revises: 0a93999d33d6
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "f7a33eda6779"
down_revision = "0a93999d33d6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "village_clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("first_used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village_clusters")),
        sa.UniqueConstraint("name", name=op.f("uq_village_clusters_name")),
    )
    op.create_table(
        "cluster_villages",
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["village_clusters.id"],
            name=op.f("fk_cluster_villages_cluster_id_village_clusters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["villages.id"],
            name=op.f("fk_cluster_villages_village_id_villages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("village_id", name=op.f("pk_cluster_villages")),
    )
    op.create_table(
        "analysis_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "failed",
                name="analysis_run_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("margin_import_id", sa.Integer(), nullable=True),
        sa.Column("reference_date", sa.Date(), nullable=True),
        sa.Column("previous_survey_id", sa.Integer(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("output", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(status IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)",
            name=op.f("ck_analysis_runs_finished_has_date"),
        ),
        sa.ForeignKeyConstraint(
            ["margin_import_id"],
            ["margin_imports.id"],
            name=op.f("fk_analysis_runs_margin_import_id_margin_imports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["previous_survey_id"],
            ["surveys.id"],
            name=op.f("fk_analysis_runs_previous_survey_id_surveys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["accounts.id"],
            name=op.f("fk_analysis_runs_requested_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_analysis_runs_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_runs")),
    )
    with op.batch_alter_table("analysis_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analysis_runs_survey_status", ["survey_id", "status"], unique=False
        )

    op.create_table(
        "result_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column(
            "area_kind",
            sa.Enum(
                "municipality",
                "village",
                "cluster",
                name="area_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("area", sa.String(length=80), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("subgroup", sa.String(length=20), server_default="", nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("indicative", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("shown_in_cluster", sa.String(length=80), nullable=True),
        sa.Column("versus_rest", sa.JSON(), nullable=True),
        sa.Column("change", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "status = 'publish' OR (value IS NULL AND low IS NULL AND high IS NULL)",
            name=op.f("ck_result_figures_hidden_has_no_value"),
        ),
        sa.CheckConstraint(
            "n IS NULL OR n % 5 = 0", name=op.f("ck_result_figures_count_rounded_to_five")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analysis_runs.id"],
            name=op.f("fk_result_figures_run_id_analysis_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["villages.id"],
            name=op.f("fk_result_figures_village_id_villages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_figures")),
        sa.UniqueConstraint(
            "run_id", "area_kind", "area", "subgroup", "indicator", name="uq_result_figures_cell"
        ),
    )
    with op.batch_alter_table("result_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_result_figures_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_result_figures_village_id"), ["village_id"], unique=False
        )

    op.create_table(
        "result_quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=60), nullable=False),
        sa.Column("response_id", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "withdrawn",
                name="quote_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)",
            name=op.f("ck_result_quotes_published_has_date"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["accounts.id"],
            name=op.f("fk_result_quotes_created_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_result_quotes_response_id_responses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_result_quotes_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_quotes")),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sex", sa.String(length=8), nullable=True))
    # Pseudonymous responses still know their member; anonymous ones stay unknown (the
    # weighting keeps respondents of unknown sex at their own weight).
    op.execute(
        "UPDATE responses SET sex = (SELECT panel_members.sex FROM panel_members"
        " WHERE panel_members.respondent_id = responses.respondent_id)"
        " WHERE respondent_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("sex")

    op.drop_table("result_quotes")
    with op.batch_alter_table("result_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_figures_village_id"))
        batch_op.drop_index(batch_op.f("ix_result_figures_run_id"))

    op.drop_table("result_figures")
    with op.batch_alter_table("analysis_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_analysis_runs_survey_status")

    op.drop_table("analysis_runs")
    op.drop_table("cluster_villages")
    op.drop_table("village_clusters")
