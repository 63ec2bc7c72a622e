"""Revision 0001, part two: meetings and what hangs off them: deletion receipts, incidents,
recordings."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("provider_account_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum("adults", "children", name="audience", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column(
            "recording_policy",
            sa.Enum(
                "none", "consent", "required", name="recordingpolicy", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("code_of_conduct_version_id", sa.Integer(), nullable=True),
        sa.Column("registrant_retention_days", sa.Integer(), nullable=False),
        sa.Column("recording_retention_days", sa.Integer(), nullable=False),
        sa.Column("offer_future_contact", sa.Boolean(), nullable=False),
        sa.Column("public_slug", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "scheduled",
                "ended",
                "cancelled",
                "purged",
                name="meetingstate",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("safety_settings", sa.JSON(), nullable=False),
        sa.Column("provider_meeting_id", sa.String(length=200), nullable=True),
        sa.Column("provider_meeting_uuid", sa.String(length=200), nullable=True),
        sa.Column("join_url", sa.Text(), nullable=False),
        sa.Column("host_url_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("passcode_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("provider_error", sa.Text(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registrants_purge_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("legal_hold", sa.Boolean(), nullable=False),
        sa.Column("legal_hold_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_of_conduct_version_id"],
            ["code_of_conduct_version.id"],
            name=op.f("fk_meeting_code_of_conduct_version_id_code_of_conduct_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_meeting_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_meeting_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_account_id"],
            ["provider_account.id"],
            name=op.f("fk_meeting_provider_account_id_provider_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint("public_slug", name=op.f("uq_meeting_public_slug")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(
            "ix_meeting_org_starts", ["organisation_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            "ix_meeting_provider_ref", ["provider_account_id", "provider_meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_registrants_purge_due_at"),
            ["registrants_purge_due_at"],
            unique=False,
        )

    op.create_table(
        "deletion_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("meeting_title", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("registrants_deleted", sa.Integer(), nullable=False),
        sa.Column("recordings_deleted", sa.Integer(), nullable=False),
        sa.Column("contacts_kept", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_deletion_receipt_meeting_id_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_deletion_receipt_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_receipt")),
    )
    with op.batch_alter_table("deletion_receipt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deletion_receipt_org_created", ["organisation_id", "created_at"], unique=False
        )

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("disruption", "breach", name="incidentkind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("actions_taken", sa.Text(), nullable=False),
        sa.Column("affected_count", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "reported",
                "not_reportable",
                "closed",
                name="incidentstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_incident_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_incident_meeting_id_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_incident_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index("ix_incident_org_status", ["organisation_id", "status"], unique=False)

    op.create_table(
        "recording",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("provider_recording_id", sa.String(length=300), nullable=False),
        sa.Column("provider_refs", sa.JSON(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purge_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "available",
                "failing",
                "deleted",
                name="recordingstate",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_recording_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording")),
        sa.UniqueConstraint(
            "meeting_id",
            "provider_recording_id",
            name=op.f("uq_recording_meeting_id_provider_recording_id"),
        ),
    )
    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.create_index("ix_recording_due", ["state", "purge_due_at"], unique=False)


def drop() -> None:
    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.drop_index("ix_recording_due")

    op.drop_table("recording")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_org_status")
        batch_op.drop_index(batch_op.f("ix_incident_meeting_id"))

    op.drop_table("incident")
    with op.batch_alter_table("deletion_receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_deletion_receipt_org_created")

    op.drop_table("deletion_receipt")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_registrants_purge_due_at"))
        batch_op.drop_index("ix_meeting_provider_ref")
        batch_op.drop_index("ix_meeting_org_starts")

    op.drop_table("meeting")
