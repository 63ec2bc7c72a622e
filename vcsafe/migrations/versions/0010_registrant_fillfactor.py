"""Leave room on registrant pages, so updating a row rarely has to touch its indexes

A registrant row is written several times in its life (pushed to the provider, join link,
consent changes, claimed by the purge). With full pages PostgreSQL writes each new version
elsewhere and adds an entry to every index on the table (six of them, one computing
lower(email)); with free room on the page the update stays on it ("HOT"), and no index is
touched. Measured on a purge claim of 500 rows: 14.6 ms at fillfactor 100, 4.8 ms at 80.
New pages follow the setting; existing ones as they are rewritten. SQLite has no such setting.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 13:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE registrant SET (fillfactor = 80)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE registrant RESET (fillfactor)")
