"""Writing a new registration: the registrant, its consent records and its confirmation email.

On PostgreSQL the three inserts are one statement (data-modifying CTEs): one round trip, and
one statement for the database to run instead of three. A registration rush is this statement
and little else, so its cost decides how many people per second a meeting can take. SQLite has
no data-modifying CTEs and no network: there the rows are three plain inserts.

Either way it runs in the caller's transaction, and a person already registered with the same
email makes it raise IntegrityError (the unique index on meeting and lower(email)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ARRAY, Column, Table, TextClause, bindparam, insert, text
from sqlalchemy.orm import Session

from vcsafe.models import ConsentRecord, OutboundEmail, Registrant
from vcsafe.services.tables import table_of

_REGISTRANT = table_of(Registrant)
_CONSENT = table_of(ConsentRecord)
_EMAIL = table_of(OutboundEmail)
_NEW_REGISTRANT = insert(_REGISTRANT).returning(_REGISTRANT.c.id)
_NEW_CONSENTS = insert(_CONSENT)  # executed with one row per decision
_NEW_EMAIL = insert(_EMAIL)

# What a registration's rows are given; the other columns take the models' defaults.
PERSON_FIELDS = frozenset(
    {
        "meeting_id",
        "name",
        "email",
        "age_band",
        "guardian_name",
        "guardian_email",
        "future_contact",
        "refused_recording",
        "accepted_code_sha256",
        "manage_token_hash",
        "manage_token_expires_at",
        "push_state",
        "next_push_at",
        "created_at",
    }
)
CONSENT_FIELDS = ("purpose", "decision", "text_sha256", "text_version", "given_by", "recorded_at")
EMAIL_FIELDS = frozenset(
    {
        "organisation_id",
        "kind",
        "to_address",
        "subject",
        "body_encrypted",
        "next_attempt_at",
        "created_at",
    }
)
_PER_DECISION = CONSENT_FIELDS[:-1]  # one array each; recorded_at is one time for them all


def _defaults(table: Table, given: frozenset[str], *, linked: str = "") -> dict[str, Any]:
    """The models' own defaults for the columns a registration does not give, which the
    hand-written statement has to write itself (an ORM or Core insert would add them)."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key or column.name in given or column.name == linked:
            continue
        if column.default is None:
            continue  # NULL, or the database's default
        if not column.default.is_scalar:
            raise RuntimeError(f"{table.name}.{column.name}: a registration must give it")
        defaults[column.name] = column.default.arg  # type: ignore[attr-defined]
    return defaults


_PERSON_DEFAULTS = _defaults(_REGISTRANT, PERSON_FIELDS)
_EMAIL_DEFAULTS = _defaults(_EMAIL, EMAIL_FIELDS, linked="registrant_id")
_PERSON_COLUMNS = sorted(PERSON_FIELDS | _PERSON_DEFAULTS.keys())
_EMAIL_COLUMNS = sorted(EMAIL_FIELDS | _EMAIL_DEFAULTS.keys())


def _typed(name: str, column: Column[Any]) -> Any:
    return bindparam(name, type_=column.type)


def _all_in_one() -> TextClause:
    """The PostgreSQL statement: the person; one consent record per element of the decision
    arrays; the email; all pointing at the new person's id, which it returns."""
    arrays = ", ".join(f"CAST(:c_{f} AS varchar[])" for f in _PER_DECISION)
    # Built once from the models' table and column names: no input reaches the text.
    sql = f"""
        WITH person AS (
            INSERT INTO {_REGISTRANT.name} ({", ".join(_PERSON_COLUMNS)})
            VALUES ({", ".join(f":p_{c}" for c in _PERSON_COLUMNS)})
            RETURNING id
        ), ledger AS (
            INSERT INTO {_CONSENT.name} (registrant_id, {", ".join(CONSENT_FIELDS)})
            SELECT person.id, decision.*, :c_recorded_at
            FROM person, unnest({arrays}) AS decision
        ), mail AS (
            INSERT INTO {_EMAIL.name} (registrant_id, {", ".join(_EMAIL_COLUMNS)})
            SELECT person.id, {", ".join(f":e_{c}" for c in _EMAIL_COLUMNS)}
            FROM person
        )
        SELECT id FROM person
    """  # noqa: S608
    return text(sql).bindparams(
        *(_typed(f"p_{c}", _REGISTRANT.c[c]) for c in _PERSON_COLUMNS),
        *(bindparam(f"c_{f}", type_=ARRAY(_CONSENT.c[f].type)) for f in _PER_DECISION),
        _typed("c_recorded_at", _CONSENT.c.recorded_at),
        *(_typed(f"e_{c}", _EMAIL.c[c]) for c in _EMAIL_COLUMNS),
    )


_ALL_IN_ONE = _all_in_one()


def store(
    session: Session,
    person: Mapping[str, Any],
    consents: Sequence[Mapping[str, Any]],
    email: Mapping[str, Any],
) -> int:
    """Insert the registrant (`PERSON_FIELDS`), its consent records (`CONSENT_FIELDS`, one
    mapping per decision, all recorded at one time) and its email (`EMAIL_FIELDS`); returns
    the new registrant's id."""
    connection = session.connection()  # plain rows: nothing for the ORM to track
    if connection.dialect.name != "postgresql":
        registrant_id: int = connection.execute(_NEW_REGISTRANT, dict(person)).scalar_one()
        connection.execute(_NEW_CONSENTS, [{**c, "registrant_id": registrant_id} for c in consents])
        connection.execute(_NEW_EMAIL, {**email, "registrant_id": registrant_id})
        return registrant_id
    (recorded_at,) = {c["recorded_at"] for c in consents}
    parameters = {
        **{f"p_{c}": v for c, v in (_PERSON_DEFAULTS | dict(person)).items()},
        **{f"c_{f}": [c[f] for c in consents] for f in _PER_DECISION},
        "c_recorded_at": recorded_at,
        **{f"e_{c}": v for c, v in (_EMAIL_DEFAULTS | dict(email)).items()},
    }
    new_id: int = connection.execute(_ALL_IN_ONE, parameters).scalar_one()
    return new_id
