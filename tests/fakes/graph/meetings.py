"""The online meetings routes of the Graph fake, with their test controls."""

from __future__ import annotations

import base64
import copy
import random
import re
import secrets
from datetime import timedelta
from typing import Any

from flask import Response, g, jsonify, request

from tests.fakes.graph.rules import _times_problem
from tests.fakes.graph.state import Answer, GraphState, _graph_time, _no_user, _now, odata_error

_JOIN_FILTER = re.compile(r"^\s*JoinWebUrl\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
# A tenant's standard meeting policy: what an onlineMeeting gets when the request is silent.
MEETING_DEFAULTS: dict[str, Any] = {
    "subject": None,
    "isBroadcast": False,
    "externalId": None,
    "videoTeleconferenceId": None,
    "audioConferencing": None,
    "allowedPresenters": "everyone",
    "allowedLobbyAdmitters": "organizerAndCoOrganizersAndPresenters",
    "allowMeetingChat": "enabled",
    "allowAttendeeToEnableCamera": True,
    "allowAttendeeToEnableMic": True,
    "allowParticipantsToChangeName": False,
    "allowRecording": True,
    "allowTranscription": True,
    "allowTeamworkReactions": True,
    "allowWhiteboard": True,
    "isEntryExitAnnounced": False,
    "recordAutomatically": False,
    "lobbyBypassSettings": {"scope": "organization", "isDialInBypassEnabled": False},
    "joinMeetingIdSettings": {"isPasscodeRequired": True},
}


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _issue_join_settings(data: dict[str, Any]) -> None:
    # Teams issues the meeting id and the passcode; both are read-only at Graph.
    settings = data.setdefault("joinMeetingIdSettings", {})
    settings.setdefault("joinMeetingId", str(random.randint(10**12, 10**13 - 1)))
    if not settings.get("isPasscodeRequired"):
        settings["passcode"] = None
    elif not settings.get("passcode"):
        settings["passcode"] = secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ") + secrets.token_hex(3)


class MeetingsMixin(GraphState):
    """A user's online meetings (list by joinWebUrl, create, createOrGet, get, update, delete);
    and meetings as tests see them."""

    # --- state, for tests and demo mode ------------------------------------------------------
    def meeting(self, meeting_id: str) -> dict[str, Any]:
        """The online meeting as Graph holds it (a copy)."""
        with self._lock:
            return copy.deepcopy(self._meetings[meeting_id]["data"])

    def meeting_ids(self) -> list[str]:
        """Ids of the meetings that exist now."""
        with self._lock:
            return list(self._meetings)

    def delete_in_app(self, meeting_id: str) -> None:
        """Delete an online meeting as someone outside vcsafe would (another Graph client)."""
        with self._lock:
            del self._meetings[meeting_id]

    def set_setting(self, meeting_id: str, name: str, value: Any) -> None:
        """Change a setting as someone in Teams would (drift); a dotted name reaches a nested
        one, e.g. "lobbyBypassSettings.scope"."""
        with self._lock:
            target = self._meetings[meeting_id]["data"]
            *parents, leaf = name.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value

    # --- online meetings -------------------------------------------------------------------------
    def _meetings_collection(self, user_id: str) -> Answer:
        if user_id not in g.account.users:
            return _no_user(user_id)
        if request.method == "POST":
            return self._create_meeting(user_id)
        match = _JOIN_FILTER.match(request.args.get("$filter", ""))
        if match is None:
            needed = "Listing online meetings needs $filter=JoinWebUrl eq '{joinWebUrl}'."
            return odata_error(400, "BadRequest", needed)
        join = match.group(1).replace("''", "'")
        with self._lock:
            found = [
                m["data"]
                for m in self._meetings.values()
                if m["owner"] == user_id and m["data"]["joinWebUrl"] == join
            ]
            return jsonify(value=copy.deepcopy(found))

    def _create_or_get(self, user_id: str) -> Answer:
        """The meeting with this externalId if the organiser has one, else a new one (Graph's
        idempotent create)."""
        if user_id not in g.account.users:
            return _no_user(user_id)
        body = request.get_json(silent=True) or {}
        external = body.get("externalId")
        if not isinstance(external, str) or not external:
            return odata_error(400, "BadRequest", "externalId is required for createOrGet.")
        with self._lock:
            for meeting in self._meetings.values():
                if meeting["owner"] == user_id and meeting["data"].get("externalId") == external:
                    return jsonify(copy.deepcopy(meeting["data"]))
        return self._create_meeting(user_id)

    def _create_meeting(self, user_id: str) -> Answer:
        tenant, now = g.account.tenant, _now()
        thread = f"19:meeting_{secrets.token_urlsafe(36)}@thread.v2"
        meeting_id = base64.urlsafe_b64encode(f"1*{user_id}*0**{thread}".encode()).decode()
        meeting_id = meeting_id.rstrip("=")
        context = f"%7b%22Tid%22%3a%22{tenant}%22%2c%22Oid%22%3a%22{user_id}%22%7d"
        encoded_thread = thread.replace(":", "%3a").replace("@", "%40")
        organizer = {
            "upn": g.account.users[user_id]["userPrincipalName"],
            "role": "presenter",
            "identity": {"user": {"id": user_id, "displayName": None}},
        }
        data = copy.deepcopy(MEETING_DEFAULTS) | {
            "id": meeting_id,
            "creationDateTime": _graph_time(now),
            "startDateTime": _graph_time(now),
            "endDateTime": _graph_time(now + timedelta(hours=1)),
            "joinWebUrl": f"https://teams.microsoft.com/l/meetup-join/{encoded_thread}/0"
            f"?context={context}",
            "chatInfo": {"threadId": thread, "messageId": "0", "replyChainMessageId": None},
            "participants": {"organizer": organizer, "attendees": []},
        }
        _merge(data, request.get_json(silent=True) or {})
        problem = _times_problem(data)
        if problem:
            return odata_error(400, "BadRequest", problem)
        _issue_join_settings(data)
        with self._lock:
            self._meetings[meeting_id] = {"owner": user_id, "tenant": tenant, "data": data}
            return jsonify(copy.deepcopy(data)), 201

    def _meeting(self, user_id: str, meeting_id: str) -> Answer:
        with self._lock:
            found = self._owned_meeting(user_id, meeting_id)
            if request.method == "DELETE":
                self.deletions[f"onlineMeeting:{meeting_id}"] += 1
            if found is None:
                return odata_error(404, "NotFound", "The online meeting was not found.")
            if request.method == "DELETE":
                del self._meetings[meeting_id]
                return Response(status=204)
            if request.method == "PATCH":
                updated = copy.deepcopy(found["data"])
                _merge(updated, request.get_json(silent=True) or {})
                problem = _times_problem(updated)
                if problem:
                    return odata_error(400, "BadRequest", problem)
                _issue_join_settings(updated)
                found["data"] = updated
            return jsonify(copy.deepcopy(found["data"]))
