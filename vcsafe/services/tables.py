"""The tables behind the models, for the few hot paths written as plain Core statements
(a public registration is a handful of new rows: no unit of work needed to write them)."""

from __future__ import annotations

from sqlalchemy import Table

from vcsafe.models import Base


def table_of(model: type[Base]) -> Table:
    """The table a model is mapped to (typed as a `Table`, unlike `Model.__table__`)."""
    return Base.metadata.tables[model.__tablename__]
