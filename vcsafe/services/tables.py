"""The tables behind the models, for the few hot paths written as plain Core statements
(a public registration is a handful of new rows: no unit of work needed to write them), and
id lists for statements that handle a batch of rows."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ARRAY, ColumnElement, Integer, Table, any_, literal
from sqlalchemy.orm import InstrumentedAttribute, Session

from vcsafe.models import Base


def table_of(model: type[Base]) -> Table:
    """The table a model is mapped to (typed as a `Table`, unlike `Model.__table__`)."""
    return Base.metadata.tables[model.__tablename__]


def among(
    session: Session, column: InstrumentedAttribute[int], ids: Collection[int]
) -> ColumnElement[bool]:
    """`column IN (ids)`. On PostgreSQL written `column = ANY(:ids)`: one array parameter
    instead of one placeholder per id, so a batch of hundreds costs no statement building."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(ids), ARRAY(Integer)))
    return column.in_(ids)
