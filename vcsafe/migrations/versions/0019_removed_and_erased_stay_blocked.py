"""Someone removed from a meeting stays unable to register for it after erasing their data

Before, erasing the data of someone the organiser removed deleted the registration that kept
their email from registering again (migration 0016), so they could erase and register anew.
Their address is now kept as a keyed digest in `registration_block` until the meeting starts
(services/registration_blocks.py). The unique constraint's index leads with the meeting, which
is what the registration page's availability read looks up.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 00:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registration_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("address_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_registration_block_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_block")),
        sa.UniqueConstraint(
            "meeting_id",
            "address_digest",
            name=op.f("uq_registration_block_meeting_id_address_digest"),
        ),
    )


def downgrade() -> None:
    op.drop_table("registration_block")
