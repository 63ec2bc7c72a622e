"""How a cancelled meeting was cancelled, found without reading the organisation's audit log

A cancelled meeting's page now says who cancelled it (an organiser here, or someone in Zoom's
own app, reported by webhook), when, and how many registrants were emailed. That is the newest
`meeting.cancelled` or `meeting.deleted_at_provider` audit event of the meeting. A partial index
holds only those events, so the lookup reads one or two rows, and the many other audit events
(every look at a registrant list is one) cost nothing more to write.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 21:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in vcsafe/models/audit.py, written out: a migration keeps the text it was written with.
_WHERE = "action IN ('meeting.cancelled', 'meeting.deleted_at_provider')"


def upgrade() -> None:
    op.create_index(
        "ix_audit_event_meeting_cancelled",
        "audit_event",
        ["subject_id"],
        postgresql_where=sa.text(_WHERE),
        sqlite_where=sa.text(_WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_audit_event_meeting_cancelled", table_name="audit_event")
