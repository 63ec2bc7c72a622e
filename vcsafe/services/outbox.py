"""Delivering queued emails, one at a time, each in its own transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from vcsafe.crypto import SecretsBox
from vcsafe.mailer import Letter, Mailer, MailError
from vcsafe.models import OutboundEmail

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to an hour."""
    return min(MAX_BACKOFF, timedelta(seconds=30 * 2 ** max(0, attempts - 1)))


def _claim(session: Session, now: datetime, skip: set[int]) -> OutboundEmail | None:
    stmt = (
        select(OutboundEmail)
        .where(OutboundEmail.sent_at.is_(None), OutboundEmail.next_attempt_at <= now)
        .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if skip:
        stmt = stmt.where(OutboundEmail.id.not_in(skip))
    return session.scalar(stmt)


def send_due(
    factory: sessionmaker[Session],
    mailer: Mailer,
    box: SecretsBox,
    *,
    now: datetime,
    limit: int = 500,
) -> DeliveryReport:
    """Send what is due. A sent email keeps no address or body; a failure waits and retries."""
    report = DeliveryReport()
    tried: set[int] = set()
    for _ in range(limit):
        with factory.begin() as session:
            email = _claim(session, now, tried)
            if email is None:
                break
            tried.add(email.id)
            try:
                mailer.send(_letter(email, box))
            except MailError as exc:
                email.attempts += 1
                email.next_attempt_at = now + retry_delay(email.attempts)
                email.last_error = str(exc)
                report.failed += 1
                log.warning(
                    "email %s (%s) not sent, attempt %d: %s",
                    email.id,
                    email.kind,
                    email.attempts,
                    exc,
                )
                continue
            email.sent_at = now
            email.to_address = ""
            email.body_encrypted = None
            report.sent += 1
    return report


def _letter(email: OutboundEmail, box: SecretsBox) -> Letter:
    """The email as it is sent: its body decrypted, only for the moment of sending."""
    assert email.body_encrypted is not None  # unsent emails keep their body
    try:
        body = box.decrypt(email.body_encrypted)
    except ValueError as exc:  # the secret key changed without keeping the old one
        raise MailError(str(exc)) from None
    return Letter(
        id=email.id,
        organisation_id=email.organisation_id,
        registrant_id=email.registrant_id,
        kind=email.kind,
        to_address=email.to_address,
        subject=email.subject,
        body=body,
    )
