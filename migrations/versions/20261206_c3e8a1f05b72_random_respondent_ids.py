"""Respondent ids are random instead of a serial that advanced with the members' ids, and
respondents keep no time of creation (it equalled the member's joining time).

Existing respondents are re-keyed: each gets a new random id, and the members and the
(pseudonymous) responses that carry the old one are moved to it in the same transaction.

The downgrade puts the column of creation times back (filled with the time of the
downgrade: the real times are gone on purpose) and keeps the random ids: they are valid
integers for the old schema, and restoring the old serial numbers would restore the link
this step removes (they are not kept anywhere, so it cannot be done).

Revision ID: c3e8a1f05b72
Revises: c4e8a1f2b903
Create Date: 2026-12-06
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "c3e8a1f05b72"
down_revision = "c4e8a1f2b903"
branch_labels = None
depends_on = None

LARGEST_ID = 2**31 - 1

respondents = sa.table(
    "respondents", sa.column("id", sa.Integer), sa.column("pseudonym", sa.String)
)
members = sa.table("panel_members", sa.column("respondent_id", sa.Integer))
responses = sa.table("responses", sa.column("respondent_id", sa.Integer))


def _new_ids(old: list[int]) -> dict[int, int]:
    taken = set(old)
    mapping = {}
    for old_id in old:
        new_id = secrets.randbelow(LARGEST_ID) + 1
        while new_id in taken:
            new_id = secrets.randbelow(LARGEST_ID) + 1
        taken.add(new_id)
        mapping[old_id] = new_id
    return mapping


def _rekey() -> None:
    """Insert each respondent again under its new id (with a placeholder pseudonym, as the
    pseudonym is unique), point members and responses to it, delete the old row, then give
    the new row its pseudonym back. No constraint is dropped on either database."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(respondents.c.id, respondents.c.pseudonym)).all()
    mapping = _new_ids([row.id for row in rows])
    for old_id, pseudonym in rows:
        new_id = mapping[old_id]
        bind.execute(respondents.insert().values(id=new_id, pseudonym=f"#{old_id}"))
        for table in (members, responses):
            bind.execute(
                table.update().where(table.c.respondent_id == old_id).values(respondent_id=new_id)
            )
        bind.execute(respondents.delete().where(respondents.c.id == old_id))
        bind.execute(
            respondents.update().where(respondents.c.id == new_id).values(pseudonym=pseudonym)
        )


def upgrade():
    # Not a batch copy: on SQLite that drops and renames a table other tables refer to.
    # Both databases drop a plain column in place (SQLite since 3.35).
    op.execute("ALTER TABLE respondents DROP COLUMN created_at")
    _rekey()


def downgrade():
    # A plain ADD COLUMN (no batch copy, see upgrade); the server default it needs for the
    # existing rows stays, which the old model does not mind.
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    op.add_column(
        "respondents",
        sa.Column("created_at", sa.DateTime(), nullable=False, server_default=now),
    )
