"""Public registration: validate, store the registrant and every consent, queue the email.

Nothing here calls a provider: the registrant is committed first and pushed to Zoom or Teams
by the background worker (registrant_push.py), so a provider outage never loses anyone.
The new rows (the person, their consents, the email) are written by registration_store, in
one statement on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox, new_link_token
from vcsafe.models import (
    AgeBand,
    ConsentDecision,
    ConsentPurpose,
    MeetingState,
    PushState,
    RecordingPolicy,
)
from vcsafe.services import (
    emails,
    notices,
    public_meetings,
    registration_blocks,
    registration_duplicates,
    registration_store,
)
from vcsafe.services.errors import DomainError
from vcsafe.services.public_meetings import Availability, CodeText, PublicMeeting

# Moved to public_meetings (the snapshot needs it); manage.py still asks for it here.
from vcsafe.services.public_meetings import manage_link_expiry as manage_link_expiry

# Below this many free places, registrations lock the meeting before reading how full it is.
STRICT_CAPACITY_MARGIN = 20


class RegistrationError(DomainError):
    """A registration was refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RegistrationClosed(RegistrationError):
    """The meeting is full, has started, or was cancelled."""


class NoticesChanged(RegistrationError):
    """The texts to agree to changed after the person opened the page: they read them again."""


@dataclass(frozen=True)
class Registration:
    """What a person submitted on the registration page."""

    name: str
    email: str
    child: bool
    guardian_name: str
    guardian_email: str
    accepts_code: bool
    recording: bool
    future_contact: bool
    guardian_consents: bool
    # PublicMeeting.digest of the page the form was on; "" when the client did not send it.
    shown: str = ""


@dataclass(frozen=True)
class Outcome:
    # None: the address may not register (removed from the meeting, then erased).
    registrant_id: int | None
    created: bool  # False: the email was already registered (nothing duplicated)


def closed_reason(live: Availability, *, now: datetime) -> str | None:
    """Why registration is closed, in words for the public page; None when it is open."""
    if live.state not in (MeetingState.DRAFT, MeetingState.SCHEDULED):
        return "Registration is closed: this meeting was cancelled or has taken place."
    if live.starts_at <= now:
        return "Registration is closed: the meeting has started."
    if live.registered >= live.capacity:
        return "Registration is closed: the meeting is full."
    return None


def register(
    session: Session,
    meeting: PublicMeeting,
    live: Availability,
    form: Registration,
    *,
    now: datetime,
    base_url: str,
    box: SecretsBox,
) -> Outcome:
    """Store a registration with its consents and queue the confirmation email.

    `live` is the meeting's availability read in this transaction. The same email twice does
    not create a second registrant, nor does the email of someone the organiser removed:
    registration_duplicates emails the address instead, and the page says the same either way
    (a removed person who erased their data since is recognised by registration_blocks).
    Someone whose earlier registration was cancelled (or is being erased) registers afresh
    beside it.
    """
    if form.shown and form.shown != meeting.digest:
        raise NoticesChanged(
            "The code of conduct or the notices on this page changed while you had it open. "
            "Please read them again: registering means agreeing to them as they are now."
        )
    for problem in problems(meeting, form):
        raise problem
    if live.registered >= live.capacity - STRICT_CAPACITY_MARGIN:
        # Close to full: serialise registrations for this meeting so it never overfills.
        live = public_meetings.availability_locked(session, meeting.id)
    reason = closed_reason(live, now=now)
    if reason:
        raise RegistrationClosed(reason)
    if live.has_blocks and registration_blocks.is_blocked(session, box, meeting.id, form.email):
        # Removed by the organiser, and erased since: nothing is stored and, as their address
        # is not kept, nothing is sent; the page says what it says to everyone.
        return Outcome(None, created=False)
    token, token_hash = new_link_token()
    name, email = form.name.strip(), form.email.strip()
    guardian_name = form.guardian_name.strip() if form.child else ""
    guardian_email = form.guardian_email.strip() if form.child else ""
    person = {
        "meeting_id": meeting.id,
        "name": name,
        "email": email,
        "age_band": AgeBand.CHILD if form.child else AgeBand.ADULT,
        "guardian_name": guardian_name,
        "guardian_email": guardian_email,
        "future_contact": form.future_contact and meeting.offer_future_contact,
        "refused_recording": meeting.recording_policy is not RecordingPolicy.NONE
        and not form.recording,
        "accepted_code_sha256": meeting.code.sha256 if meeting.code is not None else "",
        "manage_token_hash": token_hash,
        "manage_token_expires_at": meeting.link_expires_at,
        "push_state": PushState.PENDING,
        "next_push_at": now,
        "created_at": now,
    }
    email_row = emails.confirmation(
        meeting,
        box,
        name=name,
        guardian_name=guardian_name,
        to=guardian_email or email,  # a child's emails go to their guardian
        token=token,
        base_url=base_url,
        now=now,
        choices=_choices_in_words(meeting, form),
    )
    try:
        registrant_id = registration_store.store(
            session, person, _consents(meeting, form, now), email_row
        )
    except IntegrityError:
        # The unique index on (meeting, lower(email)) says this email is registered already
        # (a second visit, or a double click racing the first), or was removed by the organiser.
        session.rollback()
        existing = registration_duplicates.find(session, meeting.id, form.email)
        if existing is None:
            raise
        registration_duplicates.answer(session, box, existing, base_url=base_url)
        return Outcome(existing.id, created=False)
    return Outcome(registrant_id, created=True)


def problems(meeting: PublicMeeting, form: Registration) -> list[RegistrationError]:
    """Everything wrong with a submission under this meeting's rules, each for its field, so
    the page can name every problem at once instead of one per attempt."""
    found: list[RegistrationError] = []
    if not form.name.strip():
        found.append(RegistrationError("Enter your name.", "name"))
    if not form.accepts_code:
        found.append(
            RegistrationError(
                "You can only register if you accept the code of conduct.", "accept_code"
            )
        )
    if meeting.recording_policy is RecordingPolicy.REQUIRED and not form.recording:
        found.append(
            RegistrationError(
                "Recording is a condition of joining this meeting, so you need to agree to it "
                "to register.",
                "recording_required",
            )
        )
    if form.child:
        found.extend(_guardian_problems(meeting, form))
    return found


def _guardian_problems(meeting: PublicMeeting, form: Registration) -> list[RegistrationError]:
    if not meeting.children:
        return [
            RegistrationError(
                f"This meeting is for people aged {meeting.age_threshold} and over.", "age_band"
            )
        ]
    found = []
    if not form.guardian_name.strip():
        found.append(RegistrationError("Enter the parent or guardian's name.", "guardian_name"))
    if not form.guardian_email.strip():
        found.append(RegistrationError("Enter the parent or guardian's email.", "guardian_email"))
    elif form.guardian_email.strip().lower() == form.email.strip().lower():
        found.append(
            RegistrationError(
                "The parent or guardian's email must be their own, not the child's.",
                "guardian_email",
            )
        )
    if not form.guardian_consents:
        found.append(
            RegistrationError(
                f"Under {meeting.age_threshold}, a parent or guardian must give their consent.",
                "guardian_consent",
            )
        )
    return found


def _choices_in_words(meeting: PublicMeeting, form: Registration) -> list[str]:
    """The choices a person made, as their confirmation email repeats them."""
    said: list[str] = []
    if meeting.recording_policy is RecordingPolicy.WITH_CONSENT:
        said.append(
            "Being recorded: yes"
            if form.recording
            else (
                "Being recorded: no, so automatic recording is switched off before your "
                "joining link is sent"
            )
        )
    elif meeting.recording_policy is RecordingPolicy.REQUIRED:
        said.append("Being recorded: yes, as a condition of joining this meeting")
    if meeting.offer_future_contact:
        said.append(f"Emails about future events: {'yes' if form.future_contact else 'no'}")
    return said


def _consents(meeting: PublicMeeting, form: Registration, now: datetime) -> list[dict[str, Any]]:
    """The ledger entries for this registration: one per decision, with the text's hash."""
    decisions: list[tuple[ConsentPurpose, bool, notices.Notice | CodeText]] = [
        (ConsentPurpose.PRIVACY_NOTICE, True, meeting.privacy)
    ]
    if meeting.code is not None:
        decisions.append((ConsentPurpose.CODE_OF_CONDUCT, True, meeting.code))
    if meeting.recording_policy is not RecordingPolicy.NONE:
        decisions.append((ConsentPurpose.RECORDING, form.recording, meeting.recording))
    if meeting.offer_future_contact:
        decisions.append(
            (ConsentPurpose.FUTURE_CONTACT, form.future_contact, meeting.future_contact)
        )
    if form.child:
        decisions.append((ConsentPurpose.GUARDIAN, True, meeting.guardian))
    return [
        {
            "purpose": purpose,
            "decision": ConsentDecision.GRANTED if granted else ConsentDecision.REFUSED,
            "text_sha256": text.sha256,
            "text_version": text.version,
            # A child's consents are all given by their guardian.
            "given_by": "guardian" if form.child else "registrant",
            "recorded_at": now,
        }
        for purpose, granted, text in decisions
    ]
