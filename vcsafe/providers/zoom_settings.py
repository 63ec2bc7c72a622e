"""vcsafe's safety settings as Zoom meeting fields, and back; passcodes and UUID paths.

| vcsafe (MeetingSpec)      | Zoom meeting field                                              |
|---------------------------|-----------------------------------------------------------------|
| waiting_room              | settings.waiting_room                                           |
| (passcode)                | password: ten random letters and digits, new for every meeting  |
| registration_required     | settings.approval_type 1 (manual): nobody approves themselves;  |
|                           | vcsafe registers and approves people (auto_approve) itself      |
| join_before_host          | settings.join_before_host                                       |
| mute_on_entry             | settings.mute_upon_entry                                        |
| authenticated_users_only  | settings.meeting_authentication                                 |
| auto_recording            | settings.auto_recording "cloud", else "none"                    |
| chat                      | settings.continuous_meeting_chat off (no chat kept after it);   |
|                           | in-meeting chat, screen sharing and annotation are account and  |
|                           | user settings, which the Meetings API cannot set: read as None  |
| announce_entry            | no such setting at Zoom: read as None                           |
"""

from __future__ import annotations

import secrets
import string
from typing import Any
from urllib.parse import quote

from zoomus.util import encode_uuid

from vcsafe.providers.base import LiveSettings, MeetingSpec

PASSCODE_LENGTH = 10  # Zoom's maximum
#: Written into the agenda with vcsafe's reference (Zoom lists the agenda's first 250 chars).
REFERENCE_LABEL = "Planned with vcsafe, ref"


def new_passcode() -> str:
    """Ten random letters and digits, at least one of each (within every Zoom rule)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(PASSCODE_LENGTH))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code


def uuid_in_path(uuid: str) -> str:
    """A meeting instance UUID as a path segment: Zoom wants UUIDs that start with "/" or
    hold "//" encoded twice, and any other "/" encoded once."""
    doubled: str = encode_uuid(uuid)
    return doubled if doubled != uuid else quote(uuid, safe="")


def settings_of(spec: MeetingSpec) -> dict[str, Any]:
    """The meeting's `settings` object for a spec."""
    return {
        "waiting_room": spec.waiting_room,
        "join_before_host": spec.join_before_host,
        "mute_upon_entry": spec.mute_on_entry,
        "approval_type": 1 if spec.registration_required else 2,
        "registration_type": 1,
        "meeting_authentication": spec.authenticated_users_only,
        "auto_recording": "cloud" if spec.auto_recording else "none",
        "registrants_confirmation_email": False,
        "registrants_email_notification": False,
        "host_video": True,
        "participant_video": False,
        "continuous_meeting_chat": {"enable": False},
    }


def live_settings(meeting: dict[str, Any]) -> LiveSettings:
    """What a Zoom meeting says about vcsafe's settings now."""
    settings = meeting.get("settings") if isinstance(meeting.get("settings"), dict) else {}
    assert isinstance(settings, dict)
    approval = settings.get("approval_type")
    recording = settings.get("auto_recording")
    return LiveSettings(
        waiting_room=_bool(settings.get("waiting_room")),
        passcode_required=bool(meeting.get("password")),
        registration_required=None if approval is None else approval in (0, 1),
        manual_approval=None if approval is None else approval == 1,
        join_before_host=_bool(settings.get("join_before_host")),
        mute_on_entry=_bool(settings.get("mute_upon_entry")),
        screen_share_host_only=None,  # an account or user setting at Zoom
        annotation=None,
        chat=None,
        auto_recording=None if recording is None else recording != "none",
        authenticated_users_only=_bool(settings.get("meeting_authentication")),
        announce_entry=None,
    )


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def names_of(full: str) -> tuple[str, str]:
    """A person's name as Zoom's first and last name (at most 64 characters each)."""
    first, _, last = full.strip().rpartition(" ")
    if not first:  # one word
        first, last = last, ""
    return first[:64] or "-", last[:64]
