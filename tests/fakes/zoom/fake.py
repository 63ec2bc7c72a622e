"""ZoomFake: running it, its test controls, the request pipeline and the OAuth token."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import Flask, jsonify, request

from tests.fakes.controls import SlidingSecond
from tests.fakes.server import FakeServer, install_hooks, request_problem
from tests.fakes.zoom.meetings import MeetingsMixin
from tests.fakes.zoom.recordings import RecordingsMixin
from tests.fakes.zoom.registrants import RegistrantsMixin
from tests.fakes.zoom.spec import _meetings_openapi, zoom_specs_available
from tests.fakes.zoom.state import Answer, _Account, _error
from tests.fakes.zoom.webhooks import WebhooksMixin
from vcsafe.providers.base import ProviderCredentials

TOKEN_SECONDS = 3599


class ZoomFake(MeetingsMixin, RegistrantsMixin, RecordingsMixin, WebhooksMixin):
    """Zoom on loopback: state, faults, rate limits and signed webhooks."""

    def __init__(self, *, validating: bool | None = None) -> None:
        self.app = Flask("zoom-fake")
        self.server = FakeServer(self.app, "zoom")
        self.validating = zoom_specs_available() if validating is None else validating
        self._lock = threading.Lock()
        self._accounts: dict[str, _Account] = {}  # account id -> account
        self._tokens: dict[str, tuple[_Account, float]] = {}
        self._meetings: dict[str, dict[str, Any]] = {}  # meeting id -> meeting
        self._registrants: dict[str, dict[str, dict[str, Any]]] = {}  # meeting -> id -> reg.
        self._recordings: dict[str, dict[str, Any]] = {}  # instance uuid -> recording
        self._trash: dict[str, dict[str, Any]] = {}
        self.deletions: Counter[str] = Counter()
        self._limit = SlidingSecond()
        self._routes()

    # --- Zoom's own throttling (running, faults and calls: ServedFake) --------------------
    def rate_limit(self, per_second: float | None, path_contains: str | None = None) -> None:
        """Answer 429 beyond `per_second` requests in any sliding second to matching API paths
        (Zoom's per-second limits); None lifts it."""
        self._limit.set(per_second, path_contains)

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (Zoom answers 401, code 124)."""
        with self._lock:
            self._tokens = {token: (acct, 0.0) for token, (acct, _) in self._tokens.items()}

    # --- state, for tests and demo mode ---------------------------------------------------------
    def provision_account(self, display_name: str = "Harbour Events") -> ProviderCredentials:
        """A new Zoom account with a Server-to-Server OAuth app and a host user."""
        account = _Account(display_name)
        with self._lock:
            self._accounts[account.account_id] = account
        return ProviderCredentials(
            tenant=account.account_id,
            client_id=account.client_id,
            client_secret=account.secret,
            host_user="me",
            webhook_secret=account.webhook_secret,
            api_base_url=f"{self.base_url}/v2",
            auth_base_url=f"{self.base_url}/oauth/token",
        )

    def deletes_of(self, kind: str, object_id: str) -> int:
        """DELETEs asked for one object ("meeting", "registrant", "recording"), whether or not
        it still existed."""
        with self._lock:
            return self.deletions[f"{kind}:{object_id}"]

    # --- the app --------------------------------------------------------------------------
    def _routes(self) -> None:
        install_hooks(self.server, validate=self._validate, expire_tokens=self.expire_tokens)
        self.app.before_request(self._throttle)
        self.app.before_request(self._authenticate)
        meeting = "/v2/meetings/<meetingId>"
        routes: list[tuple[str, Callable[..., Answer], list[str]]] = [
            ("/oauth/token", self._token, ["POST"]),
            ("/v2/users/<userId>", self._user, ["GET"]),
            ("/v2/users/<userId>/meetings", self._user_meetings, ["GET", "POST"]),
            (meeting, self._meeting, ["GET", "PATCH", "DELETE"]),
            (f"{meeting}/registrants", self._registrants_collection, ["GET", "POST"]),
            (f"{meeting}/registrants/status", self._registrant_status, ["PUT"]),
            (f"{meeting}/registrants/<registrantId>", self._registrant, ["GET", "DELETE"]),
            # An instance UUID may hold "/" (sent encoded once, which the router decodes).
            ("/v2/meetings/<path:meetingId>/recordings", self._recording, ["GET", "DELETE"]),
        ]
        self.app.url_map.merge_slashes = False
        for rule, view, methods in routes:
            self.app.add_url_rule(rule, view_func=view, methods=methods)

    def _validate(self) -> str | None:
        if not self.validating or not request.path.startswith("/v2/"):
            return None
        if request.path.startswith("/v2/users/") and request.path.count("/") == 3:
            return None  # GET /users/{userId}: Users API, hand-coded
        from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest

        class _AsSent(WerkzeugOpenAPIRequest):
            """The path as it came over the wire: an instance UUID may hold an encoded "/"."""

            @property
            def path(self) -> str:
                raw = str(request.environ.get("REQUEST_URI") or request.path)
                return raw.split("?", 1)[0]

        return request_problem(_meetings_openapi(), _AsSent(request))

    def _throttle(self) -> Answer | None:
        if not request.path.startswith("/v2/"):
            return None
        wait = self._limit.refuse(request.path)
        if wait is None:
            return None
        response, status = _error(
            429,
            429,
            "You have reached the maximum per-second rate limit for this API. Try again later.",
        )
        response.headers["Retry-After"] = str(wait)
        return response, status

    def _authenticate(self) -> Answer | None:
        if not request.path.startswith("/v2/"):
            return None
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        with self._lock:
            account, expires = self._tokens.get(token, (None, 0.0))
        if account is None:
            return _error(401, 124, "Invalid access token.")
        if expires < time.time():
            return _error(401, 124, "Access token is expired.")
        request.environ["zoom.account"] = account
        return None

    # --- OAuth ----------------------------------------------------------------------------
    def _token(self) -> Answer:
        grant = request.args.get("grant_type") or request.form.get("grant_type")
        account_id = request.args.get("account_id") or request.form.get("account_id", "")
        if grant != "account_credentials":
            return jsonify(reason="Unsupported grant type", error="unsupported_grant_type"), 400
        client_id, secret = _basic_auth(request.headers.get("Authorization", ""))
        with self._lock:
            account = self._accounts.get(account_id)
        if account is None:
            return jsonify(reason="Invalid account_id", error="invalid_request"), 400
        if not (
            hmac.compare_digest(client_id, account.client_id)
            and hmac.compare_digest(secret, account.secret)
        ):
            return jsonify(reason="Invalid client_id or client_secret", error="invalid_client"), 400
        token = "eyJzdiI6IjAwMDAwMSJ9." + secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[token] = (account, time.time() + TOKEN_SECONDS)
        return jsonify(
            access_token=token,
            token_type="bearer",
            expires_in=TOKEN_SECONDS,
            scope="meeting:write:admin meeting:read:admin recording:write:admin "
            "recording:read:admin user:read:admin",
            api_url=f"{self.base_url}",
        )


def _basic_auth(header: str) -> tuple[str, str]:
    if not header.startswith("Basic "):
        return "", ""
    try:
        decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return client_id, secret
