"""The purge: delete due registrants and recordings at the provider, then locally, and prove it.

Every item is claimed, done and committed on its own (registrants in batches, each recorded
as one claim row: purge_claims.py, purge_registrants.py; recordings one by one). The provider
copy goes first; before reaching out, the claim is committed, so a worker killed at any moment
restarts by *checking* whether the provider still has the object instead of deleting twice.
A claim is a lease (nobody else may try the item before then), taken and renewed by the
clock, not by when the run began. On PostgreSQL, an advisory lock for claiming, SKIP LOCKED
and the lease let many workers share the work without touching the same item.
"""

from __future__ import annotations

import enum
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, not_, or_, select, union
from sqlalchemy.orm import Session, sessionmaker

from vcsafe.crypto import SecretsBox
from vcsafe.models import Meeting, Recording, RecordingState, Registrant, utcnow
from vcsafe.providers.base import ProviderError, ProviderNotFound, ProviderRecording
from vcsafe.services import purge_claims, purge_registrants, receipts
from vcsafe.services.provider_accounts import ProviderFor
from vcsafe.services.tables import among

log = logging.getLogger(__name__)
#: A claimed item untouched for this long belongs to a worker that died: take it over.
DEFAULT_LEASE = timedelta(minutes=5)


@dataclass
class PurgeReport:
    registrants: int = 0
    recordings: int = 0
    contacts_kept: int = 0
    failed: int = 0
    meetings: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Plan:
    """What a run would delete now (for --dry-run)."""

    registrants: int
    recordings: int
    meetings: int


def _due_recordings(now: datetime) -> ColumnElement[bool]:
    return and_(
        Recording.state != RecordingState.DELETED,
        Recording.purge_due_at <= now,
        Meeting.legal_hold.is_(False),
        or_(Recording.next_attempt_at.is_(None), Recording.next_attempt_at <= now),
    )


def plan(session: Session, *, now: datetime) -> Plan:
    """Count what is due, deleting nothing (items another worker holds are not counted)."""
    due = select(Registrant.meeting_id).join(Meeting).where(purge_claims.due(now))
    if held := purge_claims.held_by_claims(session, now):
        due = due.where(not_(among(session, Registrant.id, held)))
    registrants = due.subquery()
    recordings = select(Recording.meeting_id).join(Meeting).where(_due_recordings(now)).subquery()
    counted = session.execute(
        select(
            select(func.count()).select_from(registrants).scalar_subquery(),
            select(func.count()).select_from(recordings).scalar_subquery(),
        )
    ).one()
    meetings = session.scalar(
        select(func.count()).select_from(
            union(select(registrants.c.meeting_id), select(recordings.c.meeting_id)).subquery()
        )
    )
    return Plan(registrants=counted[0], recordings=counted[1], meetings=meetings or 0)


def run(
    factory: sessionmaker[Session],
    provider_for: ProviderFor,
    *,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
    clock: Callable[[], datetime] = utcnow,
    erase_mail_copies: Callable[[int], int] | None = None,
    progress: Callable[[int], None] | None = None,
    base_url: str = "",
    box: SecretsBox,
) -> PurgeReport:
    """Delete everything due at `now`; safe to run again and to run in several workers at
    once. Leases are taken and renewed by `clock`."""
    run_id = uuid.uuid4().hex
    report = PurgeReport()
    pace = purge_registrants.Pace()
    places = purge_registrants.Places(factory, provider_for)
    while held := purge_claims.claim(factory, now=now, lease=lease, clock=clock, size=pace.size):
        started = time.perf_counter()
        result = purge_registrants.purge_batch(
            factory,
            held,
            places,
            now=now,
            lease=lease,
            clock=clock,
            run_id=run_id,
            erase_mail_copies=erase_mail_copies,
            base_url=base_url,
            box=box,
        )
        pace.learn(len(held.items), time.perf_counter() - started)
        report.registrants += result.deleted
        report.failed += result.failed
        report.contacts_kept += result.contacts_kept
        report.meetings.update(c.meeting_id for c in held.items)
        if progress:
            progress(len(held.items))
    tried: set[int] = set()
    while (claimed := _claim_recording(factory, now, lease, clock, tried)) is not None:
        tried.add(claimed.id)
        outcome = _purge_recording(
            factory, claimed, provider_for, now=now, clock=clock, run_id=run_id
        )
        if outcome is _Outcome.DELETED:
            report.recordings += 1
            report.meetings.add(claimed.meeting_id)
        elif outcome is _Outcome.FAILED:
            report.failed += 1
        if progress:
            progress(1)
    with factory.begin() as session:
        receipts.close_meetings_if_done(session, report.meetings)
    return report


@dataclass(frozen=True)
class _ClaimedRecording:
    id: int
    meeting_id: int
    resumed: bool  # an earlier run may have reached out: ask the provider before deleting
    until: datetime  # the lease: this worker's while `next_attempt_at` still says this


class _Outcome(enum.Enum):
    DELETED = "deleted"
    FAILED = "failed"
    LOST = "lost"  # the lease ran out and another worker took it over


def _claim_recording(
    factory: sessionmaker[Session],
    now: datetime,
    lease: timedelta,
    clock: Callable[[], datetime],
    tried: set[int],
) -> _ClaimedRecording | None:
    """Lock one due recording, lease it and mark it reached, committed: the provider is
    asked about it right after."""
    with factory.begin() as session:
        stmt = (
            select(Recording)
            .join(Meeting, Meeting.id == Recording.meeting_id)
            .where(_due_recordings(now))
            .order_by(Recording.purge_due_at)
            .limit(1)
            .with_for_update(skip_locked=True, of=Recording)
        )
        if tried:
            stmt = stmt.where(Recording.id.not_in(tried))
        recording = session.scalar(stmt)
        if recording is None:
            return None
        resumed = recording.purge_started_at is not None
        recording.purge_started_at = clock()
        recording.next_attempt_at = recording.purge_started_at + lease
        return _ClaimedRecording(
            recording.id, recording.meeting_id, resumed, recording.next_attempt_at
        )


def _purge_recording(
    factory: sessionmaker[Session],
    claimed: _ClaimedRecording,
    provider_for: ProviderFor,
    *,
    now: datetime,
    clock: Callable[[], datetime],
    run_id: str,
) -> _Outcome:
    """Delete one claimed recording at the provider, then its row (counted in a receipt)."""
    with factory() as session:
        recording = session.get(Recording, claimed.id)
        meeting = session.get(Meeting, claimed.meeting_id)
        if recording is None or meeting is None:
            return _Outcome.LOST
        found = ProviderRecording(
            recording_id=recording.provider_recording_id,
            completed_at=recording.completed_at,
            refs=dict(recording.provider_refs),
        )
        meeting_ref = meeting.provider_meeting_id or ""
        account = meeting.provider_account
    error: ProviderError | None = None
    answer = "already gone"
    try:
        if account is None:
            raise ProviderError("the meeting's account was disconnected")
        provider = provider_for(account)
        if not claimed.resumed or provider.recording_exists(meeting_ref, found):
            provider.delete_recording(meeting_ref, found)
            answer = "deleted"
    except ProviderNotFound:
        answer = "already gone"
    except ProviderError as exc:
        error = exc
    with factory.begin() as session:
        recording = session.scalar(
            select(Recording)
            .where(Recording.id == claimed.id, Recording.next_attempt_at == claimed.until)
            .with_for_update()
        )
        if recording is None:
            return _Outcome.LOST
        if error is not None:
            recording.attempts += 1
            recording.next_attempt_at = clock() + purge_registrants.retry_delay(recording.attempts)
            recording.state = RecordingState.FAILING
            recording.last_error = str(error)[:300]
            log.warning(
                "purge: recording %s not deleted (attempt %d): %s",
                recording.id,
                recording.attempts,
                type(error).__name__,
            )
            return _Outcome.FAILED
        meeting = session.get(Meeting, claimed.meeting_id)
        assert meeting is not None
        session.delete(recording)
        receipts.count_recording(session, meeting, run_id, answer=answer, now=now)
    return _Outcome.DELETED
