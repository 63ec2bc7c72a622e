"""The change-notification subscriptions routes of the Graph fake, with their test controls."""

from __future__ import annotations

import copy
import re
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from flask import Response, g, jsonify, request

from tests.fakes.graph.rules import _expiry_problem, _handshake_problem
from tests.fakes.graph.state import Answer, GraphState, _graph_time, _now, _parse_time, odata_error

_CALL_EVENTS = re.compile(
    r"^/?communications/onlineMeetings\(joinWebUrl='([^']*)'\)/meetingCallEvents$"
)
_RECORDINGS = re.compile(r"^/?communications/onlineMeetings/([^/]+)/recordings$")
_ALL_RECORDINGS = re.compile(r"^/?users/([^/]+)/onlineMeetings/getAllRecordings$")


class SubscriptionsMixin(GraphState):
    """Creating, listing, renewing and deleting subscriptions (after Graph's validation
    handshake); and subscriptions as tests see them."""

    # --- state, for tests and demo mode ------------------------------------------------------
    def subscriptions(self) -> list[dict[str, Any]]:
        """The subscriptions alive now."""
        with self._lock:
            self._lapse()
            return [copy.deepcopy(s["data"]) for s in self._subscriptions.values()]

    def expire_subscription(self, subscription_id: str) -> None:
        """Let a subscription lapse now, as Graph does when it is not renewed in time."""
        with self._lock:
            self._subscriptions.pop(subscription_id, None)

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
