"""The worker reads its push queue in order from an index, instead of sorting it each time

The worker takes waiting registrants one at a time, oldest `next_push_at` first. The index on
(push_state, next_push_at) could not give them in that order for two push states at once, so
PostgreSQL read and sorted every waiting person for each one it took: 12.6 ms a claim with
25,000 waiting (a rush during a provider outage), 5 minutes of database work to push them all.
`next_push_at` is set only while a person waits (a push that succeeds clears it), so an index
on (next_push_at, id) holds the queue in order and a claim reads its first row.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 16:30:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_registrant_push_queue", "registrant", ["next_push_at", "id"], unique=False)
    op.drop_index("ix_registrant_push_due", table_name="registrant")


def downgrade() -> None:
    op.create_index(
        "ix_registrant_push_due", "registrant", ["push_state", "next_push_at"], unique=False
    )
    op.drop_index("ix_registrant_push_queue", table_name="registrant")
