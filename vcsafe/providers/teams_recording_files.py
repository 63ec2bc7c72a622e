"""Deleting a Teams recording: its file in the organiser's OneDrive, for good.

A callRecording cannot be deleted through Graph (its metadata lists a DELETE, Microsoft's
service does not support it): the file lives in the organiser's OneDrive. Graph v1.0 documents
no link from a callRecording to its driveItem, so vcsafe reads the drive item from the
recording's `recordingContentUrl` when that URL names one (`/drives/{id}/items/{id}` or
`/users/{id}/drive/items/{id}`, see teams_settings.drive_item_refs) and deletes it with
`permanentDelete` (a plain DELETE only moves it to the recycle bin, where it stays for up to
93 days). When no drive item can be found, deletion fails with a message asking the organiser
to delete the file in OneDrive by hand, so the purge shows it as failing instead of pretending
it is done.
"""

from __future__ import annotations

from collections.abc import Mapping

from vcsafe.providers.base import ProviderRejected
from vcsafe.providers.teams_client import GraphClient
from vcsafe.providers.teams_client import path_segment as _q

DELETE_BY_HAND = (
    "Microsoft Teams does not say where this recording's file is kept, so vcsafe cannot delete "
    "it. Ask the organiser to delete the recording in their OneDrive (Recordings folder) and "
    "empty it from the recycle bin."
)


class RecordingFiles:
    """The OneDrive side of a Teams account: where recording files are, and deleting them."""

    def __init__(self, client: GraphClient) -> None:
        self._client = client
        self._drives: dict[str, str] = {}  # user id -> OneDrive drive id

    def delete(self, refs: Mapping[str, str]) -> None:
        """Delete the file `refs` names (drive_id or user_id, and item_id) permanently; an
        already deleted file is fine. ProviderRejected when the file cannot be located."""
        if "item_id" not in refs:
            raise ProviderRejected(DELETE_BY_HAND)
        drive_id = refs.get("drive_id") or self._drive_of(refs.get("user_id", ""))
        if not drive_id:
            raise ProviderRejected(DELETE_BY_HAND)
        self._client.request(
            "POST",
            f"/drives/{_q(drive_id)}/items/{_q(refs['item_id'])}/permanentDelete",
            what="delete the recording's file",
            missing_ok=True,
        )

    def _drive_of(self, user_id: str) -> str:
        if user_id and user_id not in self._drives:
            drive = self._client.json(
                "GET",
                f"/users/{_q(user_id)}/drive",
                params={"$select": "id"},
                what="find the organiser's OneDrive",
            )
            self._drives[user_id] = str(drive.get("id") or "")
        return self._drives.get(user_id, "")
