"""Queued emails' bodies and personal join links are encrypted at rest

A queued email's body carries a private manage or withdraw link (whose token the database
otherwise keeps only as a hash) or a personal join link, until the worker sends it: minutes
normally, hours while the mail server is down. A registrant's personal join link lets its
holder into the meeting as that person. Both are now encrypted with the secret key, like the
providers' secrets and the hosts' start links: `outbound_email.body` becomes
`body_encrypted`, `registrant.join_url` becomes `join_url_encrypted` (NULL where empty).

Existing values are converted here, which needs the secret key: `vcsafe db upgrade` and the
app's automatic upgrade pass it (vcsafe.migrate). Without it, where there is something to
convert, the migration stops before changing anything. A downgrade decrypts them again.

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

# (table, plain column, encrypted column)
_CONVERTED = (
    ("outbound_email", "body", "body_encrypted"),
    ("registrant", "join_url", "join_url_encrypted"),
)


def _table(name: str, plain: str, sealed: str) -> sa.TableClause:
    return sa.table(
        name,
        sa.column("id", sa.Integer),
        sa.column(plain, sa.Text),
        sa.column(sealed, sa.LargeBinary),
    )


def _box(count: int) -> SecretsBox:
    secret_key = context.config.attributes.get("secret_key")
    if not secret_key:
        raise RuntimeError(
            f"{count} stored links need the secret key to be converted: "
            "run `vcsafe db upgrade` (vcsafe.migrate passes the key to the migrations)"
        )
    return SecretsBox(secret_key)


def upgrade() -> None:
    bind = op.get_bind()
    found = {}
    for name, plain, sealed in _CONVERTED:
        t = _table(name, plain, sealed)
        found[name] = bind.execute(sa.select(t.c.id, t.c[plain]).where(t.c[plain] != "")).all()
    # Asked for before any change: SQLite does not undo an ALTER TABLE when a migration fails.
    count = sum(len(rows) for rows in found.values())
    box = _box(count) if count else None
    for name, plain, sealed in _CONVERTED:
        op.add_column(name, sa.Column(sealed, sa.LargeBinary(), nullable=True))
        t = _table(name, plain, sealed)
        for row_id, value in found[name]:
            assert box is not None
            bind.execute(t.update().where(t.c.id == row_id).values({sealed: box.encrypt(value)}))
        op.drop_column(name, plain)  # SQLite 3.35 and later drop columns in place


def downgrade() -> None:
    bind = op.get_bind()
    found = {}
    for name, plain, sealed in _CONVERTED:
        t = _table(name, plain, sealed)
        found[name] = bind.execute(
            sa.select(t.c.id, t.c[sealed]).where(t.c[sealed].is_not(None))
        ).all()
    count = sum(len(rows) for rows in found.values())
    box = _box(count) if count else None
    for name, plain, sealed in _CONVERTED:
        # Empty where there was nothing: sent emails, registrants not yet pushed.
        op.add_column(name, sa.Column(plain, sa.Text(), nullable=False, server_default=""))
        t = _table(name, plain, sealed)
        for row_id, value in found[name]:
            assert box is not None
            bind.execute(t.update().where(t.c.id == row_id).values({plain: box.decrypt(value)}))
        op.drop_column(name, sealed)
