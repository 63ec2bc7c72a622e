"""Emails to a meeting's organisers about something that happened to it outside vcsafe (in
Zoom's or Teams' own app): counts and settings only, never a registrant's name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox
from vcsafe.models import Meeting, OutboundEmail, Role, User, utcnow
from vcsafe.services import emails


def recipients(session: Session, meeting: Meeting) -> list[str]:
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


def product_of(meeting: Meeting) -> str:
    """The name of the meeting's provider, as people know it."""
    account = meeting.provider_account
    return account.kind.product if account is not None else "the provider's own app"


def page_url(meeting: Meeting, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/console/meetings/{meeting.id}"


def queue(
    session: Session,
    box: SecretsBox,
    meeting: Meeting,
    *,
    kind: str,
    subject: str,
    template: str,
    **context: object,
) -> int:
    """Queue one email from templates/email/`template` to each of the meeting's organisers;
    returns how many. The template gets `organisation`, `meeting` and `product` besides."""
    to = recipients(session, meeting)
    body = box.encrypt(
        emails.render(
            template,
            organisation=meeting.organisation,
            meeting=meeting,
            product=product_of(meeting),
            **context,
        )
    )
    now = utcnow()
    session.add_all(
        OutboundEmail(
            organisation_id=meeting.organisation_id,
            kind=kind,
            to_address=address,
            subject=subject,
            body_encrypted=body,
            next_attempt_at=now,
            created_at=now,
        )
        for address in to
    )
    return len(to)
