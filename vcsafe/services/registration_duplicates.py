"""An email already registered for a meeting, registering again.

A double click, a second visit, or someone the organiser removed: the unique index on
(meeting, lower(email)) turns the new registration away (it covers active and removed
registrations), and the person behind the address is emailed what happened. The page says the
same to everyone either way, so no one learns from it who is registered or who was removed.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox, new_link_token
from vcsafe.models import Meeting, Organisation, Registrant, RegistrantStatus
from vcsafe.services import emails


def find(session: Session, meeting_id: int, email: str) -> Registrant | None:
    """The registration the unique index found for this email, if it still exists."""
    return session.scalar(
        select(Registrant).where(
            Registrant.meeting_id == meeting_id,
            func.lower(Registrant.email) == email.strip().lower(),
            # As the unique index.
            Registrant.status.in_([RegistrantStatus.ACTIVE, RegistrantStatus.REMOVED]),
        )
    )


def answer(session: Session, box: SecretsBox, registrant: Registrant, *, base_url: str) -> None:
    """Email the address: a fresh private link if they are registered; why nothing was
    registered if the organiser removed them (their old link keeps working)."""
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None
    organisation = session.get(Organisation, meeting.organisation_id)
    assert organisation is not None
    if registrant.status is RegistrantStatus.REMOVED:
        emails.queue_registration_refused(session, box, meeting, organisation, registrant)
        return
    token, token_hash = new_link_token()
    registrant.manage_token_hash = token_hash
    emails.queue_already_registered(
        session, box, meeting, organisation, registrant, token, base_url=base_url
    )
