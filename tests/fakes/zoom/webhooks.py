"""Outbound Zoom webhooks: built as Zoom shapes them, validated, signed and sent."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime
from typing import Any

import requests
from jsonschema.exceptions import best_match

from tests.fakes.zoom.spec import _webhook_validator
from tests.fakes.zoom.state import ZoomState, _zoom_time
from vcsafe.providers.base import ProviderCredentials


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Zoom's x-zm-signature for a delivery."""
    message = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class WebhooksMixin(ZoomState):
    """Webhooks about the fake's meetings and recordings, for tests to deliver."""

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
