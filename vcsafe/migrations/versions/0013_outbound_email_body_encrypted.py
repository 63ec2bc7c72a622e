"""Queued emails keep their body encrypted at rest

A queued email's body carries a private manage or withdraw link (whose token the database
otherwise keeps only as a hash) or a personal join link, until the worker sends it: minutes
normally, hours while the mail server is down. It is now encrypted with the secret key, like
the providers' secrets, in `body_encrypted`; `body` goes.

Emails still waiting are encrypted here, which needs the secret key: `vcsafe db upgrade` and
the app's automatic upgrade pass it (vcsafe.migrate). Without it, and with emails waiting,
the upgrade stops and says so, rather than lose them. A downgrade decrypts them again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 20:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from vcsafe.crypto import SecretsBox

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_email = sa.table(
    "outbound_email",
    sa.column("id", sa.Integer),
    sa.column("body", sa.Text),
    sa.column("body_encrypted", sa.LargeBinary),
)


def _box(waiting: int) -> SecretsBox:
    secret_key = context.config.attributes.get("secret_key")
    if not secret_key:
        raise RuntimeError(
            f"{waiting} queued emails need the secret key to be converted: "
            "run `vcsafe db upgrade` (vcsafe.migrate passes the key to the migrations)"
        )
    return SecretsBox(secret_key)


def upgrade() -> None:
    bind = op.get_bind()
    waiting = bind.execute(sa.select(_email.c.id, _email.c.body).where(_email.c.body != "")).all()
    # Asked for before any change: SQLite does not undo an ALTER TABLE when a migration fails.
    box = _box(len(waiting)) if waiting else None
    op.add_column("outbound_email", sa.Column("body_encrypted", sa.LargeBinary(), nullable=True))
    if box is not None:
        for email_id, body in waiting:
            bind.execute(
                _email.update()
                .where(_email.c.id == email_id)
                .values(body_encrypted=box.encrypt(body))
            )
    op.drop_column("outbound_email", "body")  # SQLite 3.35 and later drop columns in place


def downgrade() -> None:
    bind = op.get_bind()
    waiting = bind.execute(
        sa.select(_email.c.id, _email.c.body_encrypted).where(_email.c.body_encrypted.is_not(None))
    ).all()
    box = _box(len(waiting)) if waiting else None
    # Sent emails come back with an empty body, as the outbox left them.
    op.add_column("outbound_email", sa.Column("body", sa.Text(), nullable=False, server_default=""))
    if box is not None:
        for email_id, sealed in waiting:
            bind.execute(
                _email.update().where(_email.c.id == email_id).values(body=box.decrypt(sealed))
            )
    op.drop_column("outbound_email", "body_encrypted")
