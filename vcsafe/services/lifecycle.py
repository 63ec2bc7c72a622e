"""After the meeting: the end of a meeting and its recordings start the retention clocks.

Told by verified webhooks (webhook_intake.py) or found by polling when no webhook came.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from vcsafe.crypto import SecretsBox
from vcsafe.formatting import counted
from vcsafe.models import (
    Meeting,
    MeetingState,
    ProviderAccount,
    Recording,
    RecordingState,
    Registrant,
)
from vcsafe.providers.base import (
    MeetingProvider,
    ProviderError,
    ProviderRecording,
    WebhookEvent,
    WebhookKind,
)
from vcsafe.services import audit, cancellation, planning
from vcsafe.services.provider_accounts import ProviderFor

log = logging.getLogger(__name__)


def meeting_ended(session: Session, meeting: Meeting, *, ended_at: datetime, source: str) -> bool:
    """Start the registrant clock: data is due `registrant_retention_days` after the end.

    Idempotent: a second notice of the same end changes nothing. True when it changed state.
    """
    if meeting.state in (MeetingState.ENDED, MeetingState.PURGED, MeetingState.CANCELLED):
        return False
    due = ended_at + timedelta(days=meeting.registrant_retention_days)
    # The registrants first, then the meeting (written at the flush): see
    # cancellation.registrants_due.
    session.execute(
        update(Registrant)
        .where(
            Registrant.meeting_id == meeting.id,
            or_(Registrant.purge_due_at.is_(None), Registrant.purge_due_at > due),
        )
        .values(purge_due_at=due, manage_token_expires_at=due)
    )
    meeting.state = MeetingState.ENDED
    meeting.ended_at = ended_at
    meeting.registrants_purge_due_at = due
    audit.record(session, meeting.organisation_id, "meeting.ended", subject=meeting, source=source)
    return True


def recording_completed(
    session: Session, meeting: Meeting, found: ProviderRecording, *, source: str
) -> Recording:
    """Remember a recording and start its clock; the same recording twice is one row."""
    recording = session.scalar(
        select(Recording).where(
            Recording.meeting_id == meeting.id,
            Recording.provider_recording_id == found.recording_id,
        )
    )
    if recording is not None:
        return recording
    recording = Recording(
        meeting_id=meeting.id,
        provider_recording_id=found.recording_id,
        provider_refs=dict(found.refs),
        completed_at=found.completed_at,
        purge_due_at=found.completed_at + timedelta(days=meeting.recording_retention_days),
    )
    session.add(recording)
    session.flush()
    audit.record(
        session, meeting.organisation_id, "recording.found", subject=recording, source=source
    )
    return recording


def recording_gone(session: Session, meeting: Meeting, recording_id: str, *, now: datetime) -> None:
    """The recording was deleted at the provider by someone else: nothing left to delete."""
    recording = session.scalar(
        select(Recording).where(
            Recording.meeting_id == meeting.id, Recording.provider_recording_id == recording_id
        )
    )
    if recording is not None and recording.state is not RecordingState.DELETED:
        recording.state = RecordingState.DELETED
        recording.deleted_at = now
        audit.record(
            session, meeting.organisation_id, "recording.deleted_elsewhere", subject=recording
        )


def handle_event(
    session: Session,
    account: ProviderAccount,
    event: WebhookEvent,
    provider: MeetingProvider,
    *,
    box: SecretsBox,
    base_url: str,
    now: datetime,
) -> str:
    """Apply one verified webhook event; returns what happened, for the log."""
    meeting = session.scalar(
        select(Meeting).where(
            Meeting.provider_account_id == account.id,
            Meeting.provider_meeting_id == event.meeting_id,
        )
    )
    if meeting is None:
        return "ignored: not a vcsafe meeting"
    if event.kind is WebhookKind.MEETING_ENDED:
        changed = meeting_ended(session, meeting, ended_at=event.occurred_at, source="webhook")
        return "meeting ended" if changed else "already ended"
    if event.kind is WebhookKind.RECORDING_COMPLETED:
        if event.recording is not None:
            recording_completed(session, meeting, event.recording, source="webhook")
            return "recording noted"
        # Graph only names the meeting: ask for its recordings. If that fails, the polling
        # fallback lists them within one cleanup interval.
        try:
            found = provider.list_recordings(event.meeting_id)
        except ProviderError as exc:
            log.warning("meeting %s: recordings not listed yet: %s", meeting.id, type(exc).__name__)
            return "recording announced; listing deferred to polling"
        for recording in found:
            recording_completed(session, meeting, recording, source="webhook")
        return f"{counted(len(found), 'recording')} noted"
    if event.kind is WebhookKind.RECORDING_DELETED and event.recording is not None:
        recording_gone(session, meeting, event.recording.recording_id, now=now)
        return "recording gone"
    if event.kind is WebhookKind.MEETING_DELETED:
        told = cancellation.meeting_gone(session, meeting, box=box, base_url=base_url, now=now)
        if told is None:
            return "meeting deleted at provider (already cancelled)"
        return f"meeting deleted at provider; {counted(told, 'registrant')} told"
    if event.kind is WebhookKind.MEETING_UPDATED:
        # Someone changed it in the provider's own app: the live checklist shows any drift.
        audit.record(
            session, meeting.organisation_id, "meeting.updated_at_provider", subject=meeting
        )
        return "meeting updated at provider"
    return "ignored"


def poll_overdue(
    factory: sessionmaker[Session],
    provider_for: ProviderFor,
    *,
    now: datetime,
    grace: timedelta,
    recording_window: timedelta = timedelta(days=3),
) -> int:
    """The fallback when no webhook came: meetings past their end plus `grace` are taken as
    ended at their planned end, and their recordings are listed at the provider (for a few
    days after the end, as recordings take time to process). Returns meetings looked at."""
    with factory() as session:
        ids = list(
            session.scalars(
                select(Meeting.id).where(
                    Meeting.provider_meeting_id.is_not(None),
                    or_(
                        Meeting.state == MeetingState.SCHEDULED,
                        (Meeting.state == MeetingState.ENDED)
                        & (Meeting.ended_at >= now - recording_window),
                    ),
                )
            )
        )
    looked = 0
    for meeting_id in ids:
        with factory.begin() as session:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None or meeting.provider_account is None:
                continue
            if meeting.state is MeetingState.SCHEDULED:
                end = planning.scheduled_end(meeting)
                if end + grace > now:
                    continue
                meeting_ended(session, meeting, ended_at=end, source="polling")
            looked += 1
            try:
                found = provider_for(meeting.provider_account).list_recordings(
                    meeting.provider_meeting_id or ""
                )
            except ProviderError as exc:
                log.warning("polling meeting %s: %s", meeting.id, type(exc).__name__)
                continue
            for recording in found:
                recording_completed(session, meeting, recording, source="polling")
    return looked
