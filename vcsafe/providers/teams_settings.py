"""vcsafe's safety settings as Microsoft Graph onlineMeeting fields, and back.

Teams has no exact equivalent for some of vcsafe's settings; the closest honest mapping is
used and explained here, and what Teams cannot report reads back as None ("check it in Teams").

| vcsafe (MeetingSpec)   | Graph onlineMeeting                                                  |
|------------------------|----------------------------------------------------------------------|
| waiting_room           | lobbyBypassSettings.scope "organizer", isDialInBypassEnabled false  |
| join_before_host False | the same lobby: nobody but the organiser is in before being admitted |
| screen_share_host_only | allowedPresenters "organizer" (only the organiser presents)          |
| mute_on_entry          | allowAttendeeToEnableMic/Camera false: attendees join without mic    |
|                        | and camera until the organiser allows them (no "muted, may unmute")  |
| annotation False       | allowWhiteboard false                                                |
| chat                   | allowMeetingChat: OFF and HOST_ONLY "disabled", EVERYONE "enabled".  |
|                        | Teams has no host-only chat ("limited" only keeps chat to the live   |
|                        | meeting, everyone still reads everyone), so the safe choice is off;  |
|                        | "limited" or "enabled" read back as chat for everyone (drift).       |
| auto_recording         | recordAutomatically, and allowRecording follows it: the spec's only  |
|                        | recording bit is off when the policy forbids recording, someone      |
|                        | refused, or children may attend, so Teams then offers no record      |
|                        | button at all. Transcription stays off (vcsafe cannot purge it).     |
| announce_entry         | isEntryExitAnnounced                                                 |
| (passcode)             | joinMeetingIdSettings.isPasscodeRequired true (for joining by        |
|                        | meeting id); Teams generates the passcode, read-only                 |
| registration_required, | no such field for plain online meetings (anonymous join is a tenant  |
| manual_approval,       | policy): not set, read back as None                                  |
| authenticated_users_only |                                                                    |
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from vcsafe.providers.base import Chat, LiveSettings, MeetingSpec, ProviderRecording

CHAT_MODES = {Chat.OFF: "disabled", Chat.HOST_ONLY: "disabled", Chat.EVERYONE: "enabled"}
_CHAT_FROM_MODE = {"disabled": Chat.OFF, "limited": Chat.EVERYONE, "enabled": Chat.EVERYONE}
# A drive item named in a URL: /drives/{drive-id}/items/{item-id} or
# /users/{user-id}/drive/items/{item-id} (ids never contain "/", "?" or ")").
_DRIVE_ITEM = re.compile(r"/drives/(?P<drive>[^/?#]+)/items/(?P<item>[^/?#:]+)")
_USER_DRIVE_ITEM = re.compile(r"/users/(?P<user>[^/?#]+)/drive/items/(?P<item>[^/?#:]+)")


def graph_time(when: datetime) -> str:
    """A timezone-aware time as Graph writes it (UTC, `Z`)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: object, default: datetime) -> datetime:
    """A Graph date-time (up to 7 fraction digits, `Z` or an offset); `default` if unreadable."""
    if not isinstance(value, str) or not value:
        return default
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def meeting_body(spec: MeetingSpec) -> dict[str, Any]:
    """The onlineMeeting fields for a spec (used for create and for update)."""
    start = spec.starts_at.astimezone(UTC)
    lobby_for_all = spec.waiting_room or not spec.join_before_host
    return {
        "subject": spec.title,
        "startDateTime": graph_time(start),
        "endDateTime": graph_time(start + timedelta(minutes=spec.duration_minutes)),
        "lobbyBypassSettings": {
            "scope": "organizer" if lobby_for_all else "everyone",
            "isDialInBypassEnabled": not lobby_for_all,
        },
        "allowedLobbyAdmitters": "organizerAndCoOrganizers",
        "allowedPresenters": "organizer" if spec.screen_share_host_only else "everyone",
        "allowMeetingChat": CHAT_MODES[spec.chat],
        "allowAttendeeToEnableMic": not spec.mute_on_entry,
        "allowAttendeeToEnableCamera": not spec.mute_on_entry,
        "allowWhiteboard": spec.annotation,
        "allowParticipantsToChangeName": False,
        "recordAutomatically": spec.auto_recording,
        "allowRecording": spec.auto_recording,
        "allowTranscription": False,
        "isEntryExitAnnounced": spec.announce_entry,
        "joinMeetingIdSettings": {"isPasscodeRequired": True},
    }


def create_or_get_body(spec: MeetingSpec) -> dict[str, Any]:
    """What createOrGet takes: vcsafe's reference as externalId, the subject and the times."""
    body = meeting_body(spec)
    return {"externalId": spec.reference} | {
        k: body[k] for k in ("subject", "startDateTime", "endDateTime")
    }


def recording_fields(enabled: bool) -> dict[str, Any]:
    """The PATCH that switches automatic recording (and with it recording at all) on or off."""
    return {"recordAutomatically": enabled, "allowRecording": enabled}


def live_settings(meeting: dict[str, Any]) -> LiveSettings:
    """What an onlineMeeting says about vcsafe's settings now."""
    lobby = _dict(meeting.get("lobbyBypassSettings"))
    scope = lobby.get("scope")
    dial_in = lobby.get("isDialInBypassEnabled")
    lobby_on: bool | None = None
    if isinstance(scope, str):
        lobby_on = scope == "organizer" and dial_in is not True
    presenters = meeting.get("allowedPresenters")
    mic = _bool(meeting.get("allowAttendeeToEnableMic"))
    whiteboard = _bool(meeting.get("allowWhiteboard"))
    return LiveSettings(
        waiting_room=lobby_on,
        passcode_required=_bool(
            _dict(meeting.get("joinMeetingIdSettings")).get("isPasscodeRequired")
        ),
        registration_required=None,  # plain online meetings have no registration
        manual_approval=None,
        join_before_host=None if lobby_on is None else not lobby_on,
        mute_on_entry=None if mic is None else not mic,
        screen_share_host_only=None if presenters is None else presenters == "organizer",
        annotation=whiteboard,
        chat=_CHAT_FROM_MODE.get(str(meeting.get("allowMeetingChat"))),
        auto_recording=_bool(meeting.get("recordAutomatically")),
        authenticated_users_only=None,  # anonymous join is a tenant policy, not a meeting field
        announce_entry=_bool(meeting.get("isEntryExitAnnounced")),
    )


def passcode_of(meeting: dict[str, Any]) -> str | None:
    """The passcode Teams generated for joining by meeting id (read-only at Graph)."""
    passcode = _dict(meeting.get("joinMeetingIdSettings")).get("passcode")
    return str(passcode) if passcode else None


def drive_item_refs(content_url: object) -> dict[str, str]:
    """Where a recording's file lives, if its content URL names a OneDrive item."""
    if not isinstance(content_url, str):
        return {}
    if match := _DRIVE_ITEM.search(content_url):
        return {"drive_id": match["drive"], "item_id": match["item"]}
    if match := _USER_DRIVE_ITEM.search(content_url):
        return {"user_id": match["user"], "item_id": match["item"]}
    return {}


def recording_from(data: dict[str, Any], *, default_time: datetime) -> ProviderRecording:
    """A callRecording as vcsafe keeps it: id, when it was finished, where its file is."""
    completed = data.get("endDateTime") or data.get("createdDateTime")
    return ProviderRecording(
        recording_id=str(data["id"]),
        completed_at=parse_time(completed, default_time),
        refs=drive_item_refs(data.get("recordingContentUrl")),
    )


def objects(value: object) -> list[dict[str, Any]]:
    """The JSON objects in a Graph collection's `value` (anything else is skipped)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None
