"""Correcting the names a registrant gave (their right to rectification).

A wrong name matters here more than on most forms: hosts admit people from the waiting room by
the names they expect. Zoom holds each person's name with their personal joining link and has no
way to change it, so a corrected name is a new Zoom registration: the old one is deleted first
(nothing changes here unless Zoom confirms), and the worker registers the person again and
emails the new link, as for a new registrant. Teams keeps no per-person registration: the name
is corrected here only.

The email address is not corrected: it is what the private link proves, and the person can
cancel and register again with another one.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from vcsafe.models import AgeBand, Meeting, MeetingState, PushState, Registrant, RegistrantStatus
from vcsafe.providers.base import ProviderError, ProviderNotFound
from vcsafe.services import audit
from vcsafe.services.errors import DomainError
from vcsafe.services.provider_accounts import ProviderFor


class CorrectionError(DomainError):
    """A correction was refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "name") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Corrected:
    # A new personal joining link is on its way by email; the old one no longer works.
    new_link: bool


def correct_names(
    session: Session,
    registrant: Registrant,
    *,
    name: str,
    guardian_name: str,
    provider_for: ProviderFor,
    now: datetime,
) -> Corrected:
    """Correct a registrant's name (and, for a child, their parent or guardian's)."""
    if registrant.status is not RegistrantStatus.ACTIVE:
        raise CorrectionError("Only a registration that is still active can be corrected.")
    name = name.strip()
    child = registrant.age_band is AgeBand.CHILD
    guardian_name = guardian_name.strip() if child else registrant.guardian_name
    if not name:
        raise CorrectionError("Enter your name.")
    if child and not guardian_name:
        raise CorrectionError("Enter the parent or guardian's name.", "guardian_name")
    changed = [
        field
        for field, old, new in (
            ("name", registrant.name, name),
            ("guardian_name", registrant.guardian_name, guardian_name),
        )
        if old != new
    ]
    if not changed:
        raise CorrectionError("Those are the names we hold already: nothing was changed.")
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None  # a registrant goes with their meeting
    new_link = "name" in changed and _held_at_provider(registrant, meeting, now)
    if new_link:
        _withdraw_link(registrant, meeting, provider_for, now=now)
    registrant.name = name
    registrant.guardian_name = guardian_name
    audit.record(
        session,
        meeting.organisation_id,
        "registrant.corrected",
        subject=meeting,
        fields=", ".join(changed),
        new_link=new_link,
    )
    return Corrected(new_link=new_link)


def _held_at_provider(registrant: Registrant, meeting: Meeting, now: datetime) -> bool:
    """Whether the provider holds the person's name with a link still to be used."""
    return (
        registrant.provider_registrant_id is not None
        and meeting.provider_meeting_id is not None
        and meeting.state is MeetingState.SCHEDULED
        and meeting.starts_at > now
    )


def _withdraw_link(
    registrant: Registrant, meeting: Meeting, provider_for: ProviderFor, *, now: datetime
) -> None:
    """Delete the person's registration at the provider and queue them to be registered again
    under the corrected name; nothing changes if the provider does not confirm."""
    account = meeting.provider_account
    if account is None:
        raise CorrectionError(
            "The meeting's Zoom or Teams account was disconnected, so your name cannot be "
            "corrected there: please write to the organisers."
        )
    try:
        with contextlib.suppress(ProviderNotFound):  # gone already: register them afresh
            provider_for(account).remove_registrant(
                meeting.provider_meeting_id or "", registrant.provider_registrant_id or ""
            )
    except ProviderError:
        raise CorrectionError(
            f"{account.kind.product} could not be reached, so nothing was changed: please try "
            "again in a few minutes."
        ) from None
    registrant.provider_registrant_id = None
    registrant.join_url_encrypted = None
    registrant.push_state = PushState.PENDING
    registrant.push_attempts = 0
    registrant.next_push_at = now
