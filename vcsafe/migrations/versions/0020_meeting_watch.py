"""The worker watches upcoming meetings at their provider

Settings changed, or the meeting deleted, in Zoom's or Teams' own app were noticed only when an
organiser opened the meeting's page (or, for a Zoom deletion, by webhook). The worker now reads
each upcoming meeting back every hour (services/provider_watch.py) and emails its organisers
what changed. The meeting keeps when it was last read, and when its absence was reported, so
that is said once.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 01:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("meeting", sa.Column("watched_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "meeting", sa.Column("missing_reported_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # In place, on SQLite too (3.35 and later), as in 0013.
    op.drop_column("meeting", "missing_reported_at")
    op.drop_column("meeting", "watched_at")
