"""Graph subscriptions belong to a meeting, hold long resources, are found by expiry

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscription", schema=None) as batch_op:
        batch_op.alter_column(
            "resource", existing_type=sa.String(length=300), type_=sa.String(length=2000)
        )
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_webhook_subscription_meeting_id_meeting"),
            "meeting",
            ["meeting_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_subscription_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_subscription_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_subscription_expires_at"))
        batch_op.drop_index(batch_op.f("ix_webhook_subscription_meeting_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_webhook_subscription_meeting_id_meeting"), type_="foreignkey"
        )
        batch_op.drop_column("meeting_id")
        batch_op.alter_column(
            "resource", existing_type=sa.String(length=2000), type_=sa.String(length=300)
        )
