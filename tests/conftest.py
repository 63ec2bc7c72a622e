"""Shared fixtures: a migrated database per test run, an app per test, clients and factories."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests import factories
from tests.factories import TEST_SECRET_KEY
from vcsafe.app import create_app
from vcsafe.db import db, make_engine
from vcsafe.migrate import upgrade
from vcsafe.models import Base, Role, User

pytest_plugins = [
    "tests.fakes.zoom_fixtures",
    "tests.fakes.graph_fixtures",
    "tests.mail",
    "tests.public",
    "tests.browser",
]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database for this test run: SQLite, or a new PostgreSQL schema."""
    base = os.environ.get("VCSAFE_TEST_DATABASE_URL", "")
    if not base:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        upgrade(url)
        yield url
        return
    if base.startswith("postgresql://"):
        base = "postgresql+psycopg://" + base[len("postgresql://") :]
    schema = f"vcsafe_test_{secrets.token_hex(4)}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


def app_overrides(database_url: str, instance: Path, **extra: Any) -> dict[str, Any]:
    """Settings for an app under test; tests add what they need."""
    return {
        "database_url": database_url,
        "secret_key": TEST_SECRET_KEY,
        "instance_path": str(instance),
        "auto_migrate": False,
        "mode": "embedded",
        "https": False,
        "demo": False,
        "redis_url": "",
        "smtp_host": "",
        # Provider retries as in production, with waits of milliseconds instead of seconds.
        "provider_backoff_seconds": 0.01,
        "provider_total_seconds": 10.0,
        "provider_read_timeout_seconds": 2.0,
    } | extra


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(app_overrides(database_url, tmp_path / "instance"))
    app.config["TESTING"] = True
    yield app
    _empty_all_tables(app)
    db.factory(app).kw["bind"].dispose()


def _empty_all_tables(app: Flask) -> None:
    engine = db.factory(app).kw["bind"]
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session outside any request, as the worker and the CLI use.

    No application context stays pushed around the test: requests made by the test clients
    must each get their own, as in production (a shared one would share `g`, and with it the
    signed-in user, the CSRF token and the request's database session, across requests).
    """
    s = db.factory(app)()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def organisation(session: Session) -> Any:
    org = factories.organisation(session, name="Harbour Heritage Trust")
    session.commit()
    return org


@pytest.fixture
def admin(session: Session, organisation: Any) -> User:
    user = factories.user(session, organisation, role=Role.ADMIN, email="admin@harbour.example")
    session.commit()
    return user


@pytest.fixture
def organiser(session: Session, organisation: Any) -> User:
    user = factories.user(
        session, organisation, role=Role.ORGANISER, email="organiser@harbour.example"
    )
    session.commit()
    return user


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token from the form at `url`, as a browser would send it back."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, f"no CSRF token in the page at {url}"
    return match.group(1)


def sign_in(client: FlaskClient, user: User, password: str = factories.PASSWORD) -> None:
    response = client.post(
        "/sign-in",
        data={
            "email": user.email,
            "password": password,
            "csrf_token": csrf_token(client, "/sign-in"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def organiser_client(client: FlaskClient, organiser: User) -> FlaskClient:
    """A client signed in as an organiser."""
    sign_in(client, organiser)
    return client


@pytest.fixture
def admin_client(client: FlaskClient, admin: User) -> FlaskClient:
    """A client signed in as an admin."""
    sign_in(client, admin)
    return client
