"""Schema migrations with Alembic, driven from code (vcsafe db upgrade)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str, secret_key: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    # For migrations that convert data encrypted at rest (0013: queued emails' bodies).
    config.attributes["secret_key"] = secret_key
    return config


def upgrade(database_url: str, revision: str = "head", *, secret_key: str | None = None) -> None:
    """Bring the schema up to `revision` (the newest by default). `secret_key` is needed only
    where a migration has data to encrypt (it says so if it is missing)."""
    command.upgrade(alembic_config(database_url, secret_key), revision)


def downgrade(database_url: str, revision: str, *, secret_key: str | None = None) -> None:
    """Take the schema back to `revision`."""
    command.downgrade(alembic_config(database_url, secret_key), revision)


def current(database_url: str) -> None:
    command.current(alembic_config(database_url), verbose=False)
