"""Rules Graph applies that its metadata does not state: meetings, subscriptions, handshake."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.fakes.graph.state import _now, _parse_time

HANDSHAKE_SECONDS = 10.0
# Longest subscription per resource kind (minutes), from Microsoft's subscription docs.
MAX_MINUTES = {"meetingCallEvents": 4320, "recordings": 4230, "getAllRecordings": 4230}
_READ_ONLY = {"id", "joinWebUrl", "creationDateTime", "chatInfo", "videoTeleconferenceId"}
_READ_ONLY |= {"meetingOptionsWebUrl", "attendeeReport", "recordings", "transcripts"}
_READ_ONLY_JOIN_SETTINGS = {"passcode", "joinMeetingId"}
_SUBSCRIPTION_REQUIRED = ("changeType", "notificationUrl", "resource", "expirationDateTime")
_SUBSCRIPTION_CHANGEABLE = {"expirationDateTime", "notificationUrl", "lifecycleNotificationUrl"}
HANDSHAKE_FAILED = (
    "Subscription validation request failed. Notification endpoint must respond with 200 OK "
    "to validation request."
)
VALIDATION_TOKEN = "Validation: Testing client application reachability for subscription "


# --- rules Graph applies that its metadata does not state ---------------------------------------
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
