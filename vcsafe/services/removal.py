"""Removing someone from a meeting: "participants who breach behaviour rules should be removed".

The organiser removes a registrant from the console. At Zoom their registrant is deleted, so
their personal join link stops working; the registration stays, marked `removed`, so the same
email cannot register for the meeting again (the unique index covers removed registrations,
migration 0016). The row is purged with the meeting's other registrants, on the same clock.

Teams gives everyone one shared link, which vcsafe cannot withdraw from one person: there the
removal stops vcsafe from sending them anything, and the organiser keeps them in the lobby.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from vcsafe.models import Meeting, Registrant, RegistrantStatus, User
from vcsafe.providers.base import ProviderError, ProviderNotFound
from vcsafe.services import audit
from vcsafe.services.errors import DomainError, NotFound
from vcsafe.services.meeting_lists import OPEN_STATES
from vcsafe.services.provider_accounts import ProviderFor


@dataclass(frozen=True)
class Removed:
    # True: their personal link was deleted at the provider. False: there was none to delete
    # (not yet sent to Zoom, or a Teams meeting's shared link).
    link_deleted: bool
    shared_link: bool  # the meeting has one link for everyone (Teams)


def registrant_of(
    session: Session, meeting: Meeting, registrant_id: int, *, lock: bool = False
) -> Registrant:
    """One of the meeting's registrants (`lock`: held until the transaction ends); any other
    id is NotFound."""
    stmt = select(Registrant).where(
        Registrant.id == registrant_id, Registrant.meeting_id == meeting.id
    )
    registrant = session.scalar(stmt.with_for_update() if lock else stmt)
    if registrant is None:
        raise NotFound("registrant")
    return registrant


def remove(
    session: Session,
    meeting: Meeting,
    registrant_id: int,
    *,
    provider_for: ProviderFor,
    actor: User,
) -> Removed:
    """Remove a registrant from an upcoming meeting. Nothing changes unless the provider
    confirmed their link is gone: an organiser is never told someone is out while their link
    still works."""
    if meeting.state not in OPEN_STATES:
        raise DomainError("This meeting has ended or was cancelled: there is no one to remove.")
    # The registrant's row first, then the meeting's (the status change counts them out of it),
    # as every writer does. A push in flight holds the row: this waits for it, then deletes the
    # registrant it created.
    registrant = registrant_of(session, meeting, registrant_id, lock=True)
    if registrant.status is not RegistrantStatus.ACTIVE:
        raise DomainError("Only someone still registered can be removed.")
    account = meeting.provider_account
    provider = provider_for(account) if account is not None else None
    link_deleted = False
    if account and provider and registrant.provider_registrant_id and meeting.provider_meeting_id:
        try:
            provider.remove_registrant(
                meeting.provider_meeting_id, registrant.provider_registrant_id
            )
        except ProviderNotFound:
            pass  # the meeting itself is gone at the provider, and the link with it
        except ProviderError as exc:
            raise DomainError(
                f"{account.label} did not delete their registration, so their joining link "
                f"still works. Nothing was changed: try again in a moment. ({exc})"
            ) from exc
        link_deleted = True
    registrant.status = RegistrantStatus.REMOVED
    registrant.provider_registrant_id = None
    registrant.join_url_encrypted = None
    registrant.next_push_at = None  # out of the push queue
    audit.record(
        session,
        meeting.organisation_id,
        "meeting.registrant_removed",
        actor_id=actor.id,
        subject=meeting,
        link_deleted=link_deleted,
    )
    return Removed(
        link_deleted=link_deleted,
        shared_link=provider is not None and not provider.personal_join_links,
    )
