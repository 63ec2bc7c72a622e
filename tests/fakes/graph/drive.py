"""The hand-coded users and OneDrive routes of the Graph fake, with their test controls."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request

from tests.fakes.graph.state import Answer, GraphState, _no_user, _public, odata_error


class DriveMixin(GraphState):
    """GET /users/{id} and /users/{id}/drive, deleting drive items (to the recycle bin or for
    good, taking their callRecording along); and OneDrive as tests see it."""

    # --- state, for tests and demo mode ------------------------------------------------------
    def drive_items(self, user_id: str) -> list[dict[str, Any]]:
        """The files in a user's OneDrive (not in its recycle bin)."""
        with self._lock:
            return [_public(i) for i in self._items[self._drive_of(user_id)].values()]

    def recycle_bin(self, user_id: str) -> list[dict[str, Any]]:
        """The files in a user's OneDrive recycle bin."""
        with self._lock:
            return [_public(i) for i in self._recycled[self._drive_of(user_id)].values()]

    # --- users and drives (hand-coded) ----------------------------------------------------------
    def _user(self, user_id: str) -> Answer:
        user = g.account.users.get(user_id)
        if user is None:
            return _no_user(user_id)
        fields = request.args.get("$select")
        if fields:
            user = {k: v for k, v in user.items() if k in fields.split(",")}
        return jsonify({"@odata.context": f"{self.graph_url}/$metadata#users/$entity"} | user)

    def _drive(self, user_id: str) -> Answer:
        if user_id not in g.account.users:
            return _no_user(user_id)
        return jsonify(id=g.account.drives[user_id], driveType="business")

    # --- drive items -----------------------------------------------------------------------------
    def _delete_user_item(self, user_id: str, item_id: str) -> Answer:
        if user_id not in g.account.users:
            return _no_user(user_id)
        return self._remove_item(g.account.drives[user_id], item_id, permanently=False)

    def _delete_item(self, drive_id: str, item_id: str) -> Answer:
        return self._remove_item(drive_id, item_id, permanently=False)

    def _erase(self, drive_id: str, item_id: str) -> Answer:
        return self._remove_item(drive_id, item_id, permanently=True)

    def _remove_item(self, drive_id: str, item_id: str, *, permanently: bool) -> Answer:
        with self._lock:
            self.deletions[f"driveItem:{item_id}"] += 1
            mine = drive_id in g.account.drives.values()
            item = self._items[drive_id].pop(item_id, None) if mine else None
            if item is None:
                return odata_error(404, "itemNotFound", "The resource could not be found.")
            if not permanently:
                self._recycled[drive_id][item_id] = item
            meeting_id, recording_id = item["_recording"]
            self._recordings.get(meeting_id, {}).pop(recording_id, None)
            return Response(status=204)
