"""initial schema: the whole domain model

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:33:33.279434

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
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


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_organisation_default_code_of_conduct_id_code_of_conduct"),
            type_="foreignkey",
        )
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_record_registrant_id"))

    op.drop_table("consent_record")
    with op.batch_alter_table("registrant", schema=None) as batch_op:
        batch_op.drop_index("ix_registrant_push_due")
        batch_op.drop_index(batch_op.f("ix_registrant_purge_due_at"))
        batch_op.drop_index(batch_op.f("ix_registrant_meeting_id"))

    op.drop_table("registrant")
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
