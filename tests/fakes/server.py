"""What every fake shares: a loopback HTTP server in a thread, spec validation, fault injection.

A fake is a Flask app. Every request it receives is checked against the official OpenAPI
description (when ../shared/specs is present); a request that breaks the spec is answered 400
and recorded in `violations`, which the test fixtures turn into a failure of the test that sent it.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, make_server

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
SPECS_DIR = Path(os.environ.get("VCSAFE_SPECS_DIR", REPO_ROOT.parent / "shared" / "specs"))
SPECS_MISSING_REASON = (
    f"the official API descriptions are not at {SPECS_DIR} (../shared/specs); "
    "spec validation is off"
)


def specs_available() -> bool:
    return (SPECS_DIR / "zoom" / "ZoomMeetingsAPI.endpoints.json").exists()


@functools.cache
def load_spec_dict(relative: str) -> dict[str, Any]:
    """An official description as a dict (parsed once per process)."""
    with (SPECS_DIR / relative).open() as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@functools.cache
def openapi_for(relative: str, base_path: str) -> Any:
    """An openapi-core OpenAPI object whose server is `base_path` on any host (the fake's)."""
    from openapi_core import OpenAPI

    spec = copy.deepcopy(load_spec_dict(relative))
    spec["servers"] = [{"url": base_path}]
    return OpenAPI.from_dict(spec)


def request_problem(openapi: Any, sent: Any) -> str | None:
    """What is wrong with a request by an OpenAPI description, in one line (None when nothing):
    the most relevant schema error with where it is, or openapi-core's own message."""
    from jsonschema.exceptions import best_match
    from openapi_core.exceptions import OpenAPIError

    try:
        openapi.validate_request(sent)
    except OpenAPIError as exc:
        errors = getattr(exc.__cause__, "schema_errors", None)
        if not errors:
            return str(exc)[:300]
        best = best_match(errors)
        where = "/".join(str(p) for p in best.absolute_path) or "body"
        return f"{where}: {best.message[:300]}"
    return None


@dataclass
class Fault:
    """One kind of failure, served to the next `times` matching requests."""

    kind: str  # "status", "slow", "drop", "expire_tokens"
    times: int = 1
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    method: str | None = None
    path_contains: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path_contains is None or self.path_contains in path
        )


@dataclass
class RecordedRequest:
    method: str
    path: str
    status: int | None = None
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass
class FakeServer:
    """Runs a fake's Flask app on 127.0.0.1 and keeps what a test wants to look at."""

    app: Flask
    name: str
    violations: list[str] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self, port: int = 0) -> FakeServer:
        self._server = make_server("127.0.0.1", port, self.app, threaded=True)
        # A short poll interval: stop() waits for the loop, and tests stop a fake each time.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"fake-{self.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- faults -------------------------------------------------------------------------
    def inject(self, kind: str, **kw: Any) -> Fault:
        """Make the next matching requests fail: see Fault for the kinds."""
        fault = Fault(kind=kind, **kw)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    @contextmanager
    def down(self) -> Iterator[None]:
        """Every request fails with 503 while inside the block (a provider outage)."""
        fault = self.inject("status", status=503, times=10**9)
        try:
            yield
        finally:
            with self._lock:
                if fault in self.faults:
                    self.faults.remove(fault)

    def calls(self, method: str, path_contains: str = "") -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and path_contains in r.path]


def install_hooks(
    server: FakeServer,
    *,
    validate: Callable[[], str | None],
    expire_tokens: Callable[[], None],
    error_body: Callable[[int, str], Any] | None = None,
) -> None:
    """Wire recording, fault injection and validation into a fake's Flask app.

    `error_body(status, message)` shapes the JSON of injected failures and violation answers
    the way the vendor does (default: Zoom's `{"code", "message"}`).
    """
    app = server.app
    body = error_body or _zoom_error_body

    @app.before_request
    def _before() -> Response | tuple[Response, int] | None:
        entry = RecordedRequest(request.method, request.path)
        with server._lock:
            server.requests.append(entry)
        fault = server.take_fault(request.method, request.path)
        if fault is not None:
            answer = _serve_fault(fault, expire_tokens, body)
            if answer is not None:
                entry.status = answer[1]
                return answer
        problem = validate()
        if problem is not None:
            message = f"{request.method} {request.path}: {problem}"
            server.violations.append(message)
            log.error("fake %s: request breaks the official description: %s", server.name, message)
            entry.status = 400
            if error_body is None:
                return jsonify(code=300, message=f"Invalid request: {problem}"), 400
            return jsonify(error_body(400, f"Invalid request: {problem}")), 400
        return None

    @app.after_request
    def _after(response: Response) -> Response:
        with server._lock:
            for entry in reversed(server.requests):
                if entry.path == request.path and entry.status is None:
                    entry.status = response.status_code
                    break
        return response


def _zoom_error_body(status: int, message: str) -> dict[str, Any]:
    return {"code": status, "message": message}


def _serve_fault(
    fault: Fault,
    expire_tokens: Callable[[], None],
    error_body: Callable[[int, str], Any] = _zoom_error_body,
) -> tuple[Response, int] | None:
    if fault.kind == "slow":
        time.sleep(fault.delay)
        return None
    if fault.kind == "expire_tokens":
        expire_tokens()
        return None
    if fault.kind == "drop":
        sock = request.environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        response = jsonify(message="dropped")
        return response, 500
    response = jsonify(error_body(fault.status, _status_message(fault.status)))
    if fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    return response, fault.status


def _status_message(status: int) -> str:
    return {
        429: "You have reached the maximum per-second rate limit for this API. Try again later.",
        500: "Internal server error.",
        502: "Bad gateway.",
        503: "Service unavailable.",
        504: "Gateway timeout.",
    }.get(status, "Error.")
