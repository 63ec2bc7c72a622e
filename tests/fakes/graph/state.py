"""The Graph fake's account record, the state its parts share, and how it answers errors."""

from __future__ import annotations

import copy
import secrets
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from flask import Response, g, jsonify

from tests.fakes.controls import ServedFake
from tests.fakes.server import FakeServer

Answer = Response | tuple[Response, int]


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


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith("_")}


def _no_user(user_id: str) -> tuple[Response, int]:
    message = (
        f"Resource '{user_id}' does not exist or one of its queried reference-property objects "
        "are not present."
    )
    return odata_error(404, "Request_ResourceNotFound", message)


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


class GraphState(ServedFake):
    """The state GraphFake keeps (set in its __init__), typed here for the mixins that use it,
    its addresses, and lookups of it for the request being answered."""

    server: FakeServer
    validating: bool
    recordings_page_size: int
    deletions: Counter[str]  # "kind:id" -> deletions asked for
    _lock: threading.RLock
    _accounts: dict[str, _Account]  # by tenant
    _tokens: dict[str, tuple[_Account, float]]  # token -> account, expiry
    _meetings: dict[str, dict[str, Any]]  # id -> owner, tenant, data
    _recordings: dict[str, dict[str, dict[str, Any]]]  # meeting -> id -> rec
    _items: dict[str, dict[str, dict[str, Any]]]  # drive -> item id -> item
    _recycled: dict[str, dict[str, dict[str, Any]]]
    _subscriptions: dict[str, dict[str, Any]]  # id -> tenant, kind, data

    @property
    def graph_url(self) -> str:
        """The Graph base (api_base_url), like https://graph.microsoft.com/v1.0; identity paths
        live under base_url (auth_base_url)."""
        return f"{self.server.base_url}/v1.0"

    def _owned_meeting(self, user_id: str, meeting_id: str) -> dict[str, Any] | None:
        found = self._meetings.get(meeting_id)
        if found is None or found["owner"] != user_id or found["tenant"] != g.account.tenant:
            return None
        return found

    def _drive_of(self, user_id: str) -> str:
        return next(a.drives[user_id] for a in self._accounts.values() if user_id in a.drives)
