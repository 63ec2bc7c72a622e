"""Erasing one registrant everywhere: at the provider first, then every local trace."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.orm import Session

from vcsafe.models import ConsentRecord, Meeting, OutboundEmail, Registrant
from vcsafe.providers.base import ProviderError, ProviderNotFound
from vcsafe.services import audit
from vcsafe.services.provider_accounts import ProviderFor

log = logging.getLogger(__name__)

#: Deletes local copies of a registrant's emails (the mail folder), if there are any.
EraseMailCopies = Callable[[int], int]


def erase(
    session: Session,
    registrant: Registrant,
    *,
    provider_for: ProviderFor,
    erase_mail_copies: EraseMailCopies | None = None,
    reason: str,
) -> None:
    """Delete a registrant at the provider, then locally with their consents and emails.

    The provider side goes first: if it fails, nothing local is deleted (the local row is what
    remembers the provider's copy) and the error is raised so the caller retries later.
    """
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None
    if registrant.provider_registrant_id and meeting.provider_meeting_id:
        account = meeting.provider_account
        if account is None:
            raise ProviderError(
                "the meeting's account was disconnected; its registrant cannot be removed there"
            )
        with contextlib.suppress(ProviderNotFound):  # already gone at the provider is fine
            provider_for(account).remove_registrant(
                meeting.provider_meeting_id, registrant.provider_registrant_id
            )
    registrant_id = registrant.id
    delete_locally(session, registrant, erase_mail_copies=erase_mail_copies)
    audit.record(
        session, meeting.organisation_id, "registrant.erased", subject=meeting, reason=reason
    )
    log.info("registrant %s of meeting %s erased (%s)", registrant_id, meeting.id, reason)


def erase_now_or_later(
    session: Session,
    registrant: Registrant,
    *,
    provider_for: ProviderFor,
    erase_mail_copies: EraseMailCopies | None,
    reason: str,
) -> bool:
    """Erase a registrant whose erasure request is committed already, and commit. If the
    provider cannot take it now, the request stays on record (its private link dead) and the
    worker's cleanup finishes it: returns False."""
    registrant_id = registrant.id
    try:
        erase(
            session,
            registrant,
            provider_for=provider_for,
            erase_mail_copies=erase_mail_copies,
            reason=reason,
        )
    except ProviderError as exc:
        session.rollback()
        # By kind and status only: a provider's message may quote the person's email.
        log.warning(
            "erasure of registrant %s left to the cleanup: %s (status %s)",
            registrant_id,
            type(exc).__name__,
            exc.status,
        )
        return False
    session.commit()
    return True


def delete_locally(
    session: Session, registrant: Registrant, *, erase_mail_copies: EraseMailCopies | None
) -> None:
    """Every local trace of a registrant: queued emails, consent records, the row, mail files."""
    registrant_id = registrant.id
    session.execute(delete(OutboundEmail).where(OutboundEmail.registrant_id == registrant_id))
    session.execute(delete(ConsentRecord).where(ConsentRecord.registrant_id == registrant_id))
    session.delete(registrant)
    session.flush()
    if erase_mail_copies is not None:
        erase_mail_copies(registrant_id)
