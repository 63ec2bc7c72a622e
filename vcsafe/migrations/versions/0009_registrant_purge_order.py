"""The purge takes due registrants meeting by meeting, read from one index

Ordered by due time alone, a batch of 500 people who fell due together could span hundreds
of meetings, each with its own receipt to update; (purge_due_at, meeting_id) keeps a meeting's
people together and still serves every query the old index on purge_due_at served.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 11:10:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_registrant_purge_order", "registrant", ["purge_due_at", "meeting_id"], unique=False
    )
    op.drop_index("ix_registrant_purge_due_at", table_name="registrant")


def downgrade() -> None:
    op.create_index("ix_registrant_purge_due_at", "registrant", ["purge_due_at"], unique=False)
    op.drop_index("ix_registrant_purge_order", table_name="registrant")
