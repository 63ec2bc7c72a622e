"""Legal holds: an admin pauses a meeting's deletion clocks, with a reason, on the record."""

from __future__ import annotations

from sqlalchemy.orm import Session

from vcsafe.models import Meeting, User
from vcsafe.services import audit
from vcsafe.services.errors import DomainError


def place_hold(session: Session, meeting: Meeting, reason: str, *, actor: User) -> None:
    if not actor.is_admin:
        raise DomainError("Only an admin can place a legal hold.")
    reason = reason.strip()
    if len(reason) < 10:
        raise DomainError("Give the reason for the hold (at least 10 characters).")
    meeting.legal_hold = True
    meeting.legal_hold_reason = reason[:1000]
    audit.record(
        session,
        meeting.organisation_id,
        "meeting.legal_hold_placed",
        actor_id=actor.id,
        subject=meeting,
    )


def release_hold(session: Session, meeting: Meeting, *, actor: User) -> None:
    if not actor.is_admin:
        raise DomainError("Only an admin can release a legal hold.")
    if not meeting.legal_hold:
        raise DomainError("This meeting has no legal hold.")
    meeting.legal_hold = False
    meeting.legal_hold_reason = ""
    audit.record(
        session,
        meeting.organisation_id,
        "meeting.legal_hold_released",
        actor_id=actor.id,
        subject=meeting,
    )
