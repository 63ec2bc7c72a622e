"""Registrants of a meeting, newest first, read from an index instead of sorted each time

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:30:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("registrant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registrant_meeting_created", ["meeting_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("registrant", schema=None) as batch_op:
        batch_op.drop_index("ix_registrant_meeting_created")
