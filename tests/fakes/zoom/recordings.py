"""The cloud recordings route of the Zoom fake, with its test controls."""

from __future__ import annotations

import base64
import copy
import random
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from flask import Response, jsonify, request

from tests.fakes.zoom.state import Answer, ZoomState, _error, _zoom_time


class RecordingsMixin(ZoomState):
    """A meeting instance's cloud recording: fetched, deleted, trashed; and as tests see them."""

    # --- state, for tests and demo mode ---------------------------------------------------------
    def add_recording(
        self,
        meeting_id: str,
        *,
        completed_at: datetime | None = None,
        ended_at: datetime | None = None,
        instance_uuid: str = "",
    ) -> str:
        """A finished cloud recording of a meeting's instance (as if someone recorded it),
        ending at `completed_at` (or `ended_at`, the same); returns the instance UUID. A
        second recording of the same meeting is a new instance with its own UUID."""
        ended = completed_at or ended_at or datetime.now(UTC)
        with self._lock:
            meeting = self._meetings[str(meeting_id)]
            uuid = instance_uuid or meeting["uuid"]
            if uuid in self._recordings:  # a second instance of the same meeting
                uuid = base64.b64encode(secrets.token_bytes(16)).decode()
            started = ended - timedelta(minutes=meeting["duration"])
            files = [
                self._file(uuid, started, ended, "MP4", "shared_screen_with_speaker_view"),
                self._file(uuid, started, ended, "M4A", "audio_only"),
            ]
            self._recordings[uuid] = {
                "uuid": uuid,
                "id": int(meeting["id"]),
                "account_id": meeting["_account"],
                "host_id": meeting["host_id"],
                "topic": meeting["topic"],
                "type": "2",
                "start_time": _zoom_time(started),
                "duration": meeting["duration"],
                "total_size": sum(f["file_size"] for f in files),
                "recording_count": len(files),
                "recording_files": files,
            }
        return uuid

    def recordings(self, meeting_id: str) -> list[dict[str, Any]]:
        """The meeting's recordings that exist now (not in the trash)."""
        with self._lock:
            return [
                copy.deepcopy(r)
                for r in self._recordings.values()
                if str(r["id"]) == str(meeting_id)
            ]

    def trash(self) -> list[dict[str, Any]]:
        """Recordings moved to the trash (kept 30 days by Zoom)."""
        with self._lock:
            return copy.deepcopy(list(self._trash.values()))

    # --- recordings -----------------------------------------------------------------------
    def _recording(self, meetingId: str) -> Answer:
        key = _instance_key(meetingId)
        with self._lock:
            recording = self._recordings.get(key) or next(
                (r for r in self._recordings.values() if key and str(r["id"]) == key), None
            )
            owner = self._account().account_id
            if request.method == "DELETE":
                self.deletions[f"recording:{recording['uuid'] if recording else key}"] += 1
            if recording is None or recording["account_id"] != owner:
                return _error(404, 3301, "There is no recording for this meeting.")
            if request.method == "GET":
                return jsonify(recording)
            del self._recordings[recording["uuid"]]
            if request.args.get("action", "trash") == "trash":
                self._trash[recording["uuid"]] = recording
        return Response(status=204)

    @staticmethod
    def _file(
        uuid: str, started: datetime, ended: datetime, kind: str, rtype: str
    ) -> dict[str, Any]:
        return {
            "id": secrets.token_hex(16),
            "meeting_id": uuid,
            "recording_start": _zoom_time(started),
            "recording_end": _zoom_time(ended),
            "file_type": kind,
            "file_extension": kind,
            "file_size": random.randint(10**6, 10**8),
            "recording_type": rtype,
            "status": "completed",
            "play_url": f"https://zoom.example/rec/play/{secrets.token_urlsafe(12)}",
            "download_url": f"https://zoom.example/rec/download/{secrets.token_urlsafe(12)}",
        }


def _instance_key(meeting_id: str) -> str:
    """A meeting id, or an instance UUID as Zoom reads it. UUIDs that start with "/" or hold
    "//" must arrive double-encoded (the router decoded once already); sent encoded only once
    they cannot be told from a path, and are not found."""
    if meeting_id.startswith("/") or "//" in meeting_id:
        return ""
    return unquote(meeting_id) if "%" in meeting_id else meeting_id
