"""A wave keeps the village clusters it had when it closed (a snapshot per closed wave);
clusters themselves are no longer locked once used.

Closed waves get their snapshot now: the clusters of their first published run, or else
the clusters of today (what their next run would have used).

Revision ID: a17c5e93b2d4
Revises: e5b2c9d41a07
Create Date: 2026-12-06
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "a17c5e93b2d4"
down_revision = "e5b2c9d41a07"
branch_labels = None
depends_on = None


def upgrade() -> None:
    snapshots = op.create_table(
        "cluster_snapshots",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("clusters", sa.JSON(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_cluster_snapshots_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_cluster_snapshots")),
    )
    connection = op.get_bind()
    today = _current_clusters(connection)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {"survey_id": survey_id, "clusters": _published_clusters(connection, survey_id) or today}
        for (survey_id,) in connection.execute(
            sa.text("SELECT id FROM surveys WHERE status IN ('closed', 'archived')")
        )
    ]
    if rows:
        op.bulk_insert(snapshots, [row | {"taken_at": now} for row in rows])
    with op.batch_alter_table("village_clusters") as batch:
        batch.drop_column("first_used_at")


def _current_clusters(connection) -> dict[str, list[str]]:
    clusters: dict[str, list[str]] = {}
    rows = connection.execute(
        sa.text(
            "SELECT c.name, v.name FROM village_clusters c "
            "JOIN cluster_villages cv ON cv.cluster_id = c.id "
            "JOIN villages v ON v.id = cv.village_id ORDER BY c.name, v.name"
        )
    )
    for cluster, village in rows:
        clusters.setdefault(cluster, []).append(village)
    return clusters


def _published_clusters(connection, survey_id: int) -> dict[str, list[str]] | None:
    settings = connection.scalar(
        sa.text(
            "SELECT settings FROM analysis_runs WHERE survey_id = :survey "
            "AND released_at IS NOT NULL ORDER BY released_at, id LIMIT 1"
        ),
        {"survey": survey_id},
    )
    if isinstance(settings, str):  # SQLite hands JSON back as text
        settings = json.loads(settings)
    return None if settings is None else settings.get("clusters", {})


def downgrade() -> None:
    with op.batch_alter_table("village_clusters") as batch:
        batch.add_column(sa.Column("first_used_at", sa.DateTime(), nullable=True))
    op.drop_table("cluster_snapshots")
