"""The users and meetings routes of the Zoom fake, with their test controls."""

from __future__ import annotations

import base64
import copy
import random
import re
import secrets
import string
from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request

from tests.fakes.zoom.state import Answer, ZoomState, _Account, _error, _zoom_time

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


class MeetingsMixin(ZoomState):
    """GET /users/{userId}, a user's meetings, one meeting; and meetings as tests see them."""

    # --- state, for tests and demo mode ---------------------------------------------------------
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

    def delete_in_app(self, meeting_id: str) -> None:
        """Delete a meeting, with its registrants, as someone in Zoom's own app would (not
        counted in `deletions`, which counts what API clients deleted)."""
        with self._lock:
            del self._meetings[str(meeting_id)]
            self._registrants.pop(str(meeting_id), None)

    # --- users ----------------------------------------------------------------------------
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


def _public(meeting: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in meeting.items() if not k.startswith("_")}


def passcode_is_zooms(value: str) -> bool:
    """Whether a passcode keeps Zoom's rules: at most 10 of letters, digits, @ - _ *."""
    allowed = set(string.ascii_letters + string.digits + "@-_*")
    return 0 < len(value) <= 10 and set(value) <= allowed
