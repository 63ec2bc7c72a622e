"""A local Microsoft identity platform and Microsoft Graph, for tests and demo mode.

Real msal and requests code talks to it over loopback (vcsafe keeps the production authority
`https://login.microsoftonline.com/<tenant>` and reroutes it here). It serves what vcsafe uses:

- identity, hand-coded from Microsoft's documentation (it is in no spec file): the tenant's
  OpenID configuration (advertising the production URLs), instance discovery, and the
  client-credentials token endpoint with Entra's error answers (AADSTS7000215 wrong secret,
  AADSTS700016 unknown app, AADSTS90002 unknown tenant, AADSTS1002012 wrong scope);
- Graph v1.0: online meetings, recordings, OneDrive items, subscriptions. Every Graph request
  is validated against ../shared/specs/graph/graph-v1.0-subset.strict.json (when present) and
  against rules Microsoft's metadata leaves out (required, read-only and undeclared fields).
  A request breaking them is answered 400 with an ODataError and recorded in `violations`.
  Hand-coded documented v1.0 calls the subset leaves out: `GET /users/{id}`,
  `GET /users/{id}/drive`, `POST /drives/{id}/items/{id}/permanentDelete`.

Modelled behaviour: a callRecording cannot be deleted (405, as Graph answers an unsupported
operation); its file is a drive item in the organiser's OneDrive, named by the recording's
`recordingContentUrl`; DELETE of a drive item moves it to the recycle bin, `permanentDelete`
removes it for good, and either way the callRecording goes with it. Creating a subscription
first performs Graph's validation handshake against notificationUrl (and
lifecycleNotificationUrl) and refuses the subscription unless the token comes back as
text/plain with 200 within 10 s. Unlike Graph, plain http notification URLs are accepted on
loopback (the tests' own receivers).
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import math
import random
import re
import secrets
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import requests
from flask import Flask, Response, g, jsonify, request

from tests.fakes.server import (
    SPECS_DIR,
    FakeServer,
    install_hooks,
    load_spec_dict,
    specs_available,
)
from vcsafe.providers.base import ProviderCredentials

GRAPH_SPEC = "graph/graph-v1.0-subset.strict.json"
PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
TOKEN_SECONDS = 3599
HANDSHAKE_SECONDS = 10.0
# Longest subscription per resource kind (minutes), from Microsoft's subscription docs.
MAX_MINUTES = {"meetingCallEvents": 4320, "recordings": 4230, "getAllRecordings": 4230}
Answer = Response | tuple[Response, int]

_HAND_CODED = [
    ("GET", re.compile(r"^/v1\.0/users/[^/]+(/drive)?$")),
    ("POST", re.compile(r"^/v1\.0/drives/[^/]+/items/[^/]+/permanentDelete$")),
]
_CALL_EVENTS = re.compile(
    r"^/?communications/onlineMeetings\(joinWebUrl='([^']*)'\)/meetingCallEvents$"
)
_RECORDINGS = re.compile(r"^/?communications/onlineMeetings/([^/]+)/recordings$")
_ALL_RECORDINGS = re.compile(r"^/?users/([^/]+)/onlineMeetings/getAllRecordings$")
_JOIN_FILTER = re.compile(r"^\s*JoinWebUrl\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_READ_ONLY = {"id", "joinWebUrl", "creationDateTime", "chatInfo", "videoTeleconferenceId"}
_READ_ONLY |= {"meetingOptionsWebUrl", "attendeeReport", "recordings", "transcripts"}
_READ_ONLY_JOIN_SETTINGS = {"passcode", "joinMeetingId"}
_SUBSCRIPTION_REQUIRED = ("changeType", "notificationUrl", "resource", "expirationDateTime")
_SUBSCRIPTION_CHANGEABLE = {"expirationDateTime", "notificationUrl", "lifecycleNotificationUrl"}

# Entra ID's answers: AADSTS code -> (status, OAuth error, description).
_ENTRA = {
    90002: (
        400,
        "invalid_request",
        "Tenant '{tenant}' not found. Check to make sure you have "
        "the correct tenant ID and are signing into the correct cloud.",
    ),
    70003: (400, "unsupported_grant_type", "The app requested an unsupported grant type."),
    700016: (
        400,
        "unauthorized_client",
        "Application with identifier '{client}' was not found "
        "in the directory '{tenant}'. This can happen if the application has not been "
        "installed by the administrator of the tenant or consented to by any user.",
    ),
    7000215: (
        401,
        "invalid_client",
        "Invalid client secret provided. Ensure the secret being "
        "sent in the request is the client secret value, not the client secret ID, for a "
        "secret added to app '{client}'.",
    ),
    1002012: (
        400,
        "invalid_scope",
        "The provided value for scope {scope} is not valid. Client "
        "credential flows must have a scope value with /.default suffixed to the resource "
        "identifier (application ID URI).",
    ),
}
# Graph's answers to injected failures, by status: (code, message).
_FAULTS = {
    429: ("TooManyRequests", "Too many requests, please retry after the indicated time."),
    500: ("InternalServerError", "An internal server error occurred."),
    502: ("BadGateway", "Bad gateway."),
    503: ("serviceNotAvailable", "The service is temporarily unavailable."),
    504: ("gatewayTimeout", "The gateway timed out."),
}
HANDSHAKE_FAILED = (
    "Subscription validation request failed. Notification endpoint must respond with 200 OK "
    "to validation request."
)
VALIDATION_TOKEN = "Validation: Testing client application reachability for subscription "
# A tenant's standard meeting policy: what an onlineMeeting gets when the request is silent.
MEETING_DEFAULTS: dict[str, Any] = {
    "subject": None,
    "isBroadcast": False,
    "externalId": None,
    "videoTeleconferenceId": None,
    "audioConferencing": None,
    "allowedPresenters": "everyone",
    "allowedLobbyAdmitters": "organizerAndCoOrganizersAndPresenters",
    "allowMeetingChat": "enabled",
    "allowAttendeeToEnableCamera": True,
    "allowAttendeeToEnableMic": True,
    "allowParticipantsToChangeName": False,
    "allowRecording": True,
    "allowTranscription": True,
    "allowTeamworkReactions": True,
    "allowWhiteboard": True,
    "isEntryExitAnnounced": False,
    "recordAutomatically": False,
    "lobbyBypassSettings": {"scope": "organization", "isDialInBypassEnabled": False},
    "joinMeetingIdSettings": {"isPasscodeRequired": True},
}


def graph_specs_available() -> bool:
    """Whether the Graph description is there to validate against."""
    return specs_available() and (SPECS_DIR / GRAPH_SPEC).exists()


@functools.cache
def _graph_openapi() -> Any:
    from openapi_core import OpenAPI

    spec = copy.deepcopy(load_spec_dict(GRAPH_SPEC))
    spec["servers"] = [{"url": "/v1.0"}]
    # The fake checks bearer tokens itself; openapi-core would only warn about oauth2.
    spec.pop("security", None)
    return OpenAPI.from_dict(spec)


@functools.cache
def _schema_validator(name: str) -> Any:
    from openapi_schema_validator import OAS30Validator

    components = load_spec_dict(GRAPH_SPEC)["components"]
    return OAS30Validator({"$ref": f"#/components/schemas/{name}", "components": components})


def _now() -> datetime:
    return datetime.now(UTC)


def _graph_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"  # seven digits


def _parse_time(value: object) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _odata_body(code: str, message: str) -> dict[str, Any]:
    when = _now().strftime("%Y-%m-%dT%H:%M:%S")
    inner = {"date": when, "request-id": str(uuid.uuid4()), "client-request-id": str(uuid.uuid4())}
    return {"error": {"code": code, "message": message, "innerError": inner}}


def odata_error(status: int, code: str, message: str) -> tuple[Response, int]:
    """Graph's error answer: an ODataError body."""
    return jsonify(_odata_body(code, message)), status


def _fault_body(status: int, message: str) -> dict[str, Any]:
    return _odata_body(*_FAULTS.get(status, ("BadRequest", message)))


def _entra_error(code: int, **names: str) -> tuple[Response, int]:
    """Entra ID's OAuth error answer (AADSTS code and sentence first, trace ids after)."""
    status, error, text = _ENTRA[code]
    trace, correlation = uuid.uuid4(), uuid.uuid4()
    stamp = _now().strftime("%Y-%m-%d %H:%M:%SZ")
    description = (
        f"AADSTS{code}: {text.format(**names)}\r\nTrace ID: {trace}\r\n"
        f"Correlation ID: {correlation}\r\nTimestamp: {stamp}"
    )
    body = {"error": error, "error_description": description, "error_codes": [code]}
    body |= {"timestamp": stamp, "trace_id": str(trace), "correlation_id": str(correlation)}
    return jsonify(body | {"error_uri": f"{PUBLIC_AUTHORITY}/error?code={code}"}), status


def _openid_configuration(tenant: str) -> dict[str, Any]:
    base = f"{PUBLIC_AUTHORITY}/{tenant}"
    config: dict[str, Any] = {
        f"{name}_endpoint": f"{base}/oauth2/v2.0/{path}"
        for name, path in [
            ("token", "token"),
            ("authorization", "authorize"),
            ("device_authorization", "devicecode"),
            ("end_session", "logout"),
        ]
    }
    return config | {
        "issuer": f"{base}/v2.0",
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": "graph.microsoft.com",
    }


class _Account:
    """One Entra tenant with one app registration, its organiser and their OneDrive."""

    def __init__(self, display_name: str) -> None:
        self.tenant = str(uuid.uuid4())
        self.client_id = str(uuid.uuid4())
        self.secret = secrets.token_urlsafe(30)
        self.client_state = secrets.token_urlsafe(24)
        self.host_user = str(uuid.uuid4())
        upn = f"events@contoso{self.tenant[:6]}.onmicrosoft.com"
        user = {"id": self.host_user, "displayName": display_name, "userPrincipalName": upn}
        self.users: dict[str, dict[str, Any]] = {self.host_user: user | {"mail": upn}}
        self.drives = {self.host_user: "b!" + secrets.token_urlsafe(48)}


class GraphFake:
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
        self._rate: tuple[int, str | None] | None = None
        self._hits: deque[float] = deque()
        self._routes()

    # --- running --------------------------------------------------------------------------
    def start(self, port: int = 0) -> GraphFake:
        """Serve on 127.0.0.1 (a random free port by default)."""
        self.server.start(port)
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    @property
    def base_url(self) -> str:
        """The authority base (auth_base_url): identity paths live under it."""
        return self.server.base_url

    @property
    def graph_url(self) -> str:
        """The Graph base (api_base_url), like https://graph.microsoft.com/v1.0."""
        return f"{self.server.base_url}/v1.0"

    @property
    def violations(self) -> list[str]:
        """Requests that broke the official description or Graph's unstated rules."""
        return self.server.violations

    def take_violations(self) -> list[str]:
        """Return and forget the recorded violations (for tests that provoke them)."""
        found = list(self.server.violations)
        self.server.violations.clear()
        return found

    # --- faults: FakeServer's, plus Graph's own throttling ----------------------------------
    def inject(self, kind: str, **kw: Any) -> Any:
        """Make the next matching requests fail: see tests.fakes.server.Fault."""
        return self.server.inject(kind, **kw)

    def down(self) -> Any:
        """A context in which every request fails with 503."""
        return self.server.down()

    def calls(self, method: str, path_contains: str = "") -> list[Any]:
        """Recorded requests by method and path fragment."""
        return self.server.calls(method, path_contains)

    def rate_limit(self, per_second: int | None, path_contains: str | None = None) -> None:
        """Answer 429 (Graph's throttling body, Retry-After) beyond `per_second` requests a
        second to matching Graph paths; None lifts the limit."""
        with self._lock:
            self._rate = None if per_second is None else (per_second, path_contains)
            self._hits.clear()

    def access_token(self, tenant: str) -> str:
        """A valid access token for an account, for tests that send raw requests."""
        token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[token] = (self._accounts[tenant], time.time() + TOKEN_SECONDS)
        return token

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (Graph answers 401)."""
        with self._lock:
            self._tokens = {token: (acct, 0.0) for token, (acct, _) in self._tokens.items()}

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

    def meeting(self, meeting_id: str) -> dict[str, Any]:
        """The online meeting as Graph holds it (a copy)."""
        with self._lock:
            return copy.deepcopy(self._meetings[meeting_id]["data"])

    def meeting_ids(self) -> list[str]:
        """Ids of the meetings that exist now."""
        with self._lock:
            return list(self._meetings)

    def set_setting(self, meeting_id: str, name: str, value: Any) -> None:
        """Change a setting as someone in Teams would (drift); a dotted name reaches a nested
        one, e.g. "lobbyBypassSettings.scope"."""
        with self._lock:
            target = self._meetings[meeting_id]["data"]
            *parents, leaf = name.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value

    def add_recording(
        self, meeting_id: str, *, ended_at: datetime | None = None, link: str = "drive"
    ) -> str:
        """A finished recording: its callRecording and its file in the organiser's OneDrive.

        `link` is how recordingContentUrl names the file: "drive" (/drives/{id}/items/{id}),
        "user" (/users/{id}/drive/items/{id}) or "none" (only Graph's own content URL).
        """
        ended = ended_at or _now()
        with self._lock:
            meeting = self._meetings[meeting_id]
            owner = meeting["owner"]
            drive_id = self._accounts[meeting["tenant"]].drives[owner]
            recording_id = base64.urlsafe_b64encode(uuid.uuid4().bytes * 3).decode()
            item_id = "01" + secrets.token_hex(16).upper()
            self._items[drive_id][item_id] = {
                "id": item_id,
                "name": f"Meeting Recording {ended:%Y%m%d_%H%M%S}.mp4",
                "size": random.randint(10**6, 10**8),
                "parentReference": {"driveId": drive_id, "path": "/drive/root:/Recordings"},
                "_recording": (meeting_id, recording_id),
            }
            meeting_url = f"{self.graph_url}/users/{owner}/onlineMeetings/{meeting_id}"
            content_url = {
                "drive": f"{self.graph_url}/drives/{drive_id}/items/{item_id}/content",
                "user": f"{self.graph_url}/users/{owner}/drive/items/{item_id}/content",
                "none": f"{meeting_url}/recordings/{recording_id}/content",
            }[link]
            self._recordings.setdefault(meeting_id, {})[recording_id] = {
                "id": recording_id,
                "meetingId": meeting_id,
                "callId": str(uuid.uuid4()),
                "contentCorrelationId": str(uuid.uuid4()),
                "createdDateTime": _graph_time(ended - timedelta(minutes=1)),
                "endDateTime": _graph_time(ended),
                "recordingContentUrl": content_url,
                "meetingOrganizer": {"user": {"id": owner, "displayName": None}},
            }
        return recording_id

    def recordings(self, meeting_id: str) -> list[dict[str, Any]]:
        """The meeting's callRecordings that exist now."""
        with self._lock:
            return copy.deepcopy(list(self._recordings.get(meeting_id, {}).values()))

    def drive_items(self, user_id: str) -> list[dict[str, Any]]:
        """The files in a user's OneDrive (not in its recycle bin)."""
        with self._lock:
            return [_public(i) for i in self._items[self._drive_of(user_id)].values()]

    def recycle_bin(self, user_id: str) -> list[dict[str, Any]]:
        """The files in a user's OneDrive recycle bin."""
        with self._lock:
            return [_public(i) for i in self._recycled[self._drive_of(user_id)].values()]

    def deletes_of(self, kind: str, object_id: str) -> int:
        """Deletions asked for one object (onlineMeeting, callRecording, driveItem,
        subscription), whether or not it still existed."""
        with self._lock:
            return self.deletions[f"{kind}:{object_id}"]

    def subscriptions(self) -> list[dict[str, Any]]:
        """The subscriptions alive now."""
        with self._lock:
            self._lapse()
            return [copy.deepcopy(s["data"]) for s in self._subscriptions.values()]

    def expire_subscription(self, subscription_id: str) -> None:
        """Let a subscription lapse now, as Graph does when it is not renewed in time."""
        with self._lock:
            self._subscriptions.pop(subscription_id, None)

    # --- outbound change notifications ----------------------------------------------------------
    def notification(
        self,
        kind: str,
        meeting_id: str,
        *,
        subscription: str | None = None,
        recording_id: str | None = None,
        client_state: str | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """Headers and body of a change notification Graph would post about a meeting.

        Kinds: "call_started", "call_ended", "recording_created", "reauthorization_required".
        Carries the meeting's subscription for that resource when there is one (else a made-up
        subscription id with the account's clientState); `client_state` overrides it.
        """
        with self._lock:
            meeting = self._meetings[meeting_id]
            tenant = meeting["tenant"]
            if kind == "recording_created":
                recording_id = recording_id or list(self._recordings[meeting_id])[-1]
                resource = f"communications/onlineMeetings/{meeting_id}/recordings"
            else:
                join = quote(meeting["data"]["joinWebUrl"], safe="")
                resource = f"communications/onlineMeetings(joinWebUrl='{join}')/meetingCallEvents"
            sub = self._subscriptions.get(subscription or "") or next(
                (s for s in self._subscriptions.values() if s["data"]["resource"] == resource),
                {"data": {"id": str(uuid.uuid4()), "clientState": None}},
            )
            data = copy.deepcopy(sub["data"])
            state = self._accounts[tenant].client_state if data["clientState"] is None else None
        expires = data.get("expirationDateTime") or _graph_time(_now() + timedelta(days=2))
        item: dict[str, Any] = {
            "subscriptionId": data["id"],
            "clientState": client_state or state or data["clientState"],
            "changeType": "created" if kind == "recording_created" else "updated",
            "tenantId": tenant,
            "subscriptionExpirationDateTime": expires,
            "resource": resource,
        }
        if kind == "recording_created":
            named = f"communications/onlineMeetings('{meeting_id}')/recordings('{recording_id}')"
            item["resource"] = named
            odata = {"@odata.type": "#Microsoft.Graph.callRecording", "@odata.id": named}
            item["resourceData"] = {"id": recording_id} | odata
        elif kind in ("call_started", "call_ended"):
            event = "callEnded" if kind == "call_ended" else "callStarted"
            odata = {"@odata.type": "#microsoft.graph.callEvent", "@odata.id": resource}
            when = {"eventType": event, "eventDateTime": _graph_time(_now())}
            item["resourceData"] = {"id": str(uuid.uuid4())} | odata | when
        elif kind == "reauthorization_required":
            item["lifecycleEvent"] = "reauthorizationRequired"
        else:
            raise ValueError(f"unknown notification kind {kind!r}")
        body = {"value": [item]}
        if self.validating:
            validator = _schema_validator("microsoft.graph.changeNotificationCollection")
            errors = list(validator.iter_errors(body))
            assert not errors, f"the fake built an invalid notification: {errors[0].message}"
        return {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()

    def send_notification(
        self, url: str, kind: str, meeting_id: str, **kw: Any
    ) -> requests.Response:
        """POST a change notification to a live URL, as Graph would."""
        headers, body = self.notification(kind, meeting_id, **kw)
        return requests.post(url, data=body, headers=headers, timeout=HANDSHAKE_SECONDS)

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
        with self._lock:
            if self._rate is None or not request.path.startswith("/v1.0/"):
                return None
            limit, fragment = self._rate
            if fragment is not None and fragment not in request.path:
                return None
            now = time.monotonic()
            while self._hits and self._hits[0] <= now - 1.0:
                self._hits.popleft()
            if len(self._hits) < limit:
                self._hits.append(now)
                return None
            wait = max(1, math.ceil(1.0 - (now - self._hits[0])))
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

    # --- identity --------------------------------------------------------------------------------
    def _openid(self, tenant: str) -> Answer:
        if tenant not in self._accounts:
            return _entra_error(90002, tenant=tenant)
        return jsonify(_openid_configuration(tenant))

    def _instance_discovery(self) -> Answer:
        names = ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com"]
        group = {"preferred_network": names[0], "preferred_cache": names[1], "aliases": names}
        endpoint = f"{PUBLIC_AUTHORITY}/common/v2.0/.well-known/openid-configuration"
        return jsonify(
            {"tenant_discovery_endpoint": endpoint, "api-version": "1.1", "metadata": [group]}
        )

    def _token(self, tenant: str) -> Answer:
        form = request.form
        client, secret = form.get("client_id", ""), form.get("client_secret", "")
        if request.authorization and request.authorization.type == "basic":
            client = request.authorization.username or client
            secret = request.authorization.password or secret
        account = self._accounts.get(tenant)
        if account is None:
            return _entra_error(90002, tenant=tenant)
        if form.get("grant_type") != "client_credentials":
            return _entra_error(70003)
        if client != account.client_id:
            return _entra_error(700016, client=client, tenant=tenant)
        if not secrets.compare_digest(secret.encode(), account.secret.encode()):
            return _entra_error(7000215, client=client)
        if form.get("scope", "").split() != [GRAPH_SCOPE]:
            return _entra_error(1002012, scope=form.get("scope", ""))
        token = self.access_token(tenant)
        lifetime = {"expires_in": TOKEN_SECONDS, "ext_expires_in": TOKEN_SECONDS}
        return jsonify({"token_type": "Bearer", "access_token": token} | lifetime)

    # --- users and drives (hand-coded) ----------------------------------------------------------
    def _user(self, user_id: str) -> Answer:
        user = g.account.users.get(user_id)
        if user is None:
            return _no_user(user_id)
        fields = request.args.get("$select")
        if fields:
            user = {k: v for k, v in user.items() if k in fields.split(",")}
        return jsonify({"@odata.context": f"{self.graph_url}/$metadata#users/$entity"} | user)

    def _drive(self, user_id: str) -> Answer:
        if user_id not in g.account.users:
            return _no_user(user_id)
        return jsonify(id=g.account.drives[user_id], driveType="business")

    # --- online meetings -------------------------------------------------------------------------
    def _meetings_collection(self, user_id: str) -> Answer:
        if user_id not in g.account.users:
            return _no_user(user_id)
        if request.method == "POST":
            return self._create_meeting(user_id)
        match = _JOIN_FILTER.match(request.args.get("$filter", ""))
        if match is None:
            needed = "Listing online meetings needs $filter=JoinWebUrl eq '{joinWebUrl}'."
            return odata_error(400, "BadRequest", needed)
        join = match.group(1).replace("''", "'")
        with self._lock:
            found = [
                m["data"]
                for m in self._meetings.values()
                if m["owner"] == user_id and m["data"]["joinWebUrl"] == join
            ]
            return jsonify(value=copy.deepcopy(found))

    def _create_or_get(self, user_id: str) -> Answer:
        """The meeting with this externalId if the organiser has one, else a new one (Graph's
        idempotent create)."""
        if user_id not in g.account.users:
            return _no_user(user_id)
        body = request.get_json(silent=True) or {}
        external = body.get("externalId")
        if not isinstance(external, str) or not external:
            return odata_error(400, "BadRequest", "externalId is required for createOrGet.")
        with self._lock:
            for meeting in self._meetings.values():
                if meeting["owner"] == user_id and meeting["data"].get("externalId") == external:
                    return jsonify(copy.deepcopy(meeting["data"]))
        return self._create_meeting(user_id)

    def _create_meeting(self, user_id: str) -> Answer:
        tenant, now = g.account.tenant, _now()
        thread = f"19:meeting_{secrets.token_urlsafe(36)}@thread.v2"
        meeting_id = base64.urlsafe_b64encode(f"1*{user_id}*0**{thread}".encode()).decode()
        meeting_id = meeting_id.rstrip("=")
        context = f"%7b%22Tid%22%3a%22{tenant}%22%2c%22Oid%22%3a%22{user_id}%22%7d"
        encoded_thread = thread.replace(":", "%3a").replace("@", "%40")
        organizer = {
            "upn": g.account.users[user_id]["userPrincipalName"],
            "role": "presenter",
            "identity": {"user": {"id": user_id, "displayName": None}},
        }
        data = copy.deepcopy(MEETING_DEFAULTS) | {
            "id": meeting_id,
            "creationDateTime": _graph_time(now),
            "startDateTime": _graph_time(now),
            "endDateTime": _graph_time(now + timedelta(hours=1)),
            "joinWebUrl": f"https://teams.microsoft.com/l/meetup-join/{encoded_thread}/0"
            f"?context={context}",
            "chatInfo": {"threadId": thread, "messageId": "0", "replyChainMessageId": None},
            "participants": {"organizer": organizer, "attendees": []},
        }
        _merge(data, request.get_json(silent=True) or {})
        problem = _times_problem(data)
        if problem:
            return odata_error(400, "BadRequest", problem)
        _issue_join_settings(data)
        with self._lock:
            self._meetings[meeting_id] = {"owner": user_id, "tenant": tenant, "data": data}
            return jsonify(copy.deepcopy(data)), 201

    def _meeting(self, user_id: str, meeting_id: str) -> Answer:
        with self._lock:
            found = self._owned_meeting(user_id, meeting_id)
            if request.method == "DELETE":
                self.deletions[f"onlineMeeting:{meeting_id}"] += 1
            if found is None:
                return odata_error(404, "NotFound", "The online meeting was not found.")
            if request.method == "DELETE":
                del self._meetings[meeting_id]
                return Response(status=204)
            if request.method == "PATCH":
                updated = copy.deepcopy(found["data"])
                _merge(updated, request.get_json(silent=True) or {})
                problem = _times_problem(updated)
                if problem:
                    return odata_error(400, "BadRequest", problem)
                _issue_join_settings(updated)
                found["data"] = updated
            return jsonify(copy.deepcopy(found["data"]))

    def _owned_meeting(self, user_id: str, meeting_id: str) -> dict[str, Any] | None:
        found = self._meetings.get(meeting_id)
        if found is None or found["owner"] != user_id or found["tenant"] != g.account.tenant:
            return None
        return found

    # --- recordings and drive items --------------------------------------------------------------
    def _recordings_collection(self, user_id: str, meeting_id: str) -> Answer:
        with self._lock:
            if self._owned_meeting(user_id, meeting_id) is None:
                return odata_error(404, "NotFound", "The online meeting was not found.")
            every = copy.deepcopy(list(self._recordings.get(meeting_id, {}).values()))
        skip, size = int(request.args.get("$skiptoken") or 0), self.recordings_page_size
        here = f"{self.graph_url}/users/{user_id}/onlineMeetings/{meeting_id}/recordings"
        answer: dict[str, Any] = {"value": every[skip : skip + size]}
        if skip + size < len(every):
            answer["@odata.nextLink"] = f"{here}?$skiptoken={skip + size}"
        return jsonify(answer)

    def _recording(self, user_id: str, meeting_id: str, recording_id: str) -> Answer:
        with self._lock:
            if request.method == "DELETE":
                self.deletions[f"callRecording:{recording_id}"] += 1
                message = "Delete is not supported for callRecording; delete its file instead."
                return odata_error(405, "BadRequest", message)
            found = self._recordings.get(meeting_id, {}).get(recording_id)
            if self._owned_meeting(user_id, meeting_id) is None or found is None:
                return odata_error(404, "NotFound", "The recording was not found.")
            return jsonify(copy.deepcopy(found))

    def _delete_user_item(self, user_id: str, item_id: str) -> Answer:
        if user_id not in g.account.users:
            return _no_user(user_id)
        return self._remove_item(g.account.drives[user_id], item_id, permanently=False)

    def _delete_item(self, drive_id: str, item_id: str) -> Answer:
        return self._remove_item(drive_id, item_id, permanently=False)

    def _erase(self, drive_id: str, item_id: str) -> Answer:
        return self._remove_item(drive_id, item_id, permanently=True)

    def _remove_item(self, drive_id: str, item_id: str, *, permanently: bool) -> Answer:
        with self._lock:
            self.deletions[f"driveItem:{item_id}"] += 1
            mine = drive_id in g.account.drives.values()
            item = self._items[drive_id].pop(item_id, None) if mine else None
            if item is None:
                return odata_error(404, "itemNotFound", "The resource could not be found.")
            if not permanently:
                self._recycled[drive_id][item_id] = item
            meeting_id, recording_id = item["_recording"]
            self._recordings.get(meeting_id, {}).pop(recording_id, None)
            return Response(status=204)

    # --- subscriptions ---------------------------------------------------------------------------
    def _subscriptions_collection(self) -> Answer:
        if request.method == "GET":
            with self._lock:
                self._lapse()
                mine = [
                    s["data"]
                    for s in self._subscriptions.values()
                    if s["tenant"] == g.account.tenant
                ]
                return jsonify(value=copy.deepcopy(mine))
        body = request.get_json(silent=True) or {}
        kind, problem = self._resource_problem(str(body["resource"]), str(body["changeType"]))
        expires = _parse_time(body["expirationDateTime"])
        problem = problem or _expiry_problem(expires, kind)
        lifecycle = body.get("lifecycleNotificationUrl")
        long_lived = expires is not None and expires > _now() + timedelta(hours=1)
        if not problem and kind != "meetingCallEvents" and not lifecycle and long_lived:
            problem = (
                "lifecycleNotificationUrl is required for subscription creation on this "
                "resource when the expirationDateTime value exceeds 1 hour."
            )
        if problem:
            return odata_error(400, "InvalidRequest", problem)
        for url in dict.fromkeys(u for u in (body["notificationUrl"], lifecycle) if u):
            problem = _handshake_problem(str(url))
            if problem:
                return odata_error(400, "ValidationError", problem)
        assert expires is not None
        keys = ("resource", "changeType", "clientState", "notificationUrl")
        data: dict[str, Any] = {k: body.get(k) for k in (*keys, "lifecycleNotificationUrl")}
        data |= {
            "id": str(uuid.uuid4()),
            "applicationId": g.account.client_id,
            "creatorId": str(uuid.uuid4()),
            "expirationDateTime": _graph_time(expires),
            "includeResourceData": bool(body.get("includeResourceData")),
            "latestSupportedTlsVersion": "v1_2",
        }
        with self._lock:
            self._subscriptions[data["id"]] = {
                "tenant": g.account.tenant,
                "kind": kind,
                "data": data,
            }
            return jsonify(copy.deepcopy(data)), 201

    def _subscription(self, subscription_id: str) -> Answer:
        with self._lock:
            self._lapse()
            found = self._subscriptions.get(subscription_id)
            if request.method == "DELETE":
                self.deletions[f"subscription:{subscription_id}"] += 1
            if found is None or found["tenant"] != g.account.tenant:
                message = f"The object '{subscription_id}' was not found."
                return odata_error(404, "ResourceNotFound", message)
            if request.method == "DELETE":
                del self._subscriptions[subscription_id]
                return Response(status=204)
            if request.method == "PATCH":
                body = request.get_json(silent=True) or {}
                expires = _parse_time(body.get("expirationDateTime"))
                problem = _expiry_problem(expires, found["kind"])
                if problem or expires is None:
                    return odata_error(400, "InvalidRequest", problem or "")
                found["data"]["expirationDateTime"] = _graph_time(expires)
            return jsonify(copy.deepcopy(found["data"]))

    def _resource_problem(self, resource: str, change_type: str) -> tuple[str, str | None]:
        """The resource's kind (for its limits), and why Graph would refuse it, if it would."""
        tenant = g.account.tenant
        with self._lock:
            if match := _CALL_EVENTS.match(resource):
                join = unquote(match.group(1))
                known = any(
                    m["tenant"] == tenant and m["data"]["joinWebUrl"] == join
                    for m in self._meetings.values()
                )
                taken = any(
                    s["data"]["resource"] == resource and s["tenant"] == tenant
                    for s in self._subscriptions.values()
                )
                problem = (
                    "The online meeting with this joinWebUrl was not found."
                    if not known
                    # "One subscription allowed per application per online meeting."
                    else "A subscription to this meeting's call events already exists."
                    if taken
                    else None
                    if change_type == "updated"
                    else "meetingCallEvents supports changeType 'updated' only."
                )
                return "meetingCallEvents", problem
            if match := _RECORDINGS.match(resource):
                known = self._meetings.get(match.group(1), {}).get("tenant") == tenant
                kind, where = "recordings", "The online meeting was not found."
            elif match := _ALL_RECORDINGS.match(resource):
                known = match.group(1) in g.account.users
                kind, where = "getAllRecordings", "The user was not found."
            else:
                return "", f"Resource '{resource}' is not supported for change notifications."
        if not known:
            return kind, where
        return kind, None if change_type == "created" else "Recordings support 'created' only."

    def _lapse(self) -> None:
        now = _now()
        for key, sub in list(self._subscriptions.items()):
            expires = _parse_time(sub["data"]["expirationDateTime"])
            if expires is not None and expires <= now:
                del self._subscriptions[key]

    def _drive_of(self, user_id: str) -> str:
        return next(a.drives[user_id] for a in self._accounts.values() if user_id in a.drives)


# --- rules Graph applies that its metadata does not state ---------------------------------------
def _spec_problem() -> str | None:
    from jsonschema.exceptions import best_match
    from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
    from openapi_core.exceptions import OpenAPIError

    try:
        _graph_openapi().validate_request(WerkzeugOpenAPIRequest(request))
    except OpenAPIError as exc:
        errors = getattr(exc.__cause__, "schema_errors", None)
        if not errors:
            return str(exc)[:300]
        best = best_match(errors)
        return f"{'/'.join(str(p) for p in best.absolute_path) or 'body'}: {best.message[:300]}"
    body = request.get_json(silent=True) if request.data else None
    schema = None
    if request.path.startswith("/v1.0/subscriptions"):
        schema = "microsoft.graph.subscription"
    elif request.method in ("POST", "PATCH") and "/onlineMeetings" in request.path:
        schema = "microsoft.graph.onlineMeeting"
    if schema and isinstance(body, dict):
        unknown = _undeclared(body, {"$ref": f"#/components/schemas/{schema}"}, "")
        if unknown:
            return f"{unknown[0]}: the property does not exist on type '{schema}'"
    return None


def _declared(schema: dict[str, Any]) -> dict[str, Any] | None:
    """An object schema's declared properties (through $ref, allOf, anyOf), or None."""
    schemas = load_spec_dict(GRAPH_SPEC)["components"]["schemas"]
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        return next((p for p in map(_declared, schema["anyOf"]) if p is not None), None)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged |= _declared(part) or {}
        return merged
    return schema.get("properties") if schema.get("type") == "object" else None


def _undeclared(value: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    # OData refuses properties its types do not declare (onlineMeeting is not an open type).
    declared = _declared(schema) or {}
    found = []
    for key, inner in value.items():
        if key not in declared and not key.startswith("@odata."):
            found.append(f"{where}{key}")
        elif isinstance(inner, dict):
            found += _undeclared(inner, declared[key], f"{where}{key}/")
    return found


def _meeting_problem(body: dict[str, Any]) -> str | None:
    read_only = sorted(_READ_ONLY & body.keys())
    settings = body.get("joinMeetingIdSettings")
    if isinstance(settings, dict):
        read_only += [
            f"joinMeetingIdSettings/{k}" for k in _READ_ONLY_JOIN_SETTINGS & settings.keys()
        ]
    if read_only:
        return f"{read_only[0]}: the property is read-only"
    if ("startDateTime" in body) != ("endDateTime" in body):
        return "startDateTime and endDateTime must be given together"
    return None


def _subscription_problem(body: dict[str, Any], *, creating: bool) -> str | None:
    if not creating:
        if set(body) - _SUBSCRIPTION_CHANGEABLE:
            return "only the expiry and notification URLs of a subscription can change"
        return None if body.get("expirationDateTime") else "expirationDateTime: required"
    missing = [name for name in _SUBSCRIPTION_REQUIRED if not body.get(name)]
    if missing:
        return f"{missing[0]}: the property is required"
    if not set(str(body["changeType"]).split(",")) <= {"created", "updated", "deleted"}:
        return f"changeType: '{body['changeType']}' is not a list of created, updated, deleted"
    return None


def _expiry_problem(expires: datetime | None, kind: str) -> str | None:
    now, minutes = _now(), MAX_MINUTES.get(kind, 4230)
    if expires is None or expires <= now:
        return "Subscription expiration must be in the future."
    if expires > now + timedelta(minutes=minutes):
        return f"Subscription expiration can only be {minutes} minutes in the future."
    return None


def _times_problem(data: dict[str, Any]) -> str | None:
    start, end = _parse_time(data.get("startDateTime")), _parse_time(data.get("endDateTime"))
    if start is None or end is None or end <= start:
        return "The meeting's endDateTime must be after its startDateTime."
    return None


def _handshake_problem(url: str) -> str | None:
    """Graph's validation handshake: the token must come back as text/plain within 10 s."""
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        return "Subscription notificationUrl must be an https URL."
    token = f"{VALIDATION_TOKEN}Request-Id: {uuid.uuid4()}"
    try:
        answer = requests.post(
            url,
            params={"validationToken": token},
            headers={"Content-Type": "text/plain; charset=utf-8"},
            timeout=HANDSHAKE_SECONDS,
        )
    except requests.RequestException:
        return HANDSHAKE_FAILED
    if answer.status_code != 200 or answer.text != token:
        return HANDSHAKE_FAILED
    if not answer.headers.get("Content-Type", "").startswith("text/plain"):
        return f"{HANDSHAKE_FAILED} The answer must be text/plain."
    return None


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _issue_join_settings(data: dict[str, Any]) -> None:
    # Teams issues the meeting id and the passcode; both are read-only at Graph.
    settings = data.setdefault("joinMeetingIdSettings", {})
    settings.setdefault("joinMeetingId", str(random.randint(10**12, 10**13 - 1)))
    if not settings.get("isPasscodeRequired"):
        settings["passcode"] = None
    elif not settings.get("passcode"):
        settings["passcode"] = secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ") + secrets.token_hex(3)


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith("_")}


def _no_user(user_id: str) -> tuple[Response, int]:
    message = (
        f"Resource '{user_id}' does not exist or one of its queried reference-property objects "
        "are not present."
    )
    return odata_error(404, "Request_ResourceNotFound", message)
