"""Revision 0001, part three: registrants and their consent records."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create() -> None:
    op.create_table(
        "registrant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "age_band",
            sa.Enum("adult", "child", name="ageband", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("guardian_name", sa.String(length=200), nullable=False),
        sa.Column("guardian_email", sa.String(length=320), nullable=False),
        sa.Column("future_contact", sa.Boolean(), nullable=False),
        sa.Column("provider_registrant_id", sa.String(length=200), nullable=True),
        sa.Column("join_url", sa.Text(), nullable=False),
        sa.Column("manage_token_hash", sa.String(length=64), nullable=True),
        sa.Column("manage_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "cancelled",
                "erasure_requested",
                name="registrantstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "push_state",
            sa.Enum(
                "pending",
                "pushed",
                "failing",
                "not_needed",
                name="pushstate",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("push_attempts", sa.Integer(), nullable=False),
        sa.Column("next_push_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purge_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_registrant_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrant")),
        sa.UniqueConstraint("manage_token_hash", name=op.f("uq_registrant_manage_token_hash")),
    )
    with op.batch_alter_table("registrant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registrant_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registrant_purge_due_at"), ["purge_due_at"], unique=False
        )
        batch_op.create_index(
            "ix_registrant_push_due", ["push_state", "next_push_at"], unique=False
        )
    op.create_index(
        "uq_registrant_meeting_email",
        "registrant",
        ["meeting_id", sa.text("lower(email)")],
        unique=True,
    )

    op.create_table(
        "consent_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registrant_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "code_of_conduct",
                "recording",
                "privacy_notice",
                "future_contact",
                "guardian",
                name="consentpurpose",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "decision",
            sa.Enum(
                "granted",
                "refused",
                "withdrawn",
                name="consentdecision",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("text_version", sa.String(length=100), nullable=False),
        sa.Column("given_by", sa.String(length=20), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registrant_id"],
            ["registrant.id"],
            name=op.f("fk_consent_record_registrant_id_registrant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_record")),
    )
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_record_registrant_id"), ["registrant_id"], unique=False
        )


def drop() -> None:
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_record_registrant_id"))

    op.drop_table("consent_record")
    with op.batch_alter_table("registrant", schema=None) as batch_op:
        batch_op.drop_index("ix_registrant_push_due")
        batch_op.drop_index(batch_op.f("ix_registrant_purge_due_at"))
        batch_op.drop_index(batch_op.f("ix_registrant_meeting_id"))

    op.drop_table("registrant")
