"""The meeting recordings routes of the Graph fake, with their test controls."""

from __future__ import annotations

import base64
import copy
import random
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import jsonify, request

from tests.fakes.graph.state import Answer, GraphState, _graph_time, _now, odata_error


class RecordingsMixin(GraphState):
    """A meeting's callRecordings (list, get; delete refused); and recordings as tests see and
    make them."""

    # --- state, for tests and demo mode ------------------------------------------------------
    def add_recording(
        self, meeting_id: str, *, ended_at: datetime | None = None, link: str = "drive"
    ) -> str:
        """A finished recording: its callRecording and its file in the organiser's OneDrive.

        `link` is how recordingContentUrl names the file: "drive" (/drives/{id}/items/{id}),
        "user" (/users/{id}/drive/items/{id}) or "none" (only Graph's own content URL).
        """
        ended = ended_at or _now()
        with self._lock:
            meeting = self._meetings[meeting_id]
            owner = meeting["owner"]
            drive_id = self._accounts[meeting["tenant"]].drives[owner]
            recording_id = base64.urlsafe_b64encode(uuid.uuid4().bytes * 3).decode()
            item_id = "01" + secrets.token_hex(16).upper()
            self._items[drive_id][item_id] = {
                "id": item_id,
                "name": f"Meeting Recording {ended:%Y%m%d_%H%M%S}.mp4",
                "size": random.randint(10**6, 10**8),
                "parentReference": {"driveId": drive_id, "path": "/drive/root:/Recordings"},
                "_recording": (meeting_id, recording_id),
            }
            meeting_url = f"{self.graph_url}/users/{owner}/onlineMeetings/{meeting_id}"
            content_url = {
                "drive": f"{self.graph_url}/drives/{drive_id}/items/{item_id}/content",
                "user": f"{self.graph_url}/users/{owner}/drive/items/{item_id}/content",
                "none": f"{meeting_url}/recordings/{recording_id}/content",
            }[link]
            self._recordings.setdefault(meeting_id, {})[recording_id] = {
                "id": recording_id,
                "meetingId": meeting_id,
                "callId": str(uuid.uuid4()),
                "contentCorrelationId": str(uuid.uuid4()),
                "createdDateTime": _graph_time(ended - timedelta(minutes=1)),
                "endDateTime": _graph_time(ended),
                "recordingContentUrl": content_url,
                "meetingOrganizer": {"user": {"id": owner, "displayName": None}},
            }
        return recording_id

    def recordings(self, meeting_id: str) -> list[dict[str, Any]]:
        """The meeting's callRecordings that exist now."""
        with self._lock:
            return copy.deepcopy(list(self._recordings.get(meeting_id, {}).values()))

    # --- recordings and drive items --------------------------------------------------------------
    def _recordings_collection(self, user_id: str, meeting_id: str) -> Answer:
        with self._lock:
            if self._owned_meeting(user_id, meeting_id) is None:
                return odata_error(404, "NotFound", "The online meeting was not found.")
            every = copy.deepcopy(list(self._recordings.get(meeting_id, {}).values()))
        skip, size = int(request.args.get("$skiptoken") or 0), self.recordings_page_size
        here = f"{self.graph_url}/users/{user_id}/onlineMeetings/{meeting_id}/recordings"
        answer: dict[str, Any] = {"value": every[skip : skip + size]}
        if skip + size < len(every):
            answer["@odata.nextLink"] = f"{here}?$skiptoken={skip + size}"
        return jsonify(answer)

    def _recording(self, user_id: str, meeting_id: str, recording_id: str) -> Answer:
        with self._lock:
            if request.method == "DELETE":
                self.deletions[f"callRecording:{recording_id}"] += 1
                message = "Delete is not supported for callRecording; delete its file instead."
                return odata_error(405, "BadRequest", message)
            found = self._recordings.get(meeting_id, {}).get(recording_id)
            if self._owned_meeting(user_id, meeting_id) is None or found is None:
                return odata_error(404, "NotFound", "The recording was not found.")
            return jsonify(copy.deepcopy(found))
