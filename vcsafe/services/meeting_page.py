"""Everything the organiser's meeting page shows, gathered in one service call."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox
from vcsafe.models import (
    AuditEvent,
    CodeOfConductVersion,
    ConsentPurpose,
    ConsentRecord,
    Meeting,
    MeetingState,
    Organisation,
    Recording,
    Registrant,
    User,
)
from vcsafe.models.audit import CANCELLING_ACTIONS
from vcsafe.providers.base import ProviderError
from vcsafe.services import (
    audit,
    checklist,
    codes,
    consent_ledger,
    meeting_lists,
    planning,
    reminders,
    safety_fixes,
)
from vcsafe.services.meeting_lists import FAILING_AFTER
from vcsafe.services.paging import Page
from vcsafe.services.provider_accounts import ProviderFor

log = logging.getLogger(__name__)
#: The page names at most this many people yet to accept a new code-of-conduct version.
NOT_ACCEPTED_SHOWN = 100


@dataclass(frozen=True)
class HostDetails:
    join_url: str
    host_url: str
    passcode: str


@dataclass(frozen=True)
class Cancellation:
    """Who cancelled a meeting, when, and how many registrants were told."""

    at: datetime
    by: str  # the organiser's name; "" when the provider reported the deletion
    told: int | None  # None for meetings cancelled before vcsafe told anyone


@dataclass(frozen=True)
class MeetingPage:
    meeting: Meeting
    host: HostDetails | None  # None once the meeting is cancelled
    counts: meeting_lists.MeetingCounts
    checklist: checklist.Checklist | None  # None once the meeting is cancelled
    registrants: Page[Registrant]
    consents: dict[int, dict[ConsentPurpose, ConsentRecord]]
    registrants_deleted_on: datetime
    recording_switched_off_now: bool
    children_profile_reason: str
    recordings: list[Recording]
    failing_deletions: int  # registrants or recordings the purge could not delete yet
    not_accepted: list[Registrant]  # who has yet to accept the pinned code-of-conduct version
    newer_code: CodeOfConductVersion | None  # a newer version the meeting could move to
    cancellation: Cancellation | None
    reminder_due: datetime | None  # when the day-before reminder goes, if it is still to go


def load(
    session: Session,
    meeting: Meeting,
    organisation: Organisation,
    provider_for: ProviderFor,
    *,
    box: SecretsBox,
    q: str,
    page: int,
    actor: User,
    now: datetime,
) -> MeetingPage:
    """Counts, live checklist, a page of registrants with their consents, and host details.

    If anyone refused recording, automatic recording is switched off at the provider first.
    Looking at registrants is recorded in the audit log.
    """
    counts = meeting_lists.meeting_counts(session, meeting)
    cancelled = how_cancelled(session, meeting)
    # A cancelled meeting is gone at the provider: nothing there to read, switch or join.
    gone = cancelled is not None or meeting.state is MeetingState.CANCELLED
    account = meeting.provider_account
    provider = provider_for(account) if account is not None else None
    switched = False
    if counts.refused_recording and not gone:
        try:
            switched = safety_fixes.enforce_recording_refusals(
                session, meeting, provider_for, actor=actor
            )
        except ProviderError as exc:
            log.warning("meeting %s: could not switch automatic recording off: %s", meeting.id, exc)
    registrants = meeting_lists.list_registrants(session, meeting.id, q=q, page=page)
    if registrants.items:
        audit.record(
            session,
            meeting.organisation_id,
            "registrants.viewed",
            actor_id=actor.id,
            subject=meeting,
            page=registrants.number,
            searched=bool(q.strip()),
        )
    recordings = list(
        session.scalars(
            select(Recording)
            .where(Recording.meeting_id == meeting.id)
            .order_by(Recording.completed_at)
        )
    )
    failing = (
        session.scalar(
            select(func.count(Registrant.id)).where(
                Registrant.meeting_id == meeting.id,
                Registrant.purge_attempts >= FAILING_AFTER,
            )
        )
        or 0
    )
    return MeetingPage(
        meeting=meeting,
        host=None if gone else _host_details(meeting, box),
        counts=counts,
        checklist=None
        if gone
        else checklist.check(session, meeting, organisation, counts, provider, now=now),
        registrants=registrants,
        consents=consent_ledger.latest_by_registrant(session, [r.id for r in registrants.items]),
        registrants_deleted_on=planning.registrants_deleted_on(meeting),
        recording_switched_off_now=switched,
        children_profile_reason=planning.CHILDREN_PROFILE_REASON
        if planning.uses_children_profile(meeting)
        else "",
        recordings=recordings,
        failing_deletions=failing + sum(1 for r in recordings if r.attempts >= FAILING_AFTER),
        not_accepted=codes.registrants_to_reaccept(session, meeting, limit=NOT_ACCEPTED_SHOWN)
        if counts.not_accepted_current_code
        else [],
        newer_code=codes.newer_version(session, meeting, now=now),
        cancellation=cancelled,
        reminder_due=max(reminders.due_at(meeting), now)
        if meeting.state is MeetingState.SCHEDULED and meeting.reminded_at is None
        else None,
    )


def _host_details(meeting: Meeting, box: SecretsBox) -> HostDetails:
    return HostDetails(
        join_url=meeting.join_url,
        host_url=box.decrypt(meeting.host_url_encrypted) if meeting.host_url_encrypted else "",
        passcode=box.decrypt(meeting.passcode_encrypted) if meeting.passcode_encrypted else "",
    )


def how_cancelled(session: Session, meeting: Meeting) -> Cancellation | None:
    """How a cancelled meeting (whose data may since have been purged) came to be cancelled,
    from the audit log."""
    if meeting.state not in (MeetingState.CANCELLED, MeetingState.PURGED):
        return None
    row = session.execute(
        select(AuditEvent.created_at, AuditEvent.details, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.action.in_(CANCELLING_ACTIONS),
            AuditEvent.subject_type == "meeting",
            AuditEvent.subject_id == meeting.id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    at, details, by = row
    told = (details or {}).get("registrants_told")
    return Cancellation(at=at, by=by or "", told=told if isinstance(told, int) else None)
