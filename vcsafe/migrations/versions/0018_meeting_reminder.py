"""Registrants are reminded of a meeting the day before

The worker emails each person registered for a meeting (a child's guardian) about a day before
it starts, with their joining link and the code of conduct (services/reminders.py). The meeting
keeps when that was done and to how many people, so it is done once and the organiser's page
can say so.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("meeting", sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "meeting", sa.Column("reminded_count", sa.Integer(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    # In place, on SQLite too (3.35 and later), as in 0013.
    op.drop_column("meeting", "reminded_count")
    op.drop_column("meeting", "reminded_at")
