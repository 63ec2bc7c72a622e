"""Receiving provider webhooks: verify, refuse replays, hand the events to lifecycle.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox
from vcsafe.models import ProviderAccount, ProviderKind, WebhookDelivery
from vcsafe.providers.base import (
    InboundWebhook,
    MeetingProvider,
    WebhookChallenge,
    WebhookRejected,
)
from vcsafe.services import lifecycle
from vcsafe.services.errors import NotFound

# Deliveries older than this can no longer pass the signature's age check: forget them.
KEEP_DELIVERIES = timedelta(days=1)


@dataclass(frozen=True)
class Accepted:
    outcomes: list[str]


def account_for(session: Session, kind: ProviderKind, account_id: int) -> ProviderAccount:
    account = session.get(ProviderAccount, account_id)
    if account is None or account.kind is not kind:
        raise NotFound("provider account")
    return account


def receive(
    session: Session,
    account: ProviderAccount,
    provider: MeetingProvider,
    inbound: InboundWebhook,
    *,
    box: SecretsBox,
    base_url: str,
    now: datetime,
) -> WebhookChallenge | Accepted:
    """Verify a delivery and apply its events once. Raises WebhookRejected on a bad signature,
    a stale or replayed delivery, or a malformed body."""
    result = provider.parse_webhook(inbound, now=now)
    if isinstance(result, WebhookChallenge):
        return result
    outcomes = []
    for event in result:
        seen = session.scalar(
            select(WebhookDelivery.id).where(WebhookDelivery.event_id == event.event_id)
        )
        if seen is not None:
            if provider.repeats_are_replays:
                raise WebhookRejected("this delivery was already received (replay)")
            outcomes.append("already received")  # acknowledged again, applied once
            continue
        session.add(
            WebhookDelivery(
                provider_account_id=account.id,
                event_id=event.event_id,
                kind=event.kind.value,
                received_at=now,
            )
        )
        session.flush()
        outcomes.append(
            lifecycle.handle_event(
                session, account, event, provider, box=box, base_url=base_url, now=now
            )
        )
    return Accepted(outcomes)


def forget_old_deliveries(session: Session, *, now: datetime) -> int:
    result = session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.received_at < now - KEEP_DELIVERIES)
    )
    return int(getattr(result, "rowcount", 0) or 0)
