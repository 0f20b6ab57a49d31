"""Panel members with profile, consent and contact data apart; recruitment codes; margins.

Revision ID: 5d746e5e663d
Revises: 608cb6c859e8
Create Date: 2026-11-28 12:27:44.252761
"""

import sqlalchemy as sa
from alembic import op

revision = "5d746e5e663d"
down_revision = "608cb6c859e8"
branch_labels = None
depends_on = None


def _value_enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table(
        "respondents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_respondents")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_respondents_pseudonym")),
    )
    op.create_table(
        "margin_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), server_default="", nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["accounts.id"],
            name=op.f("fk_margin_imports_imported_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_margin_imports")),
    )
    with op.batch_alter_table("margin_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_margin_imports_reference_date"), ["reference_date"], unique=False
        )

    op.create_table(
        "privacy_statements",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("body_nl", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), server_default="", nullable=False),
        sa.Column("changes_nl", sa.Text(), server_default="", nullable=False),
        sa.Column("changes_en", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["accounts.id"],
            name=op.f("fk_privacy_statements_published_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_privacy_statements")),
    )
    op.create_table(
        "recruitment_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("letters_job_id", sa.String(length=36), nullable=True),
        sa.Column("letters_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("letters_ready_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("size > 0", name=op.f("ck_recruitment_batches_size_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["accounts.id"],
            name=op.f("fk_recruitment_batches_created_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["letters_job_id"],
            ["jobs.id"],
            name=op.f("fk_recruitment_batches_letters_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_recruitment_batches_village_id_villages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recruitment_batches")),
    )
    op.create_table(
        "margin_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column(
            "age_band",
            _value_enum("age_band", "18-34", "35-49", "50-64", "65-74", "75+"),
            nullable=False,
        ),
        sa.Column("sex", _value_enum("sex", "female", "male", "other"), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "sex IN ('female', 'male')", name=op.f("ck_margin_cells_registered_sex")
        ),
        sa.CheckConstraint("count >= 0", name=op.f("ck_margin_cells_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["margin_imports.id"],
            name=op.f("fk_margin_cells_import_id_margin_imports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_margin_cells_village_id_villages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_margin_cells")),
        sa.UniqueConstraint(
            "import_id", "village_id", "age_band", "sex", name="uq_margin_cells_cell"
        ),
    )
    op.create_table(
        "panel_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column(
            "age_band",
            _value_enum("age_band", "18-34", "35-49", "50-64", "65-74", "75+"),
            nullable=True,
        ),
        sa.Column("sex", _value_enum("sex", "female", "male", "other"), nullable=False),
        sa.Column(
            "household",
            _value_enum(
                "household", "single", "couple", "couple_with_children", "single_parent", "other"
            ),
            nullable=False,
        ),
        sa.Column("association_member", sa.Boolean(), nullable=True),
        sa.Column("channel", _value_enum("channel", "web", "paper"), nullable=False),
        sa.Column("status", _value_enum("member_status", "active", "left"), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("left_at", sa.DateTime(), nullable=True),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("recruitment_batch_id", sa.Integer(), nullable=True),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(channel = 'web') = (account_id IS NOT NULL) OR status = 'left'",
            name=op.f("ck_panel_members_web_members_have_an_account"),
        ),
        sa.CheckConstraint(
            "(status = 'left') = (left_at IS NOT NULL)", name=op.f("ck_panel_members_left_has_date")
        ),
        sa.CheckConstraint(
            "birth_year IS NOT NULL OR age_band IS NOT NULL",
            name=op.f("ck_panel_members_birth_year_or_age_band"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_panel_members_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recruitment_batch_id"],
            ["recruitment_batches.id"],
            name=op.f("fk_panel_members_recruitment_batch_id_recruitment_batches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["accounts.id"],
            name=op.f("fk_panel_members_registered_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondents.id"],
            name=op.f("fk_panel_members_respondent_id_respondents"),
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_panel_members_village_id_villages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_members")),
        sa.UniqueConstraint("account_id", name=op.f("uq_panel_members_account_id")),
        sa.UniqueConstraint("respondent_id", name=op.f("uq_panel_members_respondent_id")),
    )
    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_panel_members_village_status", ["village_id", "status"], unique=False
        )

    op.create_table(
        "recruitment_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["recruitment_batches.id"],
            name=op.f("fk_recruitment_codes_batch_id_recruitment_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recruitment_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recruitment_codes_code_hash")),
    )
    with op.batch_alter_table("recruitment_codes", schema=None) as batch_op:
        batch_op.create_index("ix_recruitment_codes_batch_id", ["batch_id"], unique=False)

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", _value_enum("consent_kind", "privacy", "association_contact"), nullable=False
        ),
        sa.Column("statement_version", sa.Integer(), nullable=True),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'privacy') = (statement_version IS NOT NULL)",
            name=op.f("ck_consents_privacy_has_version"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["panel_members.id"],
            name=op.f("fk_consents_member_id_panel_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_version"],
            ["privacy_statements.version"],
            name=op.f("fk_consents_statement_version_privacy_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index("ix_consents_member_id", ["member_id"], unique=False)

    op.create_table(
        "member_contacts",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), server_default="", nullable=False),
        sa.Column("address", sa.String(length=200), server_default="", nullable=False),
        sa.Column("postcode", sa.String(length=7), server_default="", nullable=False),
        sa.Column("town", sa.String(length=80), server_default="", nullable=False),
        sa.Column("phone", sa.String(length=20), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["panel_members.id"],
            name=op.f("fk_member_contacts_member_id_panel_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_contacts")),
    )
    op.create_table(
        "pending_sign_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=5), server_default="nl", nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("statement_version", sa.Integer(), nullable=False),
        sa.Column("association_contact", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("recruitment_code_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recruitment_code_id"],
            ["recruitment_codes.id"],
            name=op.f("fk_pending_sign_ups_recruitment_code_id_recruitment_codes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["statement_version"],
            ["privacy_statements.version"],
            name=op.f("fk_pending_sign_ups_statement_version_privacy_statements"),
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["villages.id"],
            name=op.f("fk_pending_sign_ups_village_id_villages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_sign_ups")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pending_sign_ups_token_hash")),
    )
    with op.batch_alter_table("pending_sign_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_sign_ups_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pending_sign_ups_expires_at"), ["expires_at"], unique=False
        )

    with op.batch_alter_table("villages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("open_sign_up", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("recruitment_target", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_villages_target_positive"),
            "recruitment_target IS NULL OR recruitment_target > 0",
        )


def downgrade():
    with op.batch_alter_table("villages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_villages_target_positive"), type_="check")
        batch_op.drop_column("recruitment_target")
        batch_op.drop_column("open_sign_up")

    with op.batch_alter_table("pending_sign_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_sign_ups_expires_at"))
        batch_op.drop_index(batch_op.f("ix_pending_sign_ups_email"))

    op.drop_table("pending_sign_ups")
    op.drop_table("member_contacts")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("ix_consents_member_id")

    op.drop_table("consents")
    with op.batch_alter_table("recruitment_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_recruitment_codes_batch_id")

    op.drop_table("recruitment_codes")
    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.drop_index("ix_panel_members_village_status")

    op.drop_table("panel_members")
    op.drop_table("margin_cells")
    op.drop_table("recruitment_batches")
    op.drop_table("privacy_statements")
    with op.batch_alter_table("margin_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_margin_imports_reference_date"))

    op.drop_table("margin_imports")
    op.drop_table("respondents")
