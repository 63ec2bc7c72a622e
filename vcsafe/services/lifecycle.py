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
    RegistrantStatus,
    Role,
    User,
)
from vcsafe.providers.base import (
    MeetingProvider,
    ProviderError,
    ProviderRecording,
    WebhookEvent,
    WebhookKind,
)
from vcsafe.services import audit, emails, planning
from vcsafe.services.provider_accounts import ProviderFor

log = logging.getLogger(__name__)

# How long the people of a cancelled meeting are kept after it is cancelled: time for the
# worker to send them the notice, which is deleted with the data it is addressed with.
CANCELLATION_NOTICE_TIME = timedelta(hours=1)


def meeting_ended(session: Session, meeting: Meeting, *, ended_at: datetime, source: str) -> bool:
    """Start the registrant clock: data is due `registrant_retention_days` after the end.

    Idempotent: a second notice of the same end changes nothing. True when it changed state.
    """
    if meeting.state in (MeetingState.ENDED, MeetingState.PURGED, MeetingState.CANCELLED):
        return False
    due = ended_at + timedelta(days=meeting.registrant_retention_days)
    # The registrants first, then the meeting (written at the flush): registrants_due().
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


def meeting_gone(
    session: Session, meeting: Meeting, *, box: SecretsBox, base_url: str, now: datetime
) -> int | None:
    """The meeting was deleted at the provider (in Zoom's own app, say): it will not take
    place. Its people are told, as when an organiser cancels it here, and their data is due
    once they have been; its organisers are told what happened. Returns how many registrants
    were told; None when it was not scheduled (a meeting vcsafe cancelled itself, whose
    deletion the provider reports back)."""
    if meeting.state is not MeetingState.SCHEDULED:
        return None
    told = tell_registrants_cancelled(session, box, meeting, now=now)
    if told is None:
        return None
    emails.queue_deleted_at_provider(
        session,
        box,
        meeting,
        _organisers(session, meeting),
        told=told,
        page_url=f"{base_url.rstrip('/')}/console/meetings/{meeting.id}",
    )
    audit.record(
        session,
        meeting.organisation_id,
        "meeting.deleted_at_provider",
        subject=meeting,
        registrants_told=told,
    )
    return told


def _organisers(session: Session, meeting: Meeting) -> list[str]:
    """Who hears about a meeting: whoever planned it, while they can sign in; otherwise the
    organisation's admins."""
    planner = session.get(User, meeting.created_by_id) if meeting.created_by_id else None
    if planner is not None and planner.active:
        return [planner.email]
    return list(
        session.scalars(
            select(User.email)
            .where(
                User.organisation_id == meeting.organisation_id,
                User.role == Role.ADMIN,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def tell_registrants_cancelled(
    session: Session, box: SecretsBox, meeting: Meeting, *, now: datetime
) -> int | None:
    """Mark a meeting cancelled, email each person still registered (a child's guardian) that
    it is, and make their data due CANCELLATION_NOTICE_TIME from now. Returns how many were
    told, or None when the meeting turned out to be cancelled already.

    Two cancellations can race: an organiser's, and the provider's webhook reporting the
    deletion it made. Whichever writes the registrants first holds them until it commits; the
    other waits there, then reads the meeting afresh and finds it cancelled, so nobody is
    told twice.
    """
    due = now + CANCELLATION_NOTICE_TIME
    registrants_due(session, meeting, at=due)  # before the meeting: lock order
    session.refresh(meeting, ["state"])
    if meeting.state is MeetingState.CANCELLED:
        return None
    still_registered = session.execute(
        select(Registrant.id, Registrant.email, Registrant.guardian_email).where(
            Registrant.meeting_id == meeting.id, Registrant.status == RegistrantStatus.ACTIVE
        )
    ).all()
    told = emails.queue_meeting_cancelled(
        session, box, meeting, meeting.organisation, still_registered
    )
    meeting.state = MeetingState.CANCELLED
    meeting.ended_at = now
    meeting.registrants_purge_due_at = due
    return told


def registrants_due(session: Session, meeting: Meeting, *, at: datetime) -> None:
    """Make every registrant of a meeting that will not take place due for deletion `at`, or
    earlier where they were due earlier already (someone who cancelled is not kept longer).

    Lock order: whatever writes a meeting and its registrants in one transaction writes the
    registrants first. The push holds a person while it asks the provider and then writes
    their meeting (switching recording off); registrations, cancellations and the purge write
    people and then, through the triggers, their meeting's count. A change made the other way
    round, meeting first, would deadlock with them. So call this before changing `meeting`
    (its changes are written at the next flush, after this statement).
    """
    session.execute(
        update(Registrant)
        .where(
            Registrant.meeting_id == meeting.id,
            or_(Registrant.purge_due_at.is_(None), Registrant.purge_due_at > at),
        )
        .values(purge_due_at=at)
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
        told = meeting_gone(session, meeting, box=box, base_url=base_url, now=now)
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
