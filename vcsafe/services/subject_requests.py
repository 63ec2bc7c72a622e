"""A person's request to the organisation itself (by email or letter, to the privacy notice's
contact, say), about everything it holds under one email address: their registrations, as the
person or as a child's parent or guardian, and their contact-list entry.

An admin looks the address up and then does one of two things:
- emails the address a fresh private link for each registration (and a fresh withdrawal link
  for the contact-list entry), so the person sees, downloads, corrects or erases it all
  themselves, having proved that the address is theirs by opening the email;
- erases all of it now (at the provider first, as the private link's erasure does), once they
  have checked that the request comes from the person.

The audit log records counts, never the address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox, new_link_token
from vcsafe.models import Contact, Meeting, Organisation, Registrant, RegistrantStatus
from vcsafe.services import audit, emails, erasure, manage
from vcsafe.services.erasure import EraseMailCopies
from vcsafe.services.provider_accounts import ProviderFor


@dataclass(frozen=True)
class Registration:
    registrant: Registrant
    meeting: Meeting
    as_guardian: bool  # the address is the parent or guardian's, not the registrant's


@dataclass(frozen=True)
class Held:
    """What the organisation holds under one email address."""

    registrations: list[Registration]
    contact: Contact | None

    @property
    def empty(self) -> bool:
        return not self.registrations and self.contact is None


@dataclass(frozen=True)
class Erased:
    registrations: int  # erased here and at the provider
    pending: int  # on record; the worker's cleanup finishes them once the provider answers
    contact: bool


def find(session: Session, organisation: Organisation, email: str) -> Held:
    """Everything held under `email` (any capitalisation) in this organisation."""
    address = email.strip().lower()
    rows = session.execute(
        select(Registrant, Meeting)
        .join(Meeting, Meeting.id == Registrant.meeting_id)
        .where(
            Meeting.organisation_id == organisation.id,
            or_(
                func.lower(Registrant.email) == address,
                func.lower(Registrant.guardian_email) == address,
            ),
        )
        .order_by(Meeting.starts_at.desc(), Registrant.id)
    ).all()
    contact = session.scalar(
        select(Contact).where(
            Contact.organisation_id == organisation.id, func.lower(Contact.email) == address
        )
    )
    return Held(
        registrations=[Registration(r, m, as_guardian=r.email.lower() != address) for r, m in rows],
        contact=contact,
    )


def send_private_links(
    session: Session,
    box: SecretsBox,
    organisation: Organisation,
    held: Held,
    *,
    actor_id: int,
    base_url: str,
) -> int:
    """Email a fresh private link for each registration that has one (a child's goes to their
    guardian) and a fresh withdrawal link for the contact-list entry; earlier links stop
    working. Returns how many emails were queued."""
    sent = 0
    for found in held.registrations:
        registrant = found.registrant
        if registrant.status is RegistrantStatus.ERASURE_REQUESTED:
            continue  # being erased: nothing to manage
        token, token_hash = new_link_token()
        registrant.manage_token_hash = token_hash
        emails.queue_private_link(
            session, box, found.meeting, organisation, registrant, token, base_url=base_url
        )
        sent += 1
    if held.contact is not None:
        token, token_hash = new_link_token()
        held.contact.withdraw_token_hash = token_hash
        emails.queue_contact_kept(
            session, box, organisation, held.contact, token, base_url=base_url, asked=True
        )
        sent += 1
    audit.record(
        session,
        organisation.id,
        "person.links_sent",
        actor_id=actor_id,
        subject=organisation,
        emails=sent,
    )
    return sent


def erase_all(
    session: Session,
    held: Held,
    *,
    organisation: Organisation,
    actor_id: int,
    box: SecretsBox,
    provider_for: ProviderFor,
    erase_mail_copies: EraseMailCopies | None,
    now: datetime,
) -> Erased:
    """Erase every registration and the contact-list entry held under the address.

    Commits as it goes: the requests are on record (and the private links dead) before any
    provider is asked, and each erasure is committed on its own. One the provider cannot take
    now is left to the worker's cleanup, as when a person erases with their private link."""
    for found in held.registrations:
        manage.request_erasure(session, found.registrant, box=box, now=now)
    contact = held.contact is not None
    if held.contact is not None:
        session.delete(held.contact)
    session.commit()
    done = sum(
        erasure.erase_now_or_later(
            session,
            found.registrant,
            provider_for=provider_for,
            erase_mail_copies=erase_mail_copies,
            reason="erasure requested of the organisation",
        )
        for found in held.registrations
    )
    pending = len(held.registrations) - done
    audit.record(
        session,
        organisation.id,
        "person.erased",
        actor_id=actor_id,
        subject=organisation,
        registrations=done,
        pending=pending,
        contact=contact,
    )
    session.commit()
    return Erased(registrations=done, pending=pending, contact=contact)
