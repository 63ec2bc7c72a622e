"""The organisation's contact list: people who opted in to hear about future events."""

from __future__ import annotations

import hmac

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox, hash_token, new_link_token
from vcsafe.models import (
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    Contact,
    Meeting,
    Organisation,
    Registrant,
)
from vcsafe.services import emails


def keep_if_opted_in(
    session: Session, registrant: Registrant, *, base_url: str, box: SecretsBox
) -> bool:
    """Before a registrant is purged: if their latest future-contact decision is yes, keep
    their name and email (only) in the contact list, with that consent and a withdrawal link."""
    opt_in = session.scalar(
        select(ConsentRecord)
        .where(
            ConsentRecord.registrant_id == registrant.id,
            ConsentRecord.purpose == ConsentPurpose.FUTURE_CONTACT,
        )
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )
    if opt_in is None or opt_in.decision is not ConsentDecision.GRANTED:
        return False
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None
    existing = session.scalar(
        select(Contact).where(
            Contact.organisation_id == meeting.organisation_id,
            func.lower(Contact.email) == registrant.email.lower(),
        )
    )
    if existing is not None:
        return True
    token, token_hash = new_link_token()
    contact = Contact(
        organisation_id=meeting.organisation_id,
        name=registrant.name,
        email=registrant.email,
        consent_sha256=opt_in.text_sha256,
        consent_version=opt_in.text_version,
        consented_at=opt_in.recorded_at,
        withdraw_token_hash=token_hash,
    )
    session.add(contact)
    session.flush()
    organisation = session.get(Organisation, meeting.organisation_id)
    assert organisation is not None
    emails.queue_contact_kept(session, box, organisation, contact, token, base_url=base_url)
    return True


def _by_token(session: Session, token: str) -> Contact | None:
    if not token or len(token) > 100:
        return None
    wanted = hash_token(token)
    contact = session.scalar(select(Contact).where(Contact.withdraw_token_hash == wanted))
    if contact is None or not hmac.compare_digest(contact.withdraw_token_hash, wanted):
        return None
    return contact


def exists(session: Session, token: str) -> bool:
    return _by_token(session, token) is not None


def withdraw(session: Session, token: str) -> bool:
    """Remove a contact by their withdrawal link. True when someone was removed."""
    contact = _by_token(session, token)
    if contact is None:
        return False
    session.delete(contact)
    return True


def contacts_of(session: Session, organisation_id: int) -> list[Contact]:
    return list(
        session.scalars(
            select(Contact).where(Contact.organisation_id == organisation_id).order_by(Contact.name)
        )
    )
