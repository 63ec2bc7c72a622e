"""GET /healthz: is the app up and can it reach its database."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from vcsafe.db import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database_ok = True
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        database_ok = False
    status = "ok" if database_ok else "degraded"
    return jsonify(status=status, database=database_ok), 200
