"""Keeping Microsoft Graph change-notification subscriptions alive for the meetings that need
them: Teams only says a meeting ended or a recording is ready to a subscriber, and every
subscription lapses within days unless renewed. Zoom needs none (its webhooks are set up in
the Zoom app), so its meetings are skipped without a call."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from vcsafe.models import (
    Meeting,
    MeetingState,
    ProviderAccount,
    ProviderKind,
    WebhookSubscription,
)
from vcsafe.providers.base import MeetingProvider, ProviderError, ProviderNotFound
from vcsafe.services.provider_accounts import ProviderFor

log = logging.getLogger(__name__)
#: Asked for on create and renew; Graph caps online-meeting subscriptions below three days.
LIFETIME = timedelta(days=2)
#: Renewed when less than this is left, so a missed worker run or two cannot let one lapse.
RENEW_BEFORE = timedelta(hours=12)
#: After a meeting ends, recordings can take this long to appear.
RECORDING_WINDOW = timedelta(days=3)


@dataclass
class SubscriptionReport:
    created: int = 0
    renewed: int = 0
    removed: int = 0
    failed: int = 0


def notification_url(base_url: str, kind: ProviderKind, account_id: int) -> str:
    """Where the provider posts notifications for an account."""
    return f"{base_url}/webhooks/{kind.value}/{account_id}"


def _still_needed(meeting: Meeting | None, now: datetime) -> bool:
    if meeting is None or meeting.provider_meeting_id is None:
        return False
    if meeting.state is MeetingState.SCHEDULED:
        return True
    return (
        meeting.state is MeetingState.ENDED
        and meeting.ended_at is not None
        and meeting.ended_at >= now - RECORDING_WINDOW
    )


def keep_subscriptions(
    factory: sessionmaker[Session], provider_for: ProviderFor, *, base_url: str, now: datetime
) -> SubscriptionReport:
    """Create missing subscriptions, renew those about to lapse, delete those no longer needed.
    Each item is done and committed on its own; a provider error is logged and retried on the
    next run."""
    report = SubscriptionReport()
    with factory() as session:
        unsubscribed = list(
            session.scalars(
                select(Meeting.id)
                .join(ProviderAccount, ProviderAccount.id == Meeting.provider_account_id)
                .where(
                    ProviderAccount.kind == ProviderKind.TEAMS,
                    Meeting.provider_meeting_id.is_not(None),
                    or_(
                        Meeting.state == MeetingState.SCHEDULED,
                        (Meeting.state == MeetingState.ENDED)
                        & (Meeting.ended_at >= now - RECORDING_WINDOW),
                    ),
                    ~select(WebhookSubscription.id)
                    .where(WebhookSubscription.meeting_id == Meeting.id)
                    .exists(),
                )
                .order_by(Meeting.starts_at)
            )
        )
        # Few rows (two per live Teams meeting): each run looks at all of them.
        existing = list(session.scalars(select(WebhookSubscription.id)))
    for meeting_id in unsubscribed:
        with factory() as session:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None or meeting.provider_account is None:
                continue
            try:
                report.created += _subscribe(session, meeting, provider_for, base_url, now)
            except ProviderError as exc:
                report.failed += 1
                log.warning("meeting %s: subscription not created: %s", meeting_id, exc)
            session.commit()
    for row_id in existing:
        with factory() as session:
            row = session.get(WebhookSubscription, row_id)
            if row is None:
                continue
            meeting = session.get(Meeting, row.meeting_id) if row.meeting_id else None
            try:
                if not _still_needed(meeting, now):
                    _remove(session, row, meeting, provider_for)
                    report.removed += 1
                elif row.expires_at < now + RENEW_BEFORE:
                    assert meeting is not None and meeting.provider_account is not None
                    url = notification_url(
                        base_url, meeting.provider_account.kind, meeting.provider_account_id or 0
                    )
                    if _renew(row, _provider(meeting, provider_for), url, now):
                        report.renewed += 1
                    else:
                        report.created += 1
            except ProviderError as exc:
                report.failed += 1
                log.warning("subscription %s not renewed or removed: %s", row_id, exc)
            session.commit()
    return report


def _provider(meeting: Meeting | None, provider_for: ProviderFor) -> MeetingProvider:
    if meeting is None or meeting.provider_account is None:
        raise ProviderError("the meeting's account was disconnected")
    return provider_for(meeting.provider_account)


def _subscribe(
    session: Session,
    meeting: Meeting,
    provider_for: ProviderFor,
    base_url: str,
    now: datetime,
) -> int:
    account = meeting.provider_account
    assert account is not None and meeting.provider_meeting_id is not None
    provider = provider_for(account)
    url = notification_url(base_url, account.kind, account.id)
    made = 0
    for resource in provider.notification_resources(meeting.provider_meeting_id):
        created = provider.subscribe(resource, url, expires_at=now + LIFETIME)
        session.add(
            WebhookSubscription(
                provider_account_id=account.id,
                meeting_id=meeting.id,
                resource=created.resource,
                subscription_id=created.subscription_id,
                expires_at=created.expires_at,
                created_at=now,
            )
        )
        session.flush()  # each subscription is on record before the next call
        made += 1
    return made


def _renew(row: WebhookSubscription, provider: MeetingProvider, url: str, now: datetime) -> bool:
    """Push the subscription's expiry out; if it already lapsed at the provider, subscribe to
    the same resource afresh. True when renewed, False when made anew."""
    try:
        renewed = provider.renew_subscription(row.subscription_id, expires_at=now + LIFETIME)
    except ProviderNotFound:
        made = provider.subscribe(row.resource, url, expires_at=now + LIFETIME)
        row.subscription_id, row.expires_at = made.subscription_id, made.expires_at
        return False
    row.expires_at = renewed.expires_at
    return True


def _remove(
    session: Session,
    row: WebhookSubscription,
    meeting: Meeting | None,
    provider_for: ProviderFor,
) -> None:
    if meeting is not None and meeting.provider_account is not None:
        provider_for(meeting.provider_account).delete_subscription(row.subscription_id)
    session.delete(row)
