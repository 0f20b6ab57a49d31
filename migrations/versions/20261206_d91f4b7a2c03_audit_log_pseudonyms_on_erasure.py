"""The audit log stays append-only, with one narrow exception for erasure and retention:
an event's actor may be replaced by a keyed-hash pseudonym once the account is gone, its
client address by a pseudonym or by nothing, and the free-text `explanation` in its detail
by "[removed]". Nothing else of an event can change, and no event can be deleted.

Revision ID: d91f4b7a2c03
Revises: c3e8a1f05b72
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "d91f4b7a2c03"
down_revision = "c3e8a1f05b72"
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "audit_events is append-only"
REMOVED = "[removed]"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.id = OLD.id
     AND NEW.created_at = OLD.created_at
     AND NEW.action = OLD.action
     AND NEW.object_type = OLD.object_type
     AND NEW.object_id = OLD.object_id
     AND (
       NEW.detail::jsonb = OLD.detail::jsonb
       OR (OLD.detail::jsonb ? 'explanation'
           AND NEW.detail::jsonb
               = jsonb_set(OLD.detail::jsonb, '{{explanation}}', '"{REMOVED}"'::jsonb))
     )
     AND (
       (NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
        AND NEW.actor_pseudonym IS NOT DISTINCT FROM OLD.actor_pseudonym)
       OR (OLD.actor_id IS NOT NULL AND OLD.actor_pseudonym IS NULL
           AND NEW.actor_id IS NULL AND NEW.actor_pseudonym ~ '^h:[0-9a-f]{{40}}$'
           AND NOT EXISTS (SELECT 1 FROM accounts WHERE accounts.id = OLD.actor_id))
     )
     AND (
       NEW.ip_address = OLD.ip_address
       OR NEW.ip_address = ''
       OR (OLD.ip_address !~ '^h:' AND NEW.ip_address ~ '^h:[0-9a-f]{{40}}$')
     )
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
END $$
"""

PSEUDONYM = (
    "length({0}) = 42 AND substr({0}, 1, 2) = 'h:' AND substr({0}, 3) NOT GLOB '*[^0-9a-f]*'"
)

# coalesce: a NULL anywhere (a NULL pseudonym) must refuse, not slip through as unknown.
SQLITE_UPDATE_TRIGGER = f"""
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN coalesce((
  NEW.id = OLD.id
  AND NEW.created_at IS OLD.created_at
  AND NEW.action IS OLD.action
  AND NEW.object_type IS OLD.object_type
  AND NEW.object_id IS OLD.object_id
  AND (
    json(NEW.detail) IS json(OLD.detail)
    OR (json_type(OLD.detail, '$.explanation') IS NOT NULL
        AND json(NEW.detail) = json_set(OLD.detail, '$.explanation', '{REMOVED}'))
  )
  AND (
    (NEW.actor_id IS OLD.actor_id AND NEW.actor_pseudonym IS OLD.actor_pseudonym)
    OR (OLD.actor_id IS NOT NULL AND OLD.actor_pseudonym IS NULL
        AND NEW.actor_id IS NULL AND {PSEUDONYM.format("NEW.actor_pseudonym")}
        AND NOT EXISTS (SELECT 1 FROM accounts WHERE accounts.id = OLD.actor_id))
  )
  AND (
    NEW.ip_address IS OLD.ip_address
    OR NEW.ip_address = ''
    OR (substr(OLD.ip_address, 1, 2) != 'h:' AND {PSEUDONYM.format("NEW.ip_address")})
  )
), 0) = 0
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
"""

SQLITE_OLD_UPDATE_TRIGGER = (
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
)

POSTGRES_OLD_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if not postgres:
        op.execute("DROP TRIGGER audit_events_no_update")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_pseudonym", sa.String(length=42), nullable=True))
    if postgres:
        op.execute(POSTGRES_FUNCTION)
    else:
        op.execute(SQLITE_UPDATE_TRIGGER)


def downgrade():
    """Back to no exception at all; pseudonyms already written stay (an erased actor
    cannot be put back)."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(POSTGRES_OLD_FUNCTION)
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        # The batch copy below drops the table with its other trigger: made again after.
        op.execute("DROP TRIGGER audit_events_no_delete")
    # Dropping a column rewrites the table: on PostgreSQL no row trigger fires for DDL.
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("actor_pseudonym")
    if not postgres:
        op.execute(SQLITE_OLD_UPDATE_TRIGGER)
        op.execute(
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )
