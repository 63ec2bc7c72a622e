"""Planning, editing and cancelling meetings (the writes); safe settings come from planning.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox
from vcsafe.models import (
    Audience,
    CodeOfConduct,
    CodeOfConductVersion,
    Meeting,
    MeetingState,
    Organisation,
    ProviderAccount,
    RecordingPolicy,
    User,
)
from vcsafe.providers.base import ProviderError, ProviderNotFound
from vcsafe.services import audit, cancellation, planning
from vcsafe.services.errors import DomainError, NotFound
from vcsafe.services.provider_accounts import ProviderFor

MAX_DURATION_MINUTES = 24 * 60
MAX_CAPACITY = 100_000
MAX_RECORDING_RETENTION_DAYS = 365


@dataclass(frozen=True)
class MeetingChoices:
    """What the organiser chose on the meeting form; the start is wall-clock time in `timezone`."""

    title: str
    provider_account_id: int
    starts_local: datetime
    timezone: str
    duration_minutes: int
    capacity: int
    audience: Audience
    recording_policy: RecordingPolicy
    code_of_conduct_version_id: int | None
    registrant_retention_days: int
    recording_retention_days: int
    offer_future_contact: bool


def get_meeting(session: Session, organisation_id: int, meeting_id: int) -> Meeting:
    """A meeting of this organisation; another organisation's is NotFound."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.organisation_id != organisation_id:
        raise NotFound("meeting")
    return meeting


def plan_meeting(
    session: Session,
    organisation: Organisation,
    choices: MeetingChoices,
    *,
    provider_for: ProviderFor,
    box: SecretsBox,
    actor: User,
    now: datetime,
) -> Meeting:
    """Store the meeting, then create it at the provider with safe settings.

    A provider failure leaves a draft with the reason in `provider_error` (retry later).
    """
    meeting = Meeting(
        organisation_id=organisation.id,
        created_by_id=actor.id,
        public_slug=planning.new_public_slug(),
    )
    _apply(session, organisation, meeting, choices, now=now)
    session.add(meeting)
    session.flush()
    audit.record(session, organisation.id, "meeting.planned", actor_id=actor.id, subject=meeting)
    push_to_provider(session, meeting, provider_for=provider_for, box=box, actor=actor)
    return meeting


def update_meeting(
    session: Session,
    organisation: Organisation,
    meeting: Meeting,
    choices: MeetingChoices,
    *,
    provider_for: ProviderFor,
    box: SecretsBox,
    actor: User,
    now: datetime,
) -> None:
    """Change a meeting that has not started yet, and apply the change at the provider."""
    if meeting.state not in (MeetingState.DRAFT, MeetingState.SCHEDULED):
        raise DomainError("Only a meeting that has not ended or been cancelled can be changed.")
    if meeting.starts_at <= now:
        raise DomainError("This meeting has already started; it can no longer be changed.")
    if choices.provider_account_id != meeting.provider_account_id and meeting.provider_meeting_id:
        raise DomainError(
            "A meeting cannot move to another account once created. Cancel it and plan a new one."
        )
    _apply(session, organisation, meeting, choices, now=now)
    audit.record(session, organisation.id, "meeting.changed", actor_id=actor.id, subject=meeting)
    push_to_provider(session, meeting, provider_for=provider_for, box=box, actor=actor)


def push_to_provider(
    session: Session,
    meeting: Meeting,
    *,
    provider_for: ProviderFor,
    box: SecretsBox,
    actor: User | None,
) -> bool:
    """Create the meeting at the provider, or bring its settings up to date. False on failure."""
    account = meeting.provider_account
    if account is None:
        meeting.provider_error = "The meeting's account was disconnected; choose another one."
        return False
    provider = provider_for(account)
    try:
        if meeting.provider_meeting_id is None:
            planning.create_at_provider(session, meeting, provider, box=box, actor=actor)
        else:
            spec = planning.safety_spec(
                meeting, recording_refused=planning.anyone_refused_recording(session, meeting)
            )
            passcode = provider.update_meeting(meeting.provider_meeting_id, spec)
            if passcode:
                meeting.passcode_encrypted = box.encrypt(passcode)
            meeting.safety_settings = planning.spec_as_json(spec)
            meeting.provider_error = ""
    except ProviderError as exc:
        meeting.provider_error = (
            f"Saved in vcsafe, but not yet at {account.label}: {exc} "
            "Use “Try again” on the meeting page."
        )
        return False
    return True


def cancel_meeting(
    session: Session,
    meeting: Meeting,
    *,
    provider_for: ProviderFor,
    box: SecretsBox,
    actor: User,
    now: datetime,
) -> int:
    """Delete the meeting at the provider, then mark it cancelled and its registrants due for
    deletion: their data is no longer needed. Each registrant still registered is emailed that
    the meeting is cancelled (returns how many); see cancellation.tell_registrants_cancelled."""
    if meeting.state in (MeetingState.CANCELLED, MeetingState.PURGED):
        raise DomainError("This meeting is already cancelled.")
    if meeting.state is MeetingState.ENDED:
        raise DomainError("This meeting has already taken place.")
    account = meeting.provider_account
    if meeting.provider_meeting_id and account is not None:
        try:
            provider_for(account).delete_meeting(meeting.provider_meeting_id)
        except ProviderNotFound:
            pass  # already gone at the provider
        except ProviderError as exc:
            raise DomainError(
                f"The meeting could not be cancelled at {account.label}: {exc}"
            ) from exc
    told = cancellation.tell_registrants_cancelled(session, box, meeting, now=now)
    if told is None:  # the provider's report of this very deletion came first
        raise DomainError("This meeting is already cancelled.")
    audit.record(
        session,
        meeting.organisation_id,
        "meeting.cancelled",
        actor_id=actor.id,
        subject=meeting,
        registrants_told=told,
    )
    return told


def _apply(
    session: Session,
    organisation: Organisation,
    meeting: Meeting,
    choices: MeetingChoices,
    *,
    now: datetime,
) -> None:
    """Validate the choices against the organisation's rules and copy them onto the meeting."""
    title = choices.title.strip()
    if not title:
        raise DomainError("Give the meeting a title.")
    account = session.get(ProviderAccount, choices.provider_account_id)
    if account is None or account.organisation_id != organisation.id:
        raise DomainError("Choose one of your organisation's connected accounts.")
    try:
        zone = ZoneInfo(choices.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(f"{choices.timezone!r} is not a time zone vcsafe knows.") from None
    starts_at = _aware(choices.starts_local, zone)
    if starts_at <= now:
        raise DomainError("The start must be in the future.")
    if not 5 <= choices.duration_minutes <= MAX_DURATION_MINUTES:
        raise DomainError("The duration must be between 5 minutes and 24 hours.")
    if not 1 <= choices.capacity <= MAX_CAPACITY:
        raise DomainError(f"The capacity must be between 1 and {MAX_CAPACITY:,}.")
    maximum = organisation.max_registrant_retention_days
    if not 0 <= choices.registrant_retention_days <= maximum:
        raise DomainError(
            f"Registrant data can be kept for 0 to {maximum} days after the meeting "
            "(your organisation's maximum)."
        )
    if not 1 <= choices.recording_retention_days <= MAX_RECORDING_RETENTION_DAYS:
        raise DomainError(f"Recordings can be kept for 1 to {MAX_RECORDING_RETENTION_DAYS} days.")
    if choices.code_of_conduct_version_id is not None:
        version = session.get(CodeOfConductVersion, choices.code_of_conduct_version_id)
        coc = session.get(CodeOfConduct, version.code_of_conduct_id) if version else None
        if coc is None or coc.organisation_id != organisation.id:
            raise DomainError("Choose one of your organisation's codes of conduct.")
    children = choices.audience is Audience.MAY_INCLUDE_CHILDREN
    meeting.title = title
    meeting.provider_account_id = account.id
    meeting.provider_account = account
    meeting.starts_at = starts_at
    meeting.timezone = choices.timezone
    meeting.duration_minutes = choices.duration_minutes
    meeting.capacity = choices.capacity
    meeting.audience = choices.audience
    # The children's profile: no recording, whatever was chosen (the page says why).
    meeting.recording_policy = RecordingPolicy.NONE if children else choices.recording_policy
    meeting.code_of_conduct_version_id = choices.code_of_conduct_version_id
    meeting.registrant_retention_days = choices.registrant_retention_days
    meeting.recording_retention_days = choices.recording_retention_days
    meeting.offer_future_contact = choices.offer_future_contact


def _aware(local: datetime, zone: ZoneInfo) -> datetime:
    """Wall-clock time in `zone` as an aware datetime; times skipped by a clock change refused."""
    aware = local.replace(tzinfo=zone)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if round_trip.replace(tzinfo=None) != local:
        raise DomainError(
            "That time does not exist in this time zone (the clocks change then). "
            "Choose another time."
        )
    return aware
