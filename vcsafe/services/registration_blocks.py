"""Keeping someone the organiser removed from registering again once their data is erased.

A removed registration blocks its email for the meeting by itself (the unique index covers it,
migration 0016). When the person erases their data, the row goes, so their address is kept in
its place as a keyed digest (`SecretsBox.digests`), only to be recognised, until the meeting
starts: after that nobody can register anyway, and the cleanup deletes the digest.

The registration page learns whether a meeting has any block from the availability read it
makes anyway (public_meetings.py), so checking costs a meeting without blocks nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox
from vcsafe.models import Meeting, Registrant, RegistrantStatus, RegistrationBlock
from vcsafe.services.meeting_lists import OPEN_STATES


def _normalised(email: str) -> str:
    return email.strip().lower()  # as the unique index compares them


def keep_out(session: Session, box: SecretsBox, registrant: Registrant, *, now: datetime) -> bool:
    """Before a removed person's data is erased: block their address for the meeting while
    anyone can still register for it. Returns whether a block was written."""
    if registrant.status is not RegistrantStatus.REMOVED:
        return False
    meeting = session.get(Meeting, registrant.meeting_id)
    if meeting is None or meeting.state not in OPEN_STATES or meeting.starts_at <= now:
        return False
    # One block per address and meeting: while it lasts, the address cannot register again
    # to be removed a second time.
    session.execute(
        insert(RegistrationBlock).values(
            meeting_id=meeting.id,
            address_digest=box.digests(_normalised(registrant.email))[0],
            created_at=now,
        )
    )
    return True


def is_blocked(session: Session, box: SecretsBox, meeting_id: int, email: str) -> bool:
    """Whether this address was removed from the meeting and then erased."""
    found = session.scalar(
        select(RegistrationBlock.id)
        .where(
            RegistrationBlock.meeting_id == meeting_id,
            RegistrationBlock.address_digest.in_(box.digests(_normalised(email))),
        )
        .limit(1)
    )
    return found is not None


def delete_spent(session: Session, *, now: datetime) -> int:
    """Delete the blocks of meetings nobody can register for any more (started, ended or
    cancelled). Returns how many were deleted."""
    spent = select(Meeting.id).where(
        or_(Meeting.state.not_in(OPEN_STATES), Meeting.starts_at <= now)
    )
    result = session.execute(
        delete(RegistrationBlock)
        .where(RegistrationBlock.meeting_id.in_(spent))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
