"""Verifying and reading Zoom webhooks.

Zoom signs each delivery: `x-zm-signature` = "v0=" + hex HMAC-SHA256 of
"v0:{x-zm-request-timestamp}:{raw body}" with the app's secret token. vcsafe compares it in
constant time, refuses deliveries more than five minutes from now, and keeps only event kinds,
ids and times (never names, emails or the payload). Zoom's own examples carry fields its
schemas do not list, so unknown fields are accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from vcsafe.providers.base import (
    InboundWebhook,
    ProviderRecording,
    WebhookChallenge,
    WebhookEvent,
    WebhookKind,
    WebhookRejected,
)

MAX_AGE = timedelta(minutes=5)
KINDS = {
    "meeting.started": WebhookKind.MEETING_STARTED,
    "meeting.ended": WebhookKind.MEETING_ENDED,
    "meeting.updated": WebhookKind.MEETING_UPDATED,
    "meeting.deleted": WebhookKind.MEETING_DELETED,
    "recording.completed": WebhookKind.RECORDING_COMPLETED,
    "recording.deleted": WebhookKind.RECORDING_DELETED,  # deleted for good
    # Not "recording.trashed": the files stay in Zoom's trash for 30 days and can be
    # recovered, so vcsafe keeps the recording on its own schedule and deletes it for good.
}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The x-zm-signature Zoom sends for this delivery."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def parse(
    inbound: InboundWebhook, secret: str, *, now: datetime
) -> WebhookChallenge | list[WebhookEvent]:
    """Verify a delivery; answer the URL validation challenge or return the events it
    carries. Raises WebhookRejected when it is unsigned, wrongly signed, stale or malformed."""
    if not secret:
        raise WebhookRejected("no webhook secret token is set for this Zoom account")
    headers = {k.lower(): v for k, v in inbound.headers.items()}
    given = headers.get("x-zm-signature", "")
    timestamp = headers.get("x-zm-request-timestamp", "")
    if not given or not (timestamp.isascii() and timestamp.isdigit()):
        raise WebhookRejected("the delivery is not signed")
    expected = signature(secret, timestamp, inbound.body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise WebhookRejected("the signature does not match")
    sent = _epoch(int(timestamp))
    if sent is None or abs(now - sent) > MAX_AGE:
        raise WebhookRejected("the delivery is older than five minutes")
    try:
        body = json.loads(inbound.body)
        event = str(body["event"])
        payload = body["payload"]
        if not isinstance(payload, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError, RecursionError):
        raise WebhookRejected("the body is not a Zoom event") from None
    if event == "endpoint.url_validation":
        plain = payload.get("plainToken")
        if not isinstance(plain, str) or not plain:
            raise WebhookRejected("the validation request has no plainToken")
        encrypted = hmac.new(secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
        answer = json.dumps({"plainToken": plain, "encryptedToken": encrypted})
        return WebhookChallenge(body=answer, content_type="application/json")
    identity = hashlib.sha256(f"zoom:{timestamp}:{given}".encode()).hexdigest()
    kind = KINDS.get(event, WebhookKind.OTHER)
    if kind is WebhookKind.OTHER:
        return [WebhookEvent(kind, "", sent, identity)]
    meeting = payload.get("object")
    meeting_id = meeting.get("id") if isinstance(meeting, dict) else None
    if isinstance(meeting_id, int) and not isinstance(meeting_id, bool):
        meeting_id = str(meeting_id)
    if not isinstance(meeting, dict) or not isinstance(meeting_id, str) or not meeting_id:
        raise WebhookRejected(f"the {event} event names no meeting")
    occurred = _time(meeting.get("end_time")) or _event_time(body) or sent
    recording = _recording(meeting, occurred) if event.startswith("recording.") else None
    return [WebhookEvent(kind, meeting_id, occurred, identity, recording)]


def recording_of(meeting: Mapping[str, Any], default: datetime) -> ProviderRecording:
    """A meeting instance's recording as vcsafe keeps it: the instance UUID, when the last
    file ended, and what deleting it needs."""
    files = meeting.get("recording_files")
    ends = [
        t
        for f in (files if isinstance(files, list) else [])
        if isinstance(f, dict) and (t := _time(f.get("recording_end"))) is not None
    ]
    uuid = str(meeting.get("uuid") or "")
    return ProviderRecording(
        recording_id=uuid,
        completed_at=max(ends, default=default),
        refs={"meeting_uuid": uuid, "meeting_id": str(meeting.get("id", ""))},
    )


def _recording(meeting: Mapping[str, Any], occurred: datetime) -> ProviderRecording:
    if not isinstance(meeting.get("uuid"), str) or not meeting["uuid"]:
        raise WebhookRejected("the recording event names no meeting instance")
    return recording_of(meeting, occurred)


def _event_time(body: Mapping[str, Any]) -> datetime | None:
    stamp = body.get("event_ts")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return _epoch(stamp / 1000)
    return None


def _epoch(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):  # out of any calendar's range
        return None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
