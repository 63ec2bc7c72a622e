"""Outbound change notifications: built as Graph shapes them, validated and sent."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import requests

from tests.fakes.graph.rules import HANDSHAKE_SECONDS
from tests.fakes.graph.spec import _schema_validator
from tests.fakes.graph.state import GraphState, _graph_time, _now


class NotificationsMixin(GraphState):
    """The change notifications Graph would post about a meeting, and posting them."""

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
