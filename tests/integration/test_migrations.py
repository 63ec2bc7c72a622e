"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import Connection, text

from tests.factories import BOX, TEST_SECRET_KEY
from vcsafe.db import db, make_engine
from vcsafe.migrate import downgrade, upgrade
from vcsafe.models import Base

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_migrated_schema_matches_the_models(app: Flask) -> None:
    with db.factory(app).kw["bind"].connect() as connection, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # expression indexes cannot be compared on SQLite
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def _organisation_and_meeting(c: Connection) -> None:
    """Organisation 1 and its meeting 1, in the columns every revision since 0007 has."""
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


def test_upgrading_fills_each_registrants_consent_state_from_the_ledger(tmp_path: Path) -> None:
    """Migration 0008: who refused or withdrew recording, and which code text each person
    last accepted, are read from the existing ledger."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0007")
    engine = make_engine(url)
    with engine.begin() as c:
        _organisation_and_meeting(c)
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


def _old_world_with_emails(url: str) -> None:
    """A database at 0012 with one email waiting to be sent and one sent, and two registrants:
    one with a personal join link, one not pushed yet."""
    upgrade(url, "0012")
    engine = make_engine(url)
    with engine.begin() as c:
        _organisation_and_meeting(c)
        for rid, join_url in ((1, "https://zoom.example/w/1?tk=secret"), (2, "")):
            c.execute(
                text(
                    "INSERT INTO registrant (id, meeting_id, name, email, age_band,"
                    " guardian_name, guardian_email, future_contact, join_url, status,"
                    " push_state, push_attempts, purge_attempts, purge_error, refused_recording,"
                    " accepted_code_sha256, created_at)"
                    " VALUES (:id, 1, 'P', :email, 'adult', '', '', false, :join_url, 'active',"
                    " 'pushed', 0, 0, '', false, '', :now)"
                ),
                {"id": rid, "email": f"p{rid}@example.org", "join_url": join_url, "now": NOW},
            )
        for email_id, body, sent in ((1, "Your link: /manage/abc", None), (2, "", NOW)):
            c.execute(
                text(
                    "INSERT INTO outbound_email (id, organisation_id, kind, to_address, subject,"
                    " body, attempts, next_attempt_at, sent_at, last_error, created_at)"
                    " VALUES (:id, 1, 'confirmation', 'a@example.org', 'Hi', :body, 0, :now,"
                    " :sent, '', :now)"
                ),
                {"id": email_id, "body": body, "sent": sent, "now": NOW},
            )
    engine.dispose()


def _bodies(url: str, column: str, table: str = "outbound_email") -> list[tuple[int, object]]:
    engine = make_engine(url)
    with engine.connect() as c:
        rows = c.execute(text(f"SELECT id, {column} FROM {table} ORDER BY id")).all()  # noqa: S608
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


def test_upgrading_encrypts_waiting_emails_and_join_links(tmp_path: Path) -> None:
    """Migration 0013: a waiting email's body, with its private link, and a personal join link
    are encrypted with the secret key; empty ones stay empty; a downgrade gives them back."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_world_with_emails(url)
    upgrade(url, secret_key=TEST_SECRET_KEY)
    (waiting_id, sealed), (sent_id, empty) = _bodies(url, "body_encrypted")
    assert isinstance(sealed, bytes) and b"/manage/" not in sealed
    assert BOX.decrypt(sealed) == "Your link: /manage/abc"
    assert empty is None
    [(_, link), (_, no_link)] = _bodies(url, "join_url_encrypted", "registrant")
    assert isinstance(link, bytes) and b"tk=" not in link
    assert BOX.decrypt(link) == "https://zoom.example/w/1?tk=secret" and no_link is None
    downgrade(url, "0012", secret_key=TEST_SECRET_KEY)
    assert _bodies(url, "body") == [(waiting_id, "Your link: /manage/abc"), (sent_id, "")]
    assert _bodies(url, "join_url", "registrant") == [
        (1, "https://zoom.example/w/1?tk=secret"),
        (2, ""),
    ]


def test_upgrading_without_the_secret_key_keeps_waiting_emails(tmp_path: Path) -> None:
    """Without the key the emails cannot be encrypted: the upgrade stops, losing nothing,
    and runs through once it is given the key."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_world_with_emails(url)
    with pytest.raises(RuntimeError, match="stored links need the secret key"):
        upgrade(url)
    assert _bodies(url, "body") == [(1, "Your link: /manage/abc"), (2, "")]
    upgrade(url, secret_key=TEST_SECRET_KEY)  # then `vcsafe db upgrade` finishes the job
    [(_, sealed), _] = _bodies(url, "body_encrypted")
    assert isinstance(sealed, bytes) and BOX.decrypt(sealed) == "Your link: /manage/abc"
