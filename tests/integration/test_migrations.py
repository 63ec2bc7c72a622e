"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from vcsafe.db import db
from vcsafe.models import Base


def test_migrated_schema_matches_the_models(app: Flask) -> None:
    with db.factory(app).kw["bind"].connect() as connection, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # expression indexes cannot be compared on SQLite
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
