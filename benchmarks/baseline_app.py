"""The baseline for registration_burst.py: a bare Flask endpoint doing one INSERT, served by the
same gunicorn and PostgreSQL. Run as `gunicorn 'baseline_app:create()'` from benchmarks/, once
`create_table()` has made its table (not in the workers, which start at the same moment)."""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from vcsafe.db import make_engine

metadata = MetaData()
rows = Table(
    "bench_baseline",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200)),
    Column("email", String(320)),
)


def create_table(url: str) -> None:
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def create() -> Flask:
    engine = make_engine(os.environ["VCSAFE_DATABASE_URL"])
    app = Flask(__name__)

    @app.post("/insert")
    def insert_one() -> tuple[str, int]:
        with engine.begin() as connection:
            connection.execute(
                insert(rows).values(name=request.form["name"], email=request.form["email"])
            )
        return "", 204

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app
