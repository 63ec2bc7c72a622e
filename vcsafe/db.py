"""Engine and sessions: one engine per app, one session per request or per job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **options: Any) -> Engine:
    """An engine with the per-dialect settings vcsafe relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **options)


class Database:
    """Flask extension holding the engine; the request session lives on `g`."""

    def init_app(self, app: Flask, url: str) -> None:
        engine = make_engine(url)
        app.extensions["vcsafe.db"] = sessionmaker(engine, expire_on_commit=False)
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def factory(app: Flask | None = None) -> sessionmaker[Session]:
        """The session factory of an app (the current one by default)."""
        factory: sessionmaker[Session] = (app or current_app).extensions["vcsafe.db"]
        return factory

    @property
    def engine(self) -> Engine:
        bind = self.factory().kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    @property
    def session(self) -> Session:
        """The session of the current request, opened on first use."""
        if "db_session" not in g:
            g.db_session = self.factory()()
        session: Session = g.db_session
        return session

    @contextmanager
    def begin(self, app: Flask | None = None) -> Iterator[Session]:
        """A session in one transaction, for the CLI and the worker."""
        with self.factory(app).begin() as session:
            yield session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
