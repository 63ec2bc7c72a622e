"""The Zoom fake's account record, the state its parts share, and how it answers errors."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request

from tests.fakes.controls import ServedFake

Answer = Response | tuple[Response, int]


def _zoom_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(status: int, code: int, message: str) -> tuple[Response, int]:
    return jsonify(code=code, message=message), status


class _Account:
    def __init__(self, display_name: str) -> None:
        self.account_id = secrets.token_urlsafe(16)
        self.client_id = secrets.token_urlsafe(16)
        self.secret = secrets.token_urlsafe(24)
        self.webhook_secret = secrets.token_urlsafe(24)
        self.user_id = secrets.token_urlsafe(16)
        self.email = f"host-{secrets.token_hex(3)}@zoom.example"
        self.display_name = display_name


class ZoomState(ServedFake):
    """The state ZoomFake keeps (set in its __init__), typed here for the mixins that use it,
    and lookups of it for the request being answered."""

    validating: bool
    _lock: threading.Lock
    _accounts: dict[str, _Account]  # account id -> account
    _tokens: dict[str, tuple[_Account, float]]
    _meetings: dict[str, dict[str, Any]]  # meeting id -> meeting
    _registrants: dict[str, dict[str, dict[str, Any]]]  # meeting -> id -> reg.
    _recordings: dict[str, dict[str, Any]]  # instance uuid -> recording
    _trash: dict[str, dict[str, Any]]
    deletions: Counter[str]

    def _account(self) -> _Account:
        account: _Account = request.environ["zoom.account"]
        return account

    def _find(self, meeting_id: str) -> dict[str, Any] | None:
        meeting = self._meetings.get(meeting_id)
        if meeting is None or meeting["_account"] != self._account().account_id:
            return None
        return meeting
