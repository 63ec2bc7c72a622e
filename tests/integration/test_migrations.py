"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import text

from vcsafe.db import db, make_engine
from vcsafe.migrate import upgrade
from vcsafe.models import Base

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_migrated_schema_matches_the_models(app: Flask) -> None:
    with db.factory(app).kw["bind"].connect() as connection, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # expression indexes cannot be compared on SQLite
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrading_fills_each_registrants_consent_state_from_the_ledger(tmp_path: Path) -> None:
    """Migration 0008: who refused or withdrew recording, and which code text each person
    last accepted, are read from the existing ledger."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0007")
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO organisation (id, name, age_threshold, max_registrant_retention_days,"
                " incident_contact, created_at) VALUES (1, 'Org', 13, 30, '', :now)"
            ),
            {"now": NOW},
        )
        c.execute(
            text(
                "INSERT INTO meeting (id, organisation_id, title, starts_at, duration_minutes,"
                " timezone, capacity, audience, recording_policy, registrant_retention_days,"
                " recording_retention_days, offer_future_contact, public_slug, state,"
                " safety_settings, join_url, provider_error, drift, legal_hold, legal_hold_reason,"
                " created_at, updated_at)"
                " VALUES (1, 1, 'Talk', :now, 60, 'UTC', 10, 'adults', 'consent', 0, 30, false,"
                " 'slug', 'scheduled', '{}', '', '', '[]', false, '', :now, :now)"
            ),
            {"now": NOW},
        )
        for rid in (1, 2, 3):
            c.execute(
                text(
                    "INSERT INTO registrant (id, meeting_id, name, email, age_band,"
                    " guardian_name, guardian_email, future_contact, join_url, status,"
                    " push_state, push_attempts, purge_attempts, purge_error, created_at)"
                    " VALUES (:id, 1, 'P', :email, 'adult', '', '', false, '', 'active',"
                    " 'pushed', 0, 0, '', :now)"
                ),
                {"id": rid, "email": f"p{rid}@example.org", "now": NOW},
            )
        ledger = [
            (1, "recording", "granted", "r", 0),
            (1, "code_of_conduct", "granted", "a" * 64, 0),
            (1, "code_of_conduct", "granted", "b" * 64, 1),  # accepted the new version
            (2, "recording", "granted", "r", 0),
            (2, "recording", "withdrawn", "r", 1),
            (2, "code_of_conduct", "granted", "a" * 64, 0),
            (3, "recording", "refused", "r", 0),
        ]
        for rid, purpose, decision, sha, minutes in ledger:
            c.execute(
                text(
                    "INSERT INTO consent_record (registrant_id, purpose, decision, text_sha256,"
                    " text_version, given_by, recorded_at)"
                    " VALUES (:rid, :purpose, :decision, :sha, 'v', 'registrant', :at)"
                ),
                {
                    "rid": rid,
                    "purpose": purpose,
                    "decision": decision,
                    "sha": sha,
                    "at": NOW + timedelta(minutes=minutes),
                },
            )
    upgrade(url)
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT id, refused_recording, accepted_code_sha256 FROM registrant ORDER BY id")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, False, "b" * 64), (2, True, "a" * 64), (3, True, "")]
