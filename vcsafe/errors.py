"""Error pages: every error gets a clear page (or JSON for API clients), never a stack trace."""

from __future__ import annotations

import logging
import time

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from vcsafe.extensions import limiter

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood. Go back, reload the page and try again.",
    401: "You need to sign in to see this.",
    403: "You do not have permission to do this.",
    404: "There is nothing here. The link may be mistyped, or what it pointed to was removed.",
    405: "This address does not accept that kind of request.",
    413: "What was sent is too large.",
    429: "Too many attempts. Please wait a few minutes and try again.",
    500: "Something went wrong on our side. It has been logged; please try again.",
    503: "vcsafe is unavailable for a moment and nothing was saved. Please try again shortly.",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str | Response, int]:
        return _render(
            400,
            "This form has expired or did not come from vcsafe. "
            "Go back, reload the page and send it again.",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str | Response, int] | Response | HTTPException:
        code = error.code or 500
        if code < 400:  # redirects raised as exceptions pass through
            return error
        if code == 429:
            return _too_many()
        return _render(code, MESSAGES.get(code, error.description or "Request refused."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(error: Exception) -> tuple[str | Response, int]:
        # The database restarting or unreachable: nothing was saved; the person can retry.
        log.warning(
            "database unavailable on %s %s: %s", request.method, _route(), type(error).__name__
        )
        return _render(503, MESSAGES[503])

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str | Response, int]:
        # The type and traceback go to the log; the page says nothing about internals.
        log.exception("unhandled error on %s %s", request.method, _route())
        return _render(500, MESSAGES[500])

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError) -> tuple[str | Response, int]:
        return _render(500, MESSAGES[500])


def _too_many() -> Response:
    """A refused request learns when to try again. Only refusals say so: rate-limit headers on
    every answer would cost each public registration two more round trips to the limiter's
    storage."""
    response = make_response(_render(429, MESSAGES[429]))
    breached = limiter.current_limit
    if breached is not None:
        response.headers["Retry-After"] = str(max(1, int(breached.reset_at - time.time())))
    return response


def _route() -> str:
    """The route's pattern, not the path: a path may hold a private link's token."""
    return request.url_rule.rule if request.url_rule else "(no route)"


def _render(code: int, message: str) -> tuple[str | Response, int]:
    if _wants_json():
        return jsonify(error=message, status=code), code
    return render_template("error.html", code=code, message=message), code


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html
