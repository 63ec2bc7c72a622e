"""purge bookkeeping, contacts, webhook deliveries and subscriptions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 02:58:42.735904

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("consent_sha256", sa.String(length=64), nullable=False),
        sa.Column("consent_version", sa.String(length=100), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdraw_token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_contact_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("withdraw_token_hash", name=op.f("uq_contact_withdraw_token_hash")),
    )
    op.create_index(
        "uq_contact_org_email", "contact", ["organisation_id", sa.text("lower(email)")], unique=True
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_account_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_account_id"],
            ["provider_account.id"],
            name=op.f("fk_webhook_delivery_provider_account_id_provider_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
        sa.UniqueConstraint("event_id", name=op.f("uq_webhook_delivery_event_id")),
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_delivery_provider_account_id"),
            ["provider_account_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_delivery_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_account_id", sa.Integer(), nullable=False),
        sa.Column("resource", sa.String(length=300), nullable=False),
        sa.Column("subscription_id", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_account_id"],
            ["provider_account.id"],
            name=op.f("fk_webhook_subscription_provider_account_id_provider_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )
    with op.batch_alter_table("webhook_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_subscription_provider_account_id"),
            ["provider_account_id"],
            unique=False,
        )

    with op.batch_alter_table("deletion_receipt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("run_id", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.create_index("ix_deletion_receipt_run", ["meeting_id", "run_id"], unique=False)

    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purge_started_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("registrant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purge_started_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("purge_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("next_purge_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("purge_error", sa.String(length=300), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("registrant", schema=None) as batch_op:
        batch_op.drop_column("purge_error")
        batch_op.drop_column("next_purge_at")
        batch_op.drop_column("purge_attempts")
        batch_op.drop_column("purge_started_at")

    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.drop_column("purge_started_at")

    with op.batch_alter_table("deletion_receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_deletion_receipt_run")
        batch_op.drop_column("run_id")

    with op.batch_alter_table("webhook_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_subscription_provider_account_id"))

    op.drop_table("webhook_subscription")
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_delivery_received_at"))
        batch_op.drop_index(batch_op.f("ix_webhook_delivery_provider_account_id"))

    op.drop_table("webhook_delivery")
    op.drop_index("uq_contact_org_email", table_name="contact")
    op.drop_table("contact")
