"""Composing and queueing emails. Sending is the worker's job (services/outbox.py).

A queued body is encrypted with the secret key until it is sent (models/email.py): it holds
private links and personal join links."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox
from vcsafe.formatting import local_time
from vcsafe.models import Contact, Meeting, Organisation, OutboundEmail, Registrant, utcnow
from vcsafe.services.public_meetings import PublicMeeting
from vcsafe.settings import PROJECT_ROOT


@functools.cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates" / "email"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["local_time"] = local_time
    return env


def manage_url(base_url: str, token: str) -> str:
    return f"{base_url}/manage/{token}"


def render(template: str, **context: object) -> str:
    """An email's text from its template in templates/email/."""
    return _env().get_template(template).render(**context)


def outbound_row(
    *,
    organisation_id: int,
    registrant_id: int,
    kind: str,
    to: str,
    subject: str,
    body_encrypted: bytes,
    now: datetime,
) -> dict[str, Any]:
    """An email to a registrant queued to go `now`, as a row for a multi-row insert of
    outbound_email (notices to everyone registered for a meeting)."""
    return {
        "organisation_id": organisation_id,
        "registrant_id": registrant_id,
        "kind": kind,
        "to_address": to,
        "subject": subject,
        "body_encrypted": body_encrypted,
        "next_attempt_at": now,
        "created_at": now,
    }


def _recipient(registrant: Registrant) -> str:
    return address(registrant.email, registrant.guardian_email)


def address(email: str, guardian_email: str) -> str:
    """Children's emails go to their guardian."""
    return guardian_email or email


def _queue(
    session: Session,
    box: SecretsBox,
    organisation: Organisation,
    registrant: Registrant | None,
    kind: str,
    to: str,
    subject: str,
    template: str,
    now: datetime | None = None,
    **context: object,
) -> OutboundEmail:
    body = render(template, organisation=organisation, registrant=registrant, **context)
    email = OutboundEmail(
        organisation_id=organisation.id,
        registrant_id=registrant.id if registrant else None,
        kind=kind,
        to_address=to,
        subject=subject,
        body_encrypted=box.encrypt(body),
        next_attempt_at=now or utcnow(),
    )
    session.add(email)
    return email


def confirmation(
    meeting: PublicMeeting,
    box: SecretsBox,
    *,
    name: str,
    guardian_name: str,
    to: str,
    token: str,
    base_url: str,
    now: datetime,
    choices: Sequence[str] = (),
) -> dict[str, Any]:
    """The confirmation of a new registration, with the choices made, the private link and
    the code accepted: the email's row, for registration_store to write with the registrant."""
    body = render(
        "confirmation.txt",
        meeting=meeting,
        name=name,
        guardian_name=guardian_name,
        manage_url=manage_url(base_url, token),
        choices=choices,
    )
    return {  # EMAIL_FIELDS: registration_store links it to the new registrant
        "organisation_id": meeting.organisation_id,
        "kind": "confirmation",
        "to_address": to,
        "subject": f"You are registered: {meeting.title}",
        "body_encrypted": box.encrypt(body),
        "next_attempt_at": now,
        "created_at": now,
    }


def queue_already_registered(
    session: Session,
    box: SecretsBox,
    meeting: Meeting,
    organisation: Organisation,
    registrant: Registrant,
    token: str,
    *,
    base_url: str,
) -> OutboundEmail:
    return _queue(
        session,
        box,
        organisation,
        registrant,
        "already_registered",
        _recipient(registrant),
        f"You were already registered: {meeting.title}",
        "already_registered.txt",
        meeting=meeting,
        manage_url=manage_url(base_url, token),
    )


def queue_private_link(
    session: Session,
    box: SecretsBox,
    meeting: Meeting,
    organisation: Organisation,
    registrant: Registrant,
    token: str,
    *,
    base_url: str,
) -> OutboundEmail:
    """A fresh private link, sent when the person asked the organisation what it holds."""
    return _queue(
        session,
        box,
        organisation,
        registrant,
        "private_link",
        _recipient(registrant),
        f"Your data held by {organisation.name}: {meeting.title}",
        "private_link.txt",
        meeting=meeting,
        manage_url=manage_url(base_url, token),
    )


def queue_registration_refused(
    session: Session,
    box: SecretsBox,
    meeting: Meeting,
    organisation: Organisation,
    registrant: Registrant,
) -> OutboundEmail:
    """To someone the organiser removed from the meeting, who tried to register again."""
    return _queue(
        session,
        box,
        organisation,
        registrant,
        "registration_refused",
        _recipient(registrant),
        f"Not registered: {meeting.title}",
        "registration_refused.txt",
        meeting=meeting,
    )


def queue_join_link(
    session: Session,
    box: SecretsBox,
    meeting: Meeting,
    organisation: Organisation,
    registrant: Registrant,
    join_url: str,
) -> OutboundEmail:
    return _queue(
        session,
        box,
        organisation,
        registrant,
        "join_link",
        _recipient(registrant),
        f"Your link to join: {meeting.title}",
        "join_link.txt",
        meeting=meeting,
        join_url=join_url,
    )


def queue_new_manage_link(
    session: Session,
    box: SecretsBox,
    meeting: Meeting,
    organisation: Organisation,
    registrant: Registrant,
    token: str,
    kind: str,
    *,
    base_url: str,
) -> OutboundEmail:
    """A fresh private link, e.g. to accept a new code-of-conduct version."""
    return _queue(
        session,
        box,
        organisation,
        registrant,
        kind,
        _recipient(registrant),
        f"Please review the updated code of conduct: {meeting.title}",
        "new_code.txt",
        meeting=meeting,
        manage_url=manage_url(base_url, token),
        code=meeting.code_of_conduct_version,
    )


def queue_contact_kept(
    session: Session,
    box: SecretsBox,
    organisation: Organisation,
    contact: Contact,
    token: str,
    *,
    base_url: str,
    asked: bool = False,
) -> OutboundEmail:
    """Tells someone who opted in that only their name and email are kept, and how to stop;
    `asked`: because they asked the organisation what it holds about them."""
    return _queue(
        session,
        box,
        organisation,
        None,
        "contact_kept",
        contact.email,
        f"You asked to hear about future events from {organisation.name}",
        "contact_kept.txt",
        contact=contact,
        withdraw_url=f"{base_url}/contacts/withdraw/{token}",
        asked=asked,
    )
