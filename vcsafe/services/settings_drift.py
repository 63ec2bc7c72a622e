"""Drift: the settings a meeting has at the provider now, against the safe ones vcsafe set.

Read back live for the checklist (checklist.py); a change is noted once in the audit log."""

from __future__ import annotations

from sqlalchemy.orm import Session

from vcsafe.models import Meeting
from vcsafe.providers.base import (
    Chat,
    LiveSettings,
    MeetingProvider,
    ProviderError,
    ProviderNotFound,
)
from vcsafe.services import audit, planning

#: Why the live settings could not be read, when the provider no longer has the meeting.
MEETING_GONE = (
    "The provider has no such meeting any more: it was deleted outside vcsafe, in the "
    "provider's own app, say."
)


def read_live(provider: MeetingProvider, meeting: Meeting) -> tuple[LiveSettings | None, str]:
    """The provider's settings now, or None and a reason a person can act on."""
    if not meeting.provider_meeting_id:
        return None, "The meeting is not yet created at the provider."
    try:
        return provider.read_settings(meeting.provider_meeting_id), ""
    except ProviderNotFound:
        return None, MEETING_GONE
    except ProviderError as exc:
        return None, f"vcsafe could not read the live settings: {exc}"


def found(meeting: Meeting, live: LiveSettings) -> list[str]:
    """Names of settings whose live value differs from the safe one vcsafe asked for."""
    spec = planning.safety_spec(meeting)
    wanted = {
        "waiting_room": spec.waiting_room,
        "registration_required": spec.registration_required,
        # Automatic approval would let anyone with the registration page approve themselves.
        "manual_approval": spec.registration_required,
        "join_before_host": spec.join_before_host,
        "mute_on_entry": spec.mute_on_entry,
        "screen_share_host_only": spec.screen_share_host_only,
        "annotation": spec.annotation,
        "passcode_required": True,
    }
    found = [name for name, value in wanted.items() if _known(live, name) not in (None, value)]
    if live.chat is not None and _chat_too_open(live.chat, spec.chat):
        found.append("chat")
    recording_allowed = meeting.safety_settings.get("auto_recording", spec.auto_recording)
    if live.auto_recording and not recording_allowed:
        found.append("auto_recording")
    return found


def _known(live: LiveSettings, name: str) -> bool | None:
    value: bool | None = getattr(live, name)
    return value


def _chat_too_open(live: Chat, wanted: Chat) -> bool:
    order = [Chat.OFF, Chat.HOST_ONLY, Chat.EVERYONE]
    return order.index(live) > order.index(wanted)


def note(session: Session, meeting: Meeting, found: list[str]) -> None:
    if sorted(found) == sorted(meeting.drift or []):
        return
    if found:
        audit.record(
            session,
            meeting.organisation_id,
            "meeting.settings_drift",
            subject=meeting,
            settings=", ".join(sorted(found)),
        )
    meeting.drift = sorted(found)


WORDS = {
    "waiting_room": "waiting room",
    "registration_required": "registration",
    "manual_approval": "approval of registrations by vcsafe only",
    "passcode_required": "passcode",
    "join_before_host": "joining before the host",
    "mute_on_entry": "muting on entry",
    "screen_share_host_only": "host-only screen sharing",
    "annotation": "annotation and whiteboard",
    "chat": "chat restriction",
    "auto_recording": "automatic recording",
}


def words(name: str) -> str:
    return WORDS.get(name, name)
