"""A local Zoom: the Server-to-Server OAuth token endpoint and the Meetings API, for tests and
demo mode.

Real zoomus and requests code talks to it over loopback. Every Meetings API request is
validated against ../shared/specs/zoom/ZoomMeetingsAPI.endpoints.json (when present); a request
that breaks it is answered 400 with Zoom's error shape and recorded in `violations`. In no spec
file, and so hand-coded from Zoom's documentation: `POST /oauth/token` (account credentials,
HTTP Basic client id and secret) and `GET /users/{userId}` (Users API).

Modelled behaviour: tokens live an hour and are refused once expired; meeting ids are 11-digit
numbers and every meeting has an instance UUID; a registrant added with `auto_approve` gets a
personal join link; DELETE of a registrant removes it for good; recordings are deleted for good
with `action=delete` and moved to the trash with `action=trash`; meeting UUIDs that start with
"/" or contain "//" must arrive double-URL-encoded; a per-second rate limit answers 429 with
Zoom's message and a Retry-After. Outbound webhooks are built, validated against
ZoomMeetingsWebhooks.webhooks.json and signed as Zoom signs them.
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import hashlib
import hmac
import json
import math
import random
import re
import secrets
import string
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import requests
from flask import Flask, Response, jsonify, request
from jsonschema.exceptions import best_match

from tests.fakes.server import FakeServer, install_hooks, load_spec_dict, specs_available
from vcsafe.providers.base import ProviderCredentials

MEETINGS_SPEC = "zoom/ZoomMeetingsAPI.endpoints.json"
WEBHOOKS_SPEC = "zoom/ZoomMeetingsWebhooks.webhooks.json"
TOKEN_SECONDS = 3599
#: A Pro account's defaults for what a create request leaves out (Zoom's documented defaults).
SETTINGS_DEFAULTS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "waiting_room": False,
    "approval_type": 2,
    "registration_type": 1,
    "audio": "both",
    "auto_recording": "none",
    "meeting_authentication": False,
    "private_meeting": False,
    "email_notification": True,
    "registrants_confirmation_email": True,
    "registrants_email_notification": True,
    "close_registration": False,
    "show_share_button": False,
    "allow_multiple_devices": False,
    "focus_mode": False,
    "continuous_meeting_chat": {"enable": False},
}
Answer = Response | tuple[Response, int]


def zoom_specs_available() -> bool:
    """Whether Zoom's descriptions are there to validate against."""
    return specs_available()


@functools.cache
def _meetings_openapi() -> Any:
    """Zoom's Meetings API for openapi-core, loaded once per process."""
    from openapi_core import Config, OpenAPI

    spec = copy.deepcopy(load_spec_dict(MEETINGS_SPEC))
    spec["servers"] = [{"url": "/v2"}]
    spec.pop("security", None)  # the fake checks bearer tokens itself
    for path in spec["paths"].values():
        for operation in path.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    # Checking Zoom's own file against the OpenAPI schema takes seconds and finds nothing
    # (it is Zoom's published description): skipped, the requests are still validated.
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


@functools.cache
def _strict_webhooks() -> dict[str, Any]:
    """Zoom's webhook schemas, where an object that does not say otherwise takes no fields
    beyond those it lists: the fake must not invent fields (vcsafe, receiving, accepts them)."""
    webhooks: dict[str, Any] = copy.deepcopy(load_spec_dict(WEBHOOKS_SPEC)["webhooks"])
    _close_objects(webhooks)
    return webhooks


def _close_objects(node: Any, closable: bool = True) -> None:
    if isinstance(node, list):
        for item in node:
            _close_objects(item, closable)
        return
    if not isinstance(node, dict):
        return
    if closable and "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    for key, value in node.items():
        # A branch of allOf/anyOf/oneOf lists only part of the fields: it stays open.
        _close_objects(value, key not in ("allOf", "anyOf", "oneOf"))


@functools.cache
def _webhook_validator(event: str) -> Any:
    from openapi_schema_validator import OAS31Validator

    webhooks = _strict_webhooks()
    schema = webhooks[event]["post"]["requestBody"]["content"]["application/json"]["schema"]
    components = load_spec_dict(WEBHOOKS_SPEC).get("components", {})
    # Some of Zoom's $refs still point into "#/paths/..." (the file's paths became webhooks):
    # the same webhooks under "paths" lets them resolve.
    root = schema | {"components": components, "paths": webhooks}
    return OAS31Validator(root, format_checker=OAS31Validator.FORMAT_CHECKER)


def _zoom_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(status: int, code: int, message: str) -> tuple[Response, int]:
    return jsonify(code=code, message=message), status


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Zoom's x-zm-signature for a delivery."""
    message = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class _Account:
    def __init__(self, display_name: str) -> None:
        self.account_id = secrets.token_urlsafe(16)
        self.client_id = secrets.token_urlsafe(16)
        self.secret = secrets.token_urlsafe(24)
        self.webhook_secret = secrets.token_urlsafe(24)
        self.user_id = secrets.token_urlsafe(16)
        self.email = f"host-{secrets.token_hex(3)}@zoom.example"
        self.display_name = display_name


class ZoomFake:
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
        self._rate: tuple[float, str | None] | None = None
        self._hits: deque[float] = deque()
        self._routes()

    # --- running --------------------------------------------------------------------------
    def start(self, port: int = 0) -> ZoomFake:
        """Serve on 127.0.0.1 (a random free port by default)."""
        self.server.start(port)
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def violations(self) -> list[str]:
        """Requests that broke Zoom's description."""
        return self.server.violations

    def take_violations(self) -> list[str]:
        """Return and forget the recorded violations (for tests that provoke them)."""
        found = list(self.server.violations)
        self.server.violations.clear()
        return found

    # --- faults ---------------------------------------------------------------------------
    def inject(self, kind: str, **kw: Any) -> Any:
        """Make the next matching requests fail: see tests.fakes.server.Fault."""
        return self.server.inject(kind, **kw)

    def down(self) -> Any:
        """A context in which every request fails with 503."""
        return self.server.down()

    def calls(self, method: str, path_contains: str = "") -> list[Any]:
        """Recorded requests by method and path fragment."""
        return self.server.calls(method, path_contains)

    def rate_limit(self, per_second: float | None, path_contains: str | None = None) -> None:
        """Answer 429 beyond `per_second` requests in any sliding second to matching API paths
        (Zoom's per-second limits); None lifts it."""
        with self._lock:
            self._rate = None if per_second is None else (per_second, path_contains)
            self._hits.clear()

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

    def meeting(self, meeting_id: str) -> dict[str, Any]:
        """The meeting as Zoom holds it (a copy)."""
        with self._lock:
            return copy.deepcopy(self._meetings[str(meeting_id)])

    def meeting_ids(self) -> list[str]:
        with self._lock:
            return list(self._meetings)

    def set_setting(self, meeting_id: str, name: str, value: Any) -> None:
        """Change a setting as someone in Zoom's own app would (drift). `name` is a key of
        `settings`, or `password` for the meeting passcode."""
        with self._lock:
            meeting = self._meetings[str(meeting_id)]
            if name == "password":
                meeting["password"] = value
            else:
                meeting["settings"][name] = value

    def registrants(self, meeting_id: str) -> list[dict[str, Any]]:
        """The meeting's registrants that exist now."""
        with self._lock:
            return copy.deepcopy(list(self._registrants.get(str(meeting_id), {}).values()))

    def add_registrants(
        self, meeting_id: str, people: list[tuple[str, str, str]]
    ) -> list[dict[str, Any]]:
        """Approved registrants (first name, last name, email), as if each had been added with
        `auto_approve`, without an HTTP request each (tests that need thousands). Returns them
        as Zoom holds them: `id` is the registrant id, `join_url` their personal link."""
        added = []
        with self._lock:
            held = self._registrants[str(meeting_id)]
            for first_name, last_name, email in people:
                registrant_id = secrets.token_urlsafe(16)
                held[registrant_id] = {
                    "id": registrant_id,
                    "email": email,
                    "first_name": first_name,
                    "last_name": last_name,
                    "status": "approved",
                    "create_time": _zoom_time(datetime.now(UTC)),
                    "join_url": f"https://zoom.example/w/{meeting_id}"
                    f"?tk={secrets.token_urlsafe(24)}",
                }
                added.append(copy.deepcopy(held[registrant_id]))
        return added

    def add_recording(
        self,
        meeting_id: str,
        *,
        completed_at: datetime | None = None,
        ended_at: datetime | None = None,
        instance_uuid: str = "",
    ) -> str:
        """A finished cloud recording of a meeting's instance (as if someone recorded it),
        ending at `completed_at` (or `ended_at`, the same); returns the instance UUID. A
        second recording of the same meeting is a new instance with its own UUID."""
        ended = completed_at or ended_at or datetime.now(UTC)
        with self._lock:
            meeting = self._meetings[str(meeting_id)]
            uuid = instance_uuid or meeting["uuid"]
            if uuid in self._recordings:  # a second instance of the same meeting
                uuid = base64.b64encode(secrets.token_bytes(16)).decode()
            started = ended - timedelta(minutes=meeting["duration"])
            files = [
                self._file(uuid, started, ended, "MP4", "shared_screen_with_speaker_view"),
                self._file(uuid, started, ended, "M4A", "audio_only"),
            ]
            self._recordings[uuid] = {
                "uuid": uuid,
                "id": int(meeting["id"]),
                "account_id": meeting["_account"],
                "host_id": meeting["host_id"],
                "topic": meeting["topic"],
                "type": "2",
                "start_time": _zoom_time(started),
                "duration": meeting["duration"],
                "total_size": sum(f["file_size"] for f in files),
                "recording_count": len(files),
                "recording_files": files,
            }
        return uuid

    def recordings(self, meeting_id: str) -> list[dict[str, Any]]:
        """The meeting's recordings that exist now (not in the trash)."""
        with self._lock:
            return [
                copy.deepcopy(r)
                for r in self._recordings.values()
                if str(r["id"]) == str(meeting_id)
            ]

    def trash(self) -> list[dict[str, Any]]:
        """Recordings moved to the trash (kept 30 days by Zoom)."""
        with self._lock:
            return copy.deepcopy(list(self._trash.values()))

    def deletes_of(self, kind: str, object_id: str) -> int:
        """DELETEs asked for one object ("meeting", "registrant", "recording"), whether or not
        it still existed."""
        with self._lock:
            return self.deletions[f"{kind}:{object_id}"]

    # --- outbound webhooks ----------------------------------------------------------------
    def webhook(
        self,
        event: str,
        meeting_id: str = "",
        *,
        secret: str | ProviderCredentials,
        now: datetime | None = None,
        plain_token: str = "",
        recording_uuid: str = "",
        changes: dict[str, Any] | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """Headers and body of a webhook Zoom would send about a meeting, signed with the
        account's webhook secret token (`secret`: the token or the account's credentials).

        Events: meeting.started/ended/updated/deleted, recording.completed/deleted/trashed
        (of `recording_uuid`, default the meeting's own instance) and endpoint.url_validation
        (of `plain_token`). meeting.updated carries `changes` (settings names to new values).
        Every body but the URL check is validated against Zoom's webhook schemas."""
        token = secret.webhook_secret if isinstance(secret, ProviderCredentials) else secret
        when = now or datetime.now(UTC)
        body: dict[str, Any] = {"event": event, "event_ts": int(when.timestamp() * 1000)}
        if event == "endpoint.url_validation":
            body["payload"] = {"plainToken": plain_token or secrets.token_urlsafe(16)}
        else:
            body |= self._event(event, meeting_id, when, recording_uuid, changes or {})
        if self.validating and event != "endpoint.url_validation":
            error = best_match(_webhook_validator(event).iter_errors(body))
            if error is not None:
                where = "/".join(str(p) for p in error.absolute_path) or "body"
                raise ValueError(f"the fake built an invalid {event}: {where}: {error.message}")
        raw = json.dumps(body).encode()
        timestamp = str(int(when.timestamp()))
        return {
            "Content-Type": "application/json",
            "x-zm-request-timestamp": timestamp,
            "x-zm-signature": sign(token, timestamp, raw),
        }, raw

    def send_webhook(self, url: str, event: str, meeting_id: str = "", **kw: Any) -> Any:
        """POST a signed webhook to a live URL, as Zoom would."""
        headers, body = self.webhook(event, meeting_id, **kw)
        return requests.post(url, data=body, headers=headers, timeout=10)

    def _event(
        self,
        event: str,
        meeting_id: str,
        when: datetime,
        recording_uuid: str,
        changes: dict[str, Any],
    ) -> dict[str, Any]:
        """The part of a webhook body after `event` and `event_ts`, shaped as Zoom's
        description of that event has it."""
        with self._lock:
            meeting = copy.deepcopy(self._meetings.get(str(meeting_id), {}))
            recording = copy.deepcopy(
                self._recordings.get(recording_uuid) or self._trash.get(recording_uuid) or {}
            )
        account = meeting.get("_account") or recording.get("account_id") or ""
        core = {
            "uuid": meeting.get("uuid", ""),
            "host_id": meeting.get("host_id", ""),
            "topic": meeting.get("topic", ""),
            "type": 2,
            "start_time": meeting.get("start_time", _zoom_time(when)),
            "timezone": meeting.get("timezone", "UTC"),
            "duration": meeting.get("duration", 60),
        }
        operator = {"operator": meeting.get("host_email", ""), "operator_id": core["host_id"]}
        if event in ("meeting.started", "meeting.ended"):
            obj = {"id": str(meeting_id)} | core
            if event == "meeting.ended":
                obj["end_time"] = _zoom_time(when)
            return {"payload": {"account_id": account, "object": obj}}
        if event == "meeting.deleted":
            obj = {"id": int(meeting_id), "uuid": core["uuid"], "host_id": core["host_id"]}
            return {"payload": {"account_id": account, **operator, "object": obj | {"type": 2}}}
        if event == "meeting.updated":  # Zoom sends only what changed, old and new
            settings = meeting.get("settings", {})
            old = {k: settings[k] for k in changes if k in settings}
            return {
                "payload": {
                    "account_id": account,
                    **operator,
                    "object": {"id": int(meeting_id), "settings": changes},
                    "old_object": {"id": int(meeting_id), "settings": old},
                    "time_stamp": int(when.timestamp() * 1000),
                }
            }
        if not event.startswith("recording."):
            raise ValueError(f"the Zoom fake cannot build a {event} webhook")
        files = recording.get("recording_files", [])
        obj = (
            {"id": int(meeting_id)}
            | core
            | {
                "uuid": recording_uuid or core["uuid"],
                "account_id": account,
                "share_url": f"https://zoom.example/rec/share/{secrets.token_urlsafe(12)}",
                "total_size": sum(f["file_size"] for f in files),
                "recording_count": len(files),
                "recording_files": files,
            }
        )
        if event == "recording.completed":
            obj |= {"password": "", "host_email": meeting.get("host_email", "")}
            return {
                "download_token": secrets.token_urlsafe(32),
                "payload": {"account_id": account, "object": obj},
            }
        return {"payload": {"account_id": account, **operator, "object": obj}}

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
        from openapi_core.exceptions import OpenAPIError

        class _AsSent(WerkzeugOpenAPIRequest):
            """The path as it came over the wire: an instance UUID may hold an encoded "/"."""

            @property
            def path(self) -> str:
                raw = str(request.environ.get("REQUEST_URI") or request.path)
                return raw.split("?", 1)[0]

        try:
            _meetings_openapi().validate_request(_AsSent(request))
        except OpenAPIError as exc:
            errors = getattr(exc.__cause__, "schema_errors", None)
            if not errors:
                return str(exc)[:300]
            best = best_match(errors)
            where = "/".join(str(p) for p in best.absolute_path) or "body"
            return f"{where}: {best.message[:300]}"
        return None

    def _throttle(self) -> Answer | None:
        with self._lock:
            if self._rate is None or not request.path.startswith("/v2/"):
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

    def _account(self) -> _Account:
        account: _Account = request.environ["zoom.account"]
        return account

    # --- OAuth and users ----------------------------------------------------------------------
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

    def _user(self, userId: str) -> Answer:
        account = self._account()
        if userId not in ("me", account.user_id, account.email):
            return _error(404, 1001, f"User does not exist: {userId}.")
        first, _, last = account.display_name.partition(" ")
        return jsonify(
            id=account.user_id,
            first_name=first,
            last_name=last,
            display_name=account.display_name,
            email=account.email,
            type=2,
            status="active",
            account_id=account.account_id,
        )

    # --- meetings -------------------------------------------------------------------------
    def _user_meetings(self, userId: str) -> Answer:
        account = self._account()
        if userId not in ("me", account.user_id, account.email):
            return _error(404, 1001, f"User does not exist: {userId}.")
        if request.method == "POST":
            return self._create_meeting(account)
        with self._lock:
            mine = [m for m in self._meetings.values() if m["_account"] == account.account_id]
        keys = ("id", "uuid", "host_id", "topic", "type", "start_time", "duration")
        listed = [
            {k: m[k] for k in keys}
            | {"timezone": m["timezone"], "created_at": m["created_at"], "join_url": m["join_url"]}
            | {"agenda": m["agenda"][:250]}  # Zoom truncates agendas in lists
            for m in mine
        ]
        return jsonify(
            page_size=300, total_records=len(listed), next_page_token="", meetings=listed
        )

    def _create_meeting(self, account: _Account) -> Answer:
        body = request.get_json(silent=True) or {}
        if not body.get("topic"):
            return _error(400, 300, "Meeting topic is required.")
        password = body.get("password")
        if password is not None and not re.fullmatch(r"[A-Za-z0-9@_*\-]{1,10}", password):
            return _error(400, 300, "Invalid password: the passcode does not meet the rules.")
        meeting_id = str(random.randint(10**10, 10**11 - 1))
        uuid = base64.b64encode(secrets.token_bytes(16)).decode()
        start = body.get("start_time") or _zoom_time(datetime.now(UTC))
        settings = copy.deepcopy(SETTINGS_DEFAULTS) | (body.get("settings") or {})
        meeting = {
            "id": int(meeting_id),
            "uuid": uuid,
            "host_id": account.user_id,
            "host_email": account.email,
            "topic": body["topic"],
            "type": body.get("type", 2),
            "status": "waiting",
            "start_time": start,
            "duration": body.get("duration", 60),
            "timezone": body.get("timezone", "UTC"),
            "agenda": body.get("agenda", ""),
            "created_at": _zoom_time(datetime.now(UTC)),
            "password": password or "",
            "join_url": f"https://zoom.example/j/{meeting_id}?pwd={secrets.token_urlsafe(12)}",
            "start_url": f"https://zoom.example/s/{meeting_id}?zak={secrets.token_urlsafe(24)}",
            "settings": settings,
            "pre_schedule": False,
            "_account": account.account_id,
        }
        if settings.get("approval_type") in (0, 1):
            meeting["registration_url"] = f"https://zoom.example/meeting/register/{meeting_id}"
        with self._lock:
            self._meetings[meeting_id] = meeting
            self._registrants[meeting_id] = {}
        return jsonify(_public(meeting)), 201

    def _find(self, meeting_id: str) -> dict[str, Any] | None:
        meeting = self._meetings.get(meeting_id)
        if meeting is None or meeting["_account"] != self._account().account_id:
            return None
        return meeting

    def _meeting(self, meetingId: str) -> Answer:
        with self._lock:
            meeting = self._find(meetingId)
            if meeting is None:
                return _error(404, 3001, f"Meeting does not exist: {meetingId}.")
            if request.method == "GET":
                return jsonify(_public(meeting))
            if request.method == "DELETE":
                self.deletions[f"meeting:{meetingId}"] += 1
                del self._meetings[meetingId]
                self._registrants.pop(meetingId, None)
                return Response(status=204)
            body = request.get_json(silent=True) or {}
            for key in ("topic", "start_time", "duration", "timezone", "agenda", "password"):
                if key in body:
                    meeting[key] = body[key]
            meeting["settings"].update(body.get("settings") or {})
            if meeting["settings"].get("approval_type") in (0, 1):
                meeting.setdefault(
                    "registration_url", f"https://zoom.example/meeting/register/{meetingId}"
                )
        return Response(status=204)

    # --- registrants ----------------------------------------------------------------------
    def _registrants_collection(self, meetingId: str) -> Answer:
        with self._lock:
            meeting = self._find(meetingId)
            if meeting is None:
                return _error(404, 3001, f"Meeting does not exist: {meetingId}.")
            if meeting["settings"].get("approval_type") not in (0, 1):
                return _error(400, 3000, "Registration has not been enabled for this meeting.")
            held = self._registrants[meetingId]
            if request.method == "GET":
                people = [_registrant_view(r) for r in held.values()]
                return jsonify(
                    page_size=30, total_records=len(people), next_page_token="", registrants=people
                )
            body = request.get_json(silent=True) or {}
            email = str(body.get("email", "")).lower()
            existing = next((r for r in held.values() if r["email"].lower() == email), None)
            if existing is None:
                registrant_id = secrets.token_urlsafe(16)
                existing = {
                    "id": registrant_id,
                    "email": body["email"],
                    "first_name": body["first_name"],
                    "last_name": body.get("last_name", ""),
                    "status": "approved"
                    if body.get("auto_approve") or meeting["settings"]["approval_type"] == 0
                    else "pending",
                    "create_time": _zoom_time(datetime.now(UTC)),
                    "join_url": f"https://zoom.example/w/{meetingId}?tk={secrets.token_urlsafe(24)}",
                }
                held[registrant_id] = existing
        return jsonify(
            id=int(meetingId),
            registrant_id=existing["id"],
            topic=meeting["topic"],
            start_time=meeting["start_time"],
            join_url=existing["join_url"],
        ), 201

    def _registrant_status(self, meetingId: str) -> Answer:
        body = request.get_json(silent=True) or {}
        wanted = {"approve": "approved", "deny": "denied", "cancel": "cancelled"}[body["action"]]
        with self._lock:
            if self._find(meetingId) is None:
                return _error(404, 3001, f"Meeting does not exist: {meetingId}.")
            for person in body.get("registrants") or []:
                held = self._registrants[meetingId].get(person.get("id", ""))
                if held is not None:
                    held["status"] = wanted
        return Response(status=204)

    def _registrant(self, meetingId: str, registrantId: str) -> Answer:
        with self._lock:
            if self._find(meetingId) is None:
                return _error(404, 3001, f"Meeting does not exist: {meetingId}.")
            if request.method == "DELETE":
                self.deletions[f"registrant:{registrantId}"] += 1
            held = self._registrants[meetingId]
            if registrantId not in held:
                return _error(404, 3001, f"Registrant does not exist: {registrantId}.")
            if request.method == "DELETE":
                del held[registrantId]
                return Response(status=204)
            return jsonify(_registrant_view(held[registrantId]))

    # --- recordings -----------------------------------------------------------------------
    def _recording(self, meetingId: str) -> Answer:
        key = _instance_key(meetingId)
        with self._lock:
            recording = self._recordings.get(key) or next(
                (r for r in self._recordings.values() if key and str(r["id"]) == key), None
            )
            owner = self._account().account_id
            if request.method == "DELETE":
                self.deletions[f"recording:{recording['uuid'] if recording else key}"] += 1
            if recording is None or recording["account_id"] != owner:
                return _error(404, 3301, "There is no recording for this meeting.")
            if request.method == "GET":
                return jsonify(recording)
            del self._recordings[recording["uuid"]]
            if request.args.get("action", "trash") == "trash":
                self._trash[recording["uuid"]] = recording
        return Response(status=204)

    @staticmethod
    def _file(
        uuid: str, started: datetime, ended: datetime, kind: str, rtype: str
    ) -> dict[str, Any]:
        return {
            "id": secrets.token_hex(16),
            "meeting_id": uuid,
            "recording_start": _zoom_time(started),
            "recording_end": _zoom_time(ended),
            "file_type": kind,
            "file_extension": kind,
            "file_size": random.randint(10**6, 10**8),
            "recording_type": rtype,
            "status": "completed",
            "play_url": f"https://zoom.example/rec/play/{secrets.token_urlsafe(12)}",
            "download_url": f"https://zoom.example/rec/download/{secrets.token_urlsafe(12)}",
        }


def _instance_key(meeting_id: str) -> str:
    """A meeting id, or an instance UUID as Zoom reads it. UUIDs that start with "/" or hold
    "//" must arrive double-encoded (the router decoded once already); sent encoded only once
    they cannot be told from a path, and are not found."""
    if meeting_id.startswith("/") or "//" in meeting_id:
        return ""
    return unquote(meeting_id) if "%" in meeting_id else meeting_id


def _public(meeting: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in meeting.items() if not k.startswith("_")}


def _registrant_view(held: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in held.items() if not k.startswith("_")}


def _basic_auth(header: str) -> tuple[str, str]:
    if not header.startswith("Basic "):
        return "", ""
    try:
        decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def passcode_is_zooms(value: str) -> bool:
    """Whether a passcode keeps Zoom's rules: at most 10 of letters, digits, @ - _ *."""
    allowed = set(string.ascii_letters + string.digits + "@-_*")
    return 0 < len(value) <= 10 and set(value) <= allowed
