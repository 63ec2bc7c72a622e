"""Pushing stored registrants to Zoom or Teams in the background, retried until it succeeds.

Each registrant is claimed, pushed and committed on its own (SKIP LOCKED on PostgreSQL, so
several workers share the work). When the personal join link arrives, its email is queued.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Exists, exists, func, literal_column, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from vcsafe.crypto import SecretsBox
from vcsafe.models import (
    Meeting,
    MeetingState,
    Organisation,
    PushState,
    Registrant,
    RegistrantStatus,
)
from vcsafe.providers.base import ProviderError, RegistrantRequest
from vcsafe.services import emails, safety_fixes
from vcsafe.services.provider_accounts import ProviderFor

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(minutes=30)


@dataclass
class PushReport:
    pushed: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s, … up to 30 minutes: a provider outage delays links, never drops people."""
    return min(MAX_BACKOFF, timedelta(seconds=10 * 2 ** max(0, attempts - 1)))


def _earlier_registration_at_provider() -> Exists:
    """Whether the person has an earlier registration for the meeting, cancelled or being
    erased, that the provider still knows. Zoom answers a second registration of the same
    email with the first one's registrant, which the purge of the earlier registration would
    then delete: so the new one is pushed only once the purge has deleted the old one."""
    earlier = aliased(Registrant)
    return exists().where(
        earlier.meeting_id == Registrant.meeting_id,
        func.lower(earlier.email) == func.lower(Registrant.email),
        # In the words of ix_registrant_leaving_email's condition, not as a bound value, so
        # that PostgreSQL's generic plans for the prepared statement use that index too.
        earlier.status != literal_column("'active'"),
        earlier.provider_registrant_id.is_not(None),
    )


def _claim(
    session: Session, now: datetime, skip: set[int], accounts_down: set[int]
) -> Registrant | None:
    stmt = (
        select(Registrant)
        .join(Meeting, Meeting.id == Registrant.meeting_id)
        .where(
            Registrant.push_state.in_([PushState.PENDING, PushState.FAILING]),
            Registrant.next_push_at <= now,
            Registrant.status == RegistrantStatus.ACTIVE,
            Meeting.state == MeetingState.SCHEDULED,
            ~_earlier_registration_at_provider(),
        )
        .order_by(Registrant.next_push_at, Registrant.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Registrant)
    )
    if skip:
        stmt = stmt.where(Registrant.id.not_in(skip))
    if accounts_down:
        stmt = stmt.where(Meeting.provider_account_id.not_in(accounts_down))
    return session.scalar(stmt)


def push_due(
    factory: sessionmaker[Session],
    provider_for: ProviderFor,
    *,
    box: SecretsBox,
    now: datetime,
    limit: int = 1000,
) -> PushReport:
    """Push every due registrant once; failures are rescheduled with backoff. Once a provider
    account is found unreachable, its other registrants wait for the next run instead of each
    waiting out the same outage."""
    report = PushReport()
    tried: set[int] = set()
    down: set[int] = set()  # provider accounts that are unreachable now
    for _ in range(limit):
        with factory.begin() as session:
            registrant = _claim(session, now, tried, down)
            if registrant is None:
                break
            tried.add(registrant.id)
            outcome = push_one(session, registrant, provider_for, box=box, now=now)
            if outcome is Outcome.PUSHED:
                report.pushed += 1
            else:
                report.failed += 1
                if outcome is Outcome.UNAVAILABLE:
                    meeting = session.get(Meeting, registrant.meeting_id)
                    if meeting is not None and meeting.provider_account_id is not None:
                        down.add(meeting.provider_account_id)
    return report


class Outcome(enum.Enum):
    PUSHED = "pushed"
    FAILED = "failed"  # this registrant: rescheduled
    UNAVAILABLE = "unavailable"  # the provider: rescheduled, and its other registrants wait


def push_one(
    session: Session,
    registrant: Registrant,
    provider_for: ProviderFor,
    *,
    box: SecretsBox,
    now: datetime,
) -> Outcome:
    """Register one person at the provider and queue their join-link email; for someone who
    refused recording, switch the meeting's automatic recording off first."""
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None and meeting.provider_meeting_id is not None
    account = meeting.provider_account
    if account is None:
        _failed(registrant, now, "the meeting's account was disconnected")
        return Outcome.FAILED
    provider = provider_for(account)
    try:
        if registrant.refused_recording:
            # As the recording notice promises: one "no" switches automatic recording off,
            # and it is off before this person is sent a way in.
            safety_fixes.enforce_recording_refusals(session, meeting, provider_for)
        if provider.personal_join_links:
            answer = provider.add_registrant(
                meeting.provider_meeting_id,
                RegistrantRequest(name=registrant.name, email=registrant.email),
            )
            registrant.provider_registrant_id = answer.registrant_id
            join_url = answer.join_url
        else:
            # Teams: one shared link, sent only to people who gave the required consents
            # (registration refuses anyone who did not).
            join_url = meeting.join_url
    except ProviderError as exc:
        # Logged by kind and status only: a provider's message may quote the person's email.
        _failed(registrant, now, f"{type(exc).__name__} (status {exc.status})")
        return Outcome.UNAVAILABLE if exc.retryable else Outcome.FAILED
    registrant.join_url_encrypted = box.encrypt(join_url)
    registrant.push_state = PushState.PUSHED
    registrant.next_push_at = None
    organisation = session.get(Organisation, meeting.organisation_id)
    assert organisation is not None
    emails.queue_join_link(session, box, meeting, organisation, registrant, join_url)
    return Outcome.PUSHED


def _failed(registrant: Registrant, now: datetime, reason: str) -> None:
    registrant.push_attempts += 1
    registrant.push_state = PushState.FAILING
    registrant.next_push_at = now + retry_delay(registrant.push_attempts)
    # The reason names the provider's problem, never the person.
    log.warning(
        "registrant %s not pushed (attempt %d): %s", registrant.id, registrant.push_attempts, reason
    )
