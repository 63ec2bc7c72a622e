"""Someone who cancelled can register again before the cleanup has deleted the old registration

The unique index on (meeting, lower(email)) covered cancelled registrations and those waiting
for erasure, so a person who cancelled and changed their mind within the cleanup interval was
told they were "already registered", with a link to the cancelled registration. It now covers
active registrations only: there is at most one active registration per email and meeting,
and the cancelled one waits for the purge beside the new one.

A second, partial index holds the registrations that are leaving (cancelled, erasure
requested): few rows, kept briefly. The worker reads it before pushing a person to the
provider, so a new registration is pushed only once the old one is deleted there (Zoom
answers a second registration of the same email with the first one's registrant, which the
purge of the old row would otherwise delete).

A downgrade fails if a meeting holds two registrations with the same email.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 16:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("status = 'active'")
_LEAVING = sa.text("status != 'active'")
_COLUMNS: list[str | sa.TextClause] = ["meeting_id", sa.text("lower(email)")]


def upgrade() -> None:
    op.drop_index("uq_registrant_meeting_email", table_name="registrant")
    op.create_index(
        "uq_registrant_meeting_email",
        "registrant",
        _COLUMNS,
        unique=True,
        postgresql_where=_ACTIVE,
        sqlite_where=_ACTIVE,
    )
    op.create_index(
        "ix_registrant_leaving_email",
        "registrant",
        _COLUMNS,
        unique=False,
        postgresql_where=_LEAVING,
        sqlite_where=_LEAVING,
    )


def downgrade() -> None:
    op.drop_index("ix_registrant_leaving_email", table_name="registrant")
    op.drop_index("uq_registrant_meeting_email", table_name="registrant")
    op.create_index("uq_registrant_meeting_email", "registrant", _COLUMNS, unique=True)
