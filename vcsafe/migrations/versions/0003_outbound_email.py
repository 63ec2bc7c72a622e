"""outbound_email: emails waiting to be sent

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbound_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("registrant_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_outbound_email_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registrant_id"],
            ["registrant.id"],
            name=op.f("fk_outbound_email_registrant_id_registrant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_email")),
    )
    op.create_index("ix_outbound_email_due", "outbound_email", ["sent_at", "next_attempt_at"])
    op.create_index(op.f("ix_outbound_email_registrant_id"), "outbound_email", ["registrant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbound_email_registrant_id"), table_name="outbound_email")
    op.drop_index("ix_outbound_email_due", table_name="outbound_email")
    op.drop_table("outbound_email")
