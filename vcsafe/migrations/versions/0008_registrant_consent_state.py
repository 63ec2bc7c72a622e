"""Each registrant's latest recording decision and accepted code-of-conduct text, on the row

The meeting page counts who refused recording and who has yet to accept the pinned code of
conduct. Reading the latest decision from the ledger for each of 20,000 registrants took most
of the page's time; the registrant row now carries both, written with each ledger record. The
ledger stays the proof: existing rows are filled in from it here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 11:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Filled in from the ledger: the latest recording decision, the latest code text accepted.
BACKFILL = """
UPDATE registrant SET
  refused_recording = CASE WHEN (
      SELECT c.decision FROM consent_record c
      WHERE c.registrant_id = registrant.id AND c.purpose = 'recording'
      ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1
    ) IN ('refused', 'withdrawn') THEN true ELSE false END,
  accepted_code_sha256 = COALESCE((
      SELECT c.text_sha256 FROM consent_record c
      WHERE c.registrant_id = registrant.id AND c.purpose = 'code_of_conduct'
        AND c.decision = 'granted'
      ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1
    ), '')
"""


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): SQLite would lose the expression index on a copy.
    op.add_column(
        "registrant",
        sa.Column("refused_recording", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "registrant",
        sa.Column("accepted_code_sha256", sa.String(64), nullable=False, server_default=""),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_column("registrant", "accepted_code_sha256")
    op.drop_column("registrant", "refused_recording")
