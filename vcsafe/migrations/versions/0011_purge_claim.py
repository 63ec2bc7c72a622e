"""The purge records each batch it holds as one claim row, not as a mark on every person

Before, a claim updated each registrant of the batch (lease and "reached" time) before the
provider was called: the costliest statement of the purge after the deletion itself. A claim
is now one small row listing the batch's ids, with its lease; `purge_started_at` and
`next_purge_at` on the registrant remain for the rare cases (a worker died, a provider error).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 15:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "purge_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registrant_ids", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purge_claim")),
    )
    op.create_index(op.f("ix_purge_claim_until"), "purge_claim", ["until"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_purge_claim_until"), table_name="purge_claim")
    op.drop_table("purge_claim")
