"""The registrants routes of the Zoom fake, with their test controls."""

from __future__ import annotations

import copy
import secrets
from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request

from tests.fakes.zoom.state import Answer, ZoomState, _error, _zoom_time


class RegistrantsMixin(ZoomState):
    """A meeting's registrants: listed, added, approved, fetched, deleted; and as tests see them."""

    # --- state, for tests and demo mode ---------------------------------------------------------
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


def _registrant_view(held: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in held.items() if not k.startswith("_")}
