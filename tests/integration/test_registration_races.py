"""Registrations racing each other on PostgreSQL: the last places and double clicks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import app_overrides, csrf_token
from vcsafe.app import create_app
from vcsafe.db import db
from vcsafe.models import ConsentRecord, Meeting, OutboundEmail, Registrant


@pytest.fixture
def unthrottled(database_url: str, tmp_path: Path, is_postgres: bool) -> Iterator[Flask]:
    if not is_postgres:
        pytest.skip("concurrent writers: PostgreSQL (SQLite runs one writer at a time)")
    app = create_app(
        app_overrides(
            database_url,
            tmp_path / "races",
            registration_limit_per_address="100000 per minute",
            registration_limit_per_meeting="100000 per minute",
        )
    )
    yield app
    db.factory(app).kw["bind"].dispose()


def _all_at_once(app: Flask, meeting: Meeting, emails: list[str]) -> list[int]:
    """Each email from its own browser, the POSTs released together; their status codes."""
    url = f"/m/{meeting.public_slug}"
    clients: list[FlaskClient] = [app.test_client() for _ in emails]
    tokens = [csrf_token(c, url) for c in clients]
    start = threading.Barrier(len(emails))
    statuses = [0] * len(emails)

    def post(n: int) -> Callable[[], None]:
        def run() -> None:
            form = {
                "name": f"Person {n}",
                "email": emails[n],
                "accept_code": "y",
                "recording": "yes",
                "csrf_token": tokens[n],
            }
            start.wait()
            statuses[n] = clients[n].post(url, data=form).status_code

        return run

    threads = [threading.Thread(target=post(n)) for n in range(len(emails))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_the_last_places_are_taken_once(
    unthrottled: Flask, session: Session, public_meeting: Meeting
) -> None:
    public_meeting.capacity = 3
    session.commit()
    statuses = _all_at_once(unthrottled, public_meeting, [f"p{n}@example.org" for n in range(8)])
    assert sorted(statuses) == [302] * 3 + [409] * 5
    session.expire_all()
    assert session.scalar(select(func.count(Registrant.id))) == 3
    # Nobody refused left anything behind.
    assert session.scalar(select(func.count(func.distinct(ConsentRecord.registrant_id)))) == 3
    assert session.scalar(select(func.count(OutboundEmail.id))) == 3


def test_a_double_click_registers_once(
    unthrottled: Flask, session: Session, public_meeting: Meeting
) -> None:
    statuses = _all_at_once(unthrottled, public_meeting, ["ada@example.org", "Ada@Example.org"])
    assert statuses == [302, 302]  # the same answer either way
    session.expire_all()
    assert session.scalar(select(func.count(Registrant.id))) == 1
    kinds = sorted(session.scalars(select(OutboundEmail.kind)))
    assert kinds == ["already_registered", "confirmation"]
