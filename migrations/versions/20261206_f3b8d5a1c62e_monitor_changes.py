"""The response monitor's fingerprint: a count per survey of the changes to what the
monitor counts, kept by triggers (on every invitation, member, paper response, paper copy,
village and survey village that changes), so the monitor reads a few rows by their key
on every request instead of summing 10,000 invitations and every member.

Rows per survey (the fingerprint is their sum), bumped in the changing transaction: a
change shows at the next request after its commit, whatever its order of commit.
PostgreSQL bumps once per statement (its triggers see the changed rows as transition
tables), so one statement inserting or deleting 10,000 invitations costs one update, not
10,000 of one row (each slower than the last: the row's versions pile up in the
transaction); SQLite bumps per row. Invitation updates count only when a counted column
changes: reminders lock nothing. Members count only for the surveys they are invited to.

Revision ID: f3b8d5a1c62e
Revises: c8d2e6f1a4b9
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "f3b8d5a1c62e"
down_revision = "c8d2e6f1a4b9"
branch_labels = None
depends_on = None

BUMP = "UPDATE monitor_changes SET changes = changes + 1"
#: Rows per survey on PostgreSQL; a transaction bumps the one of its connection. One row
#: would be locked from each start or send of a questionnaire until its commit: concurrent
#: answers would wait for each other's commit (a quarter of the completes per second at
#: 8 connections). SQLite writes one transaction at a time anyway: one row there.
SHARDS = 16
POSTGRES_BUMP = f"{BUMP} WHERE shard = pg_backend_pid() % {SHARDS}"

#: The columns of an invitation that the monitor counts from.
INVITATION_COLUMNS = (
    "survey_id",
    "member_id",
    "invited_at",
    "response_id",
    "took_part",
    "completed_at",
)
#: A member's columns the monitor counts from (their invitations' village and age band).
MEMBER_COLUMNS = ("village_id", "birth_year", "age_band")

PAPER_RESPONSE = "{row}.channel = 'paper' AND {row}.status = 'completed'"
PAPER_ANONYMOUS = "{row}.channel = 'paper'"

#: Tables with a survey_id: (table, columns whose update counts, which rows count).
SURVEY_TABLES = (
    ("invitations", INVITATION_COLUMNS, None),
    ("responses", ("survey_id", "channel", "status", "village_id"), PAPER_RESPONSE),
    ("anonymous_responses", ("survey_id", "channel", "village_id"), PAPER_ANONYMOUS),
    ("paper_sheets", ("survey_id", "status", "village_id"), None),
    ("survey_villages", ("survey_id", "village_id"), None),
)


def _row(columns, row: str) -> str:
    return f"({', '.join(f'{row}.{column}' for column in columns)})"


def _changed(columns) -> str:
    return f"{_row(columns, 'old_rows')} IS DISTINCT FROM {_row(columns, 'new_rows')}"


# --- PostgreSQL: statement-level triggers with transition tables --------------------------

POSTGRES_FUNCTIONS = f"""
CREATE FUNCTION monitor_survey_rows_added_or_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {POSTGRES_BUMP} AND survey_id IN (SELECT survey_id FROM changed_rows);
    RETURN NULL;
END $$;

CREATE FUNCTION monitor_survey_rows_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {POSTGRES_BUMP}
    AND survey_id IN (SELECT survey_id FROM old_rows UNION SELECT survey_id FROM new_rows);
    RETURN NULL;
END $$;

CREATE FUNCTION monitor_invitations_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {POSTGRES_BUMP} AND survey_id IN (
        SELECT unnest(ARRAY[old_rows.survey_id, new_rows.survey_id])
        FROM old_rows JOIN new_rows ON new_rows.id = old_rows.id
        WHERE {_changed(INVITATION_COLUMNS)}
    );
    RETURN NULL;
END $$;

CREATE FUNCTION monitor_members_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {POSTGRES_BUMP} AND survey_id IN (
        SELECT invitations.survey_id
        FROM old_rows JOIN new_rows ON new_rows.id = old_rows.id
        JOIN invitations ON invitations.member_id = new_rows.id
        WHERE {_changed(MEMBER_COLUMNS)}
    );
    RETURN NULL;
END $$;

CREATE FUNCTION monitor_response_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {POSTGRES_BUMP} AND survey_id IN (OLD.survey_id, NEW.survey_id);
    RETURN NULL;
END $$;

CREATE FUNCTION monitor_villages_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {POSTGRES_BUMP};
    RETURN NULL;
END $$;

CREATE FUNCTION monitor_survey_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO monitor_changes (survey_id, shard, changes)
    SELECT NEW.id, generate_series(0, {SHARDS - 1}), 0;
    RETURN NULL;
END $$;
"""

POSTGRES_FUNCTION_NAMES = (
    "monitor_survey_rows_added_or_removed",
    "monitor_survey_rows_updated",
    "monitor_invitations_updated",
    "monitor_members_updated",
    "monitor_response_changed",
    "monitor_villages_changed",
    "monitor_survey_added",
)


def _postgres_triggers() -> list[tuple[str, str, str]]:
    """(name, table, CREATE TRIGGER) of every trigger on PostgreSQL."""
    triggers = []

    def add(name: str, table: str, body: str) -> None:
        triggers.append((name, table, f"CREATE TRIGGER {name} {body}"))

    for table, _, paper in SURVEY_TABLES:
        if paper is None:
            add(
                f"{table}_monitor_insert",
                table,
                f"AFTER INSERT ON {table} REFERENCING NEW TABLE AS changed_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION monitor_survey_rows_added_or_removed()",
            )
            add(
                f"{table}_monitor_delete",
                table,
                f"AFTER DELETE ON {table} REFERENCING OLD TABLE AS changed_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION monitor_survey_rows_added_or_removed()",
            )
            function = (
                "monitor_invitations_updated"
                if table == "invitations"
                else "monitor_survey_rows_updated"
            )
            add(
                f"{table}_monitor_update",
                table,
                f"AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            )
        else:
            # Row by row, only for paper: the web's page saves never fire.
            counts = {"NEW": paper.format(row="NEW"), "OLD": paper.format(row="OLD")}
            execute = "FOR EACH ROW WHEN ({}) EXECUTE FUNCTION monitor_response_changed()"
            add(
                f"{table}_monitor_insert",
                table,
                f"AFTER INSERT ON {table} " + execute.format(counts["NEW"]),
            )
            add(
                f"{table}_monitor_delete",
                table,
                f"AFTER DELETE ON {table} " + execute.format(counts["OLD"]),
            )
            columns = ", ".join(_columns_of(table))
            either = f"({counts['OLD']}) OR ({counts['NEW']})"
            add(
                f"{table}_monitor_update",
                table,
                f"AFTER UPDATE OF {columns} ON {table} " + execute.format(either),
            )
    add(
        "panel_members_monitor_update",
        "panel_members",
        "AFTER UPDATE ON panel_members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION monitor_members_updated()",
    )
    add(
        "villages_monitor_change",
        "villages",
        "AFTER INSERT OR DELETE OR UPDATE OF name, slug, kind ON villages "
        "FOR EACH STATEMENT EXECUTE FUNCTION monitor_villages_changed()",
    )
    add(
        "surveys_monitor_insert",
        "surveys",
        "AFTER INSERT ON surveys FOR EACH ROW EXECUTE FUNCTION monitor_survey_added()",
    )
    return triggers


def _columns_of(table: str) -> tuple[str, ...]:
    return next(columns for name, columns, _ in SURVEY_TABLES if name == table)


# --- SQLite: row-level triggers -------------------------------------------------------------


def _sqlite_triggers() -> list[tuple[str, str, str]]:
    """(name, table, CREATE TRIGGER) of every trigger on SQLite."""
    triggers = []

    def add(name: str, table: str, event: str, when: str | None, action: str) -> None:
        condition = f" WHEN {when}" if when else ""
        sql = f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
        sql += f"BEGIN {action}; END"
        triggers.append((name, table, sql))

    for table, columns, paper in SURVEY_TABLES:
        new = paper.format(row="NEW") if paper else None
        old = paper.format(row="OLD") if paper else None
        either = f"({old}) OR ({new})" if paper else None
        add(
            f"{table}_monitor_insert",
            table,
            "INSERT",
            new,
            f"{BUMP} WHERE survey_id = NEW.survey_id",
        )
        add(
            f"{table}_monitor_delete",
            table,
            "DELETE",
            old,
            f"{BUMP} WHERE survey_id = OLD.survey_id",
        )
        add(
            f"{table}_monitor_update",
            table,
            f"UPDATE OF {', '.join(columns)}",
            either,
            f"{BUMP} WHERE survey_id IN (OLD.survey_id, NEW.survey_id)",
        )
    add(
        "panel_members_monitor_update",
        "panel_members",
        f"UPDATE OF {', '.join(MEMBER_COLUMNS)}",
        " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in MEMBER_COLUMNS),
        f"{BUMP} WHERE survey_id IN (SELECT survey_id FROM invitations WHERE member_id = NEW.id)",
    )
    for event in ("INSERT", "DELETE", "UPDATE OF name, slug, kind"):
        name = f"villages_monitor_{event.split()[0].lower()}"
        add(name, "villages", event, None, BUMP)
    add(
        "surveys_monitor_insert",
        "surveys",
        "INSERT",
        None,
        "INSERT INTO monitor_changes (survey_id, shard, changes) VALUES (NEW.id, 0, 0)",
    )
    return triggers


def _triggers() -> list[tuple[str, str, str]]:
    if op.get_bind().dialect.name == "postgresql":
        return _postgres_triggers()
    return _sqlite_triggers()


def upgrade():
    op.create_table(
        "monitor_changes",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("changes", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_monitor_changes_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "shard", name=op.f("pk_monitor_changes")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "INSERT INTO monitor_changes (survey_id, shard, changes) "
            f"SELECT id, generate_series(0, {SHARDS - 1}), 0 FROM surveys"
        )
        op.execute(POSTGRES_FUNCTIONS)
    else:
        op.execute(
            "INSERT INTO monitor_changes (survey_id, shard, changes) SELECT id, 0, 0 FROM surveys"
        )
    for _, _, sql in _triggers():
        op.execute(sql)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, _ in _triggers():
        op.execute(f"DROP TRIGGER {name} ON {table}" if postgres else f"DROP TRIGGER {name}")
    if postgres:
        for name in POSTGRES_FUNCTION_NAMES:
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_table("monitor_changes")
