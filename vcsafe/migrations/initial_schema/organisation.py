"""Revision 0001, part one: the organisation, its codes of conduct, its provider accounts,
its people and its audit log."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("age_threshold", sa.Integer(), nullable=False),
        sa.Column("max_registrant_retention_days", sa.Integer(), nullable=False),
        sa.Column("default_code_of_conduct_id", sa.Integer(), nullable=True),
        sa.Column("incident_contact", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    op.create_table(
        "code_of_conduct",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_code_of_conduct_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_of_conduct")),
    )
    with op.batch_alter_table("code_of_conduct", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_code_of_conduct_organisation_id"), ["organisation_id"], unique=False
        )

    # organisation <-> code_of_conduct refer to each other: add this key once both exist.
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_organisation_default_code_of_conduct_id_code_of_conduct"),
            "code_of_conduct",
            ["default_code_of_conduct_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "provider_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("zoom", "teams", name="providerkind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("tenant", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("client_secret_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("webhook_secret_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("host_user", sa.String(length=200), nullable=False),
        sa.Column("api_base_url", sa.String(length=300), nullable=False),
        sa.Column("auth_base_url", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "unchecked", "ok", "failing", name="accountstatus", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_provider_account_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_account")),
        sa.UniqueConstraint(
            "organisation_id", "label", name=op.f("uq_provider_account_organisation_id_label")
        ),
    )
    with op.batch_alter_table("provider_account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_account_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "organiser", name="role", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_user_account_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_account_organisation_id"), ["organisation_id"], unique=False
        )
    op.create_index(
        "uq_user_account_email_lower", "user_account", [sa.text("lower(email)")], unique=True
    )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject_type", sa.String(length=50), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_audit_event_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_audit_event_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_event_org_created", ["organisation_id", "created_at"], unique=False
        )

    op.create_table(
        "code_of_conduct_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_of_conduct_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["code_of_conduct_id"],
            ["code_of_conduct.id"],
            name=op.f("fk_code_of_conduct_version_code_of_conduct_id_code_of_conduct"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_code_of_conduct_version_published_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_of_conduct_version")),
        sa.UniqueConstraint(
            "code_of_conduct_id",
            "number",
            name=op.f("uq_code_of_conduct_version_code_of_conduct_id_number"),
        ),
    )
    with op.batch_alter_table("code_of_conduct_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_code_of_conduct_version_code_of_conduct_id"),
            ["code_of_conduct_id"],
            unique=False,
        )


def drop() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_organisation_default_code_of_conduct_id_code_of_conduct"),
            type_="foreignkey",
        )

    with op.batch_alter_table("code_of_conduct_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_of_conduct_version_code_of_conduct_id"))

    op.drop_table("code_of_conduct_version")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_org_created")

    op.drop_table("audit_event")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_organisation_id"))

    op.drop_table("user_account")
    with op.batch_alter_table("provider_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_account_organisation_id"))

    op.drop_table("provider_account")
    with op.batch_alter_table("code_of_conduct", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_of_conduct_organisation_id"))

    op.drop_table("code_of_conduct")
    op.drop_table("organisation")
