"""Microsoft Graph change notifications for Teams meetings: what to subscribe to, and reading
what Graph posts back (validation handshake, clientState check, mapping to vcsafe events).

Resources, from Microsoft's documentation:
- "Get change notifications for Microsoft Teams meeting call event updates":
  `communications/onlineMeetings(joinWebUrl='{url-encoded joinWebUrl}')/meetingCallEvents`
  (changeType `updated`; events callStarted, callEnded, rosterUpdated). Without
  includeResourceData the event's properties (eventType, eventDateTime) come in resourceData.
  That page lists application permission for this resource on the beta endpoint; the v1.0
  change-notifications overview lists it among the supported resources.
- "Get change notifications for meeting transcripts and recordings using Microsoft Graph":
  `communications/onlineMeetings/{onlineMeetingId}/recordings` (changeType `created`;
  lifecycleNotificationUrl required when the subscription lives longer than one hour).
  Notifications name `communications/onlineMeetings('{meetingId}')/recordings('{id}')`.

Lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed) are verified
and reported as WebhookKind.OTHER for now: the subscription keeper renews or recreates
subscriptions on its own schedule, and polling covers missed events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from vcsafe.providers.base import InboundWebhook, WebhookChallenge, WebhookKind, WebhookRejected
from vcsafe.providers.teams_settings import graph_time, parse_time

MAX_VALIDATION_TOKEN = 4096
_CALL_EVENTS = re.compile(r"onlineMeetings\(joinWebUrl='(?P<url>[^']*)'\)/meetingCallEvents")
_RECORDING = re.compile(r"onlineMeetings(?:\('(?P<quoted>[^']+)'\)|/(?P<plain>[^/(]+))/recordings")
_CALL_KINDS = {"callEnded": WebhookKind.MEETING_ENDED, "callStarted": WebhookKind.MEETING_STARTED}


def call_events_resource(join_web_url: str) -> str:
    """Subscribe here to hear when the meeting's call starts and ends."""
    encoded = quote(join_web_url, safe="")
    return f"communications/onlineMeetings(joinWebUrl='{encoded}')/meetingCallEvents"


def recordings_resource(meeting_id: str) -> str:
    """Subscribe here to hear when a recording of the meeting is available."""
    return f"communications/onlineMeetings/{meeting_id}/recordings"


def subscription_body(
    resource: str, notification_url: str, *, expires_at: datetime, client_state: str
) -> dict[str, Any]:
    """A Graph subscription for one resource; lifecycle notices go to the same endpoint."""
    return {
        "changeType": "updated" if resource.endswith("/meetingCallEvents") else "created",
        "notificationUrl": notification_url,
        "lifecycleNotificationUrl": notification_url,
        "resource": resource,
        "expirationDateTime": graph_time(expires_at),
        "clientState": client_state,
    }


@dataclass(frozen=True)
class Notice:
    """One verified notification: the event, and how it names its meeting."""

    kind: WebhookKind
    occurred_at: datetime
    event_id: str
    meeting_id: str = ""  # recordings name the meeting by its id
    join_web_url: str = ""  # call events name it by its join link


def read_delivery(
    request: InboundWebhook, *, client_state: str, now: datetime
) -> WebhookChallenge | list[Notice]:
    """Answer a validation handshake, or verify every notification's clientState and read it."""
    token = request.query.get("validationToken")
    if token is not None:
        if not token or len(token) > MAX_VALIDATION_TOKEN:
            raise WebhookRejected("the validation token is empty or too long")
        return WebhookChallenge(body=token, content_type="text/plain")
    if not client_state:
        raise WebhookRejected("this account has no clientState secret to check notifications")
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise WebhookRejected("the notification body is not JSON") from exc
    items = payload.get("value") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise WebhookRejected("the notification body has no list of notifications")
    expected = client_state.encode()
    for item in items:
        given = item.get("clientState")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), expected):
            raise WebhookRejected("a notification's clientState does not match this account")
    return [_notice(item, now) for item in items]


def _notice(item: dict[str, Any], now: datetime) -> Notice:
    resource = item.get("resource")
    if not isinstance(resource, str) or not isinstance(item.get("changeType", ""), str):
        raise WebhookRejected("a notification has no resource")
    raw = item.get("resourceData")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    event_id = _event_id(item, data)
    if item.get("lifecycleEvent"):
        return Notice(WebhookKind.OTHER, now, event_id)
    if match := _CALL_EVENTS.search(resource):
        kind = _CALL_KINDS.get(str(data.get("eventType")), WebhookKind.OTHER)
        when = parse_time(data.get("eventDateTime"), now)
        return Notice(kind, when, event_id, join_web_url=unquote(match["url"]))
    if (match := _RECORDING.search(resource)) and item.get("changeType") == "created":
        meeting_id = match["quoted"] or match["plain"]
        return Notice(WebhookKind.RECORDING_COMPLETED, now, event_id, meeting_id=meeting_id)
    return Notice(WebhookKind.OTHER, now, event_id)


def _event_id(item: dict[str, Any], data: dict[str, Any]) -> str:
    # The notification's identity, never its content: a redelivery gives the same digest.
    parts = [
        item.get("subscriptionId"),
        item.get("id"),
        item.get("changeType"),
        item.get("resource"),
        item.get("lifecycleEvent"),
        data.get("id"),
        data.get("eventType"),
        data.get("eventDateTime"),
    ]
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(joined.encode()).hexdigest()
