"""initial schema: the whole domain model

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:33:33.279434

"""

from collections.abc import Sequence

from vcsafe.migrations.initial_schema import meetings, organisation, registrants

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema: the tables of each topic, in the order their keys need."""
    organisation.create()
    meetings.create()
    registrants.create()


def downgrade() -> None:
    """Downgrade schema."""
    registrants.drop()
    meetings.drop()
    organisation.drop()
