"""GraphFake: running it, its test controls and the request pipeline."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request

from tests.fakes.controls import SlidingSecond
from tests.fakes.graph.drive import DriveMixin
from tests.fakes.graph.entra import EntraMixin
from tests.fakes.graph.meetings import MeetingsMixin
from tests.fakes.graph.notifications import NotificationsMixin
from tests.fakes.graph.recordings import RecordingsMixin
from tests.fakes.graph.rules import _meeting_problem, _subscription_problem
from tests.fakes.graph.spec import _HAND_CODED, _spec_problem, graph_specs_available
from tests.fakes.graph.state import Answer, _Account, _odata_body, odata_error
from tests.fakes.graph.subscriptions import SubscriptionsMixin
from tests.fakes.server import FakeServer, install_hooks
from vcsafe.providers.base import ProviderCredentials

# Graph's answers to injected failures, by status: (code, message).
_FAULTS = {
    429: ("TooManyRequests", "Too many requests, please retry after the indicated time."),
    500: ("InternalServerError", "An internal server error occurred."),
    502: ("BadGateway", "Bad gateway."),
    503: ("serviceNotAvailable", "The service is temporarily unavailable."),
    504: ("gatewayTimeout", "The gateway timed out."),
}


def _fault_body(status: int, message: str) -> dict[str, Any]:
    return _odata_body(*_FAULTS.get(status, ("BadRequest", message)))


class GraphFake(
    EntraMixin,
    MeetingsMixin,
    RecordingsMixin,
    DriveMixin,
    SubscriptionsMixin,
    NotificationsMixin,
):
    """The fake: start() it, provision_account(), point an adapter at it, stop() it."""

    def __init__(self) -> None:
        self.app = Flask("graph_fake")
        self.server = FakeServer(app=self.app, name="graph")
        self.validating = graph_specs_available()
        self.recordings_page_size = 10
        self.deletions: Counter[str] = Counter()  # "kind:id" -> deletions asked for
        self._lock = threading.RLock()
        self._accounts: dict[str, _Account] = {}  # by tenant
        self._tokens: dict[str, tuple[_Account, float]] = {}  # token -> account, expiry
        self._meetings: dict[str, dict[str, Any]] = {}  # id -> owner, tenant, data
        self._recordings: dict[str, dict[str, dict[str, Any]]] = {}  # meeting -> id -> rec
        self._items: dict[str, dict[str, dict[str, Any]]] = {}  # drive -> item id -> item
        self._recycled: dict[str, dict[str, dict[str, Any]]] = {}
        self._subscriptions: dict[str, dict[str, Any]] = {}  # id -> tenant, kind, data
        self._limit = SlidingSecond()
        self._routes()

    # --- Graph's own throttling (running, faults and calls: ServedFake) -------------------
    def rate_limit(self, per_second: int | None, path_contains: str | None = None) -> None:
        """Answer 429 (Graph's throttling body, Retry-After) beyond `per_second` requests a
        second to matching Graph paths; None lifts the limit."""
        self._limit.set(per_second, path_contains)

    # --- state, for tests and demo mode ------------------------------------------------------
    def provision_account(self, display_name: str = "Harbour Events Team") -> ProviderCredentials:
        """A new tenant with an app registration and an organiser; credentials to reach it."""
        account = _Account(display_name)
        with self._lock:
            self._accounts[account.tenant] = account
            self._items[account.drives[account.host_user]] = {}
            self._recycled[account.drives[account.host_user]] = {}
        return ProviderCredentials(
            tenant=account.tenant,
            client_id=account.client_id,
            client_secret=account.secret,
            host_user=account.host_user,
            webhook_secret=account.client_state,
            api_base_url=self.graph_url,
            auth_base_url=self.base_url,
        )

    def deletes_of(self, kind: str, object_id: str) -> int:
        """Deletions asked for one object (onlineMeeting, callRecording, driveItem,
        subscription), whether or not it still existed."""
        with self._lock:
            return self.deletions[f"{kind}:{object_id}"]

    # --- the app ---------------------------------------------------------------------------------
    def _routes(self) -> None:
        install_hooks(
            self.server,
            validate=self._validate,
            expire_tokens=self.expire_tokens,
            error_body=_fault_body,
        )
        self.app.before_request(self._throttle)
        self.app.before_request(self._authenticate)
        meeting = "/v1.0/users/<user_id>/onlineMeetings/<meeting_id>"
        routes: list[tuple[str, Callable[..., Answer], list[str]]] = [
            ("/<tenant>/v2.0/.well-known/openid-configuration", self._openid, ["GET"]),
            ("/common/discovery/instance", self._instance_discovery, ["GET"]),
            ("/<tenant>/oauth2/v2.0/token", self._token, ["POST"]),
            ("/v1.0/users/<user_id>", self._user, ["GET"]),
            ("/v1.0/users/<user_id>/drive", self._drive, ["GET"]),
            ("/v1.0/users/<user_id>/onlineMeetings", self._meetings_collection, ["GET", "POST"]),
            (
                "/v1.0/users/<user_id>/onlineMeetings/createOrGet",
                self._create_or_get,
                ["POST"],
            ),
            (meeting, self._meeting, ["GET", "PATCH", "DELETE"]),
            (f"{meeting}/recordings", self._recordings_collection, ["GET"]),
            (f"{meeting}/recordings/<recording_id>", self._recording, ["GET", "DELETE"]),
            ("/v1.0/users/<user_id>/drive/items/<item_id>", self._delete_user_item, ["DELETE"]),
            ("/v1.0/drives/<drive_id>/items/<item_id>", self._delete_item, ["DELETE"]),
            ("/v1.0/drives/<drive_id>/items/<item_id>/permanentDelete", self._erase, ["POST"]),
            ("/v1.0/subscriptions", self._subscriptions_collection, ["GET", "POST"]),
            (
                "/v1.0/subscriptions/<subscription_id>",
                self._subscription,
                ["GET", "PATCH", "DELETE"],
            ),
        ]
        for rule, view, methods in routes:
            self.app.add_url_rule(rule, view_func=view, methods=methods)
        self.app.register_error_handler(404, self._not_found)
        self.app.register_error_handler(405, self._not_allowed)

    def _not_found(self, _: Exception) -> tuple[Response, int]:
        segment = request.path.rsplit("/", 1)[-1]
        return odata_error(400, "BadRequest", f"Resource not found for the segment '{segment}'.")

    def _not_allowed(self, _: Exception) -> tuple[Response, int]:
        message = f"The HTTP method '{request.method}' is not supported for this resource."
        return odata_error(405, "BadRequest", message)

    # --- before each request: validation, throttling, the bearer token ---------------------------
    def _validate(self) -> str | None:
        path, method = request.path, request.method
        if not path.startswith("/v1.0/") or any(
            m == method and p.match(path) for m, p in _HAND_CODED
        ):
            return None
        problem = _spec_problem() if self.validating else None
        body = request.get_json(silent=True) if request.data else {}
        if not isinstance(body, dict):
            return problem or "the body is not a JSON object"
        if problem is None and method in ("POST", "PATCH"):
            if path.startswith("/v1.0/subscriptions"):
                problem = _subscription_problem(body, creating=method == "POST")
            elif "/onlineMeetings" in path:
                problem = _meeting_problem(body)
        return problem

    def _throttle(self) -> Answer | None:
        if not request.path.startswith("/v1.0/"):
            return None
        wait = self._limit.refuse(request.path)
        if wait is None:
            return None
        response, status = odata_error(429, *_FAULTS[429])
        response.headers["Retry-After"] = str(wait)
        return response, status

    def _authenticate(self) -> Answer | None:
        if not request.path.startswith("/v1.0/"):
            return None
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        with self._lock:
            account, expires = self._tokens.get(token, (None, 0.0))
        if not token:
            return odata_error(401, "InvalidAuthenticationToken", "Access token is empty.")
        if account is None or expires < time.time():
            message = "Access token has expired or is not yet valid."
            return odata_error(401, "InvalidAuthenticationToken", message)
        g.account = account
        return None
