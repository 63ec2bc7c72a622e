"""Refuses input no person types: a NUL character anywhere in the address, the query or a form.

PostgreSQL cannot store NUL in text, and no browser field produces one, so it only ever comes
from a tool probing for errors. It is answered 400 before any view or query sees it.
"""

from __future__ import annotations

from flask import Flask, abort, request


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> None:
        values = [*(request.view_args or {}).values()]
        for key, given in request.args.lists():
            values += [key, *given]
        if request.method == "POST" and request.mimetype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for key, given in request.form.lists():
                values += [key, *given]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            abort(400)
