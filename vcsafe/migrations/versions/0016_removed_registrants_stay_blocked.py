"""A registrant the organiser removed cannot register again for the same meeting

Organisers can now remove someone from a meeting (services/removal.py): their personal join
link is deleted at the provider and their registration is marked `removed`. The unique index on
(meeting, lower(email)) now covers removed registrations as well as active ones, so registering
that email again for the meeting meets the index, as a second registration does, and costs a
registration nothing extra. The removed row is purged with the meeting's other registrants.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 18:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS: list[str | sa.TextClause] = ["meeting_id", sa.text("lower(email)")]


def _unique_where(condition: str) -> None:
    op.drop_index("uq_registrant_meeting_email", table_name="registrant")
    op.create_index(
        "uq_registrant_meeting_email",
        "registrant",
        _COLUMNS,
        unique=True,
        postgresql_where=sa.text(condition),
        sqlite_where=sa.text(condition),
    )


def upgrade() -> None:
    _unique_where("status IN ('active', 'removed')")


def downgrade() -> None:
    # A removed registration becomes an ordinary one on its way out.
    op.execute("UPDATE registrant SET status = 'cancelled' WHERE status = 'removed'")
    _unique_where("status = 'active'")
