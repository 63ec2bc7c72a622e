"""Planning meetings: turning an organiser's choices into safe provider settings."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox
from vcsafe.models import Audience, Meeting, MeetingState, RecordingPolicy, User
from vcsafe.providers.base import Chat, MeetingProvider, MeetingSpec, ProviderError
from vcsafe.services import audit, consent_ledger

CHILDREN_PROFILE_REASON = (
    "This meeting may include children, so vcsafe uses the children's profile whatever else was "
    "chosen: no recording, no chat, only the host shares their screen, and everyone waits in the "
    "lobby until admitted."
)


def new_public_slug() -> str:
    """The unguessable part of a meeting's public registration address."""
    return secrets.token_urlsafe(16)


def uses_children_profile(meeting: Meeting) -> bool:
    return meeting.audience is Audience.MAY_INCLUDE_CHILDREN


def anyone_refused_recording(session: Session, meeting: Meeting) -> bool:
    """True when a registrant's latest recording decision is a refusal or a withdrawal."""
    return consent_ledger.count_recording_refusals(session, meeting.id) > 0


def safety_spec(meeting: Meeting, *, recording_refused: bool = False) -> MeetingSpec:
    """The provider-neutral settings for a meeting: safe defaults, children's profile enforced.

    Automatic recording is on only when the policy allows recording, nobody has refused it, and
    no children may attend.
    """
    children = uses_children_profile(meeting)
    records = meeting.recording_policy is not RecordingPolicy.NONE
    return MeetingSpec(
        title=meeting.title,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        timezone=meeting.timezone,
        waiting_room=True,
        registration_required=True,
        join_before_host=False,
        mute_on_entry=True,
        screen_share_host_only=True,
        annotation=False,
        chat=Chat.OFF if children else Chat.HOST_ONLY,
        auto_recording=records and not recording_refused and not children,
        announce_entry=True,
        reference=provider_reference(meeting),
    )


def provider_reference(meeting: Meeting) -> str:
    """A stable name for the meeting at the provider that reveals nothing (not the public
    address): a digest of the meeting's unguessable slug."""
    return "vcsafe-" + hashlib.sha256(meeting.public_slug.encode()).hexdigest()[:20]


def spec_as_json(spec: MeetingSpec) -> dict[str, Any]:
    data = asdict(spec)
    data["starts_at"] = spec.starts_at.isoformat()
    data["chat"] = spec.chat.value
    return data


def create_at_provider(
    session: Session,
    meeting: Meeting,
    provider: MeetingProvider,
    *,
    box: SecretsBox,
    actor: User | None = None,
) -> None:
    """Create the meeting at its provider with safe settings and remember what came back.

    On a provider error the meeting stays a draft with the reason shown, and the error is raised.
    """
    spec = safety_spec(meeting, recording_refused=anyone_refused_recording(session, meeting))
    try:
        created = provider.create_meeting(spec)
    except ProviderError as exc:
        meeting.provider_error = str(exc)
        raise
    meeting.provider_meeting_id = created.meeting_id
    meeting.provider_meeting_uuid = created.uuid
    meeting.join_url = created.join_url
    meeting.host_url_encrypted = box.encrypt(created.host_url) if created.host_url else None
    meeting.passcode_encrypted = box.encrypt(created.passcode) if created.passcode else None
    meeting.safety_settings = spec_as_json(spec)
    meeting.provider_error = ""
    meeting.state = MeetingState.SCHEDULED
    audit.record(
        session,
        meeting.organisation_id,
        "meeting.created_at_provider",
        actor_id=actor.id if actor else None,
        subject=meeting,
        provider=provider.kind,
    )


def scheduled_end(meeting: Meeting) -> datetime:
    """When the meeting is planned to end."""
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


def registrants_deleted_on(meeting: Meeting) -> datetime:
    """When the meeting's registrant data is due for deletion: the date set when it ended or
    was cancelled, or else its retention after the planned end."""
    if meeting.registrants_purge_due_at is not None:
        return meeting.registrants_purge_due_at
    return scheduled_end(meeting) + timedelta(days=meeting.registrant_retention_days)
