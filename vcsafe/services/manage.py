"""What a registrant can do with their private link: see, download, withdraw, cancel, erase."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox, hash_token
from vcsafe.models import (
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    Meeting,
    Organisation,
    OutboundEmail,
    RecordingPolicy,
    Registrant,
    RegistrantStatus,
)
from vcsafe.services import notices, public_meetings, registration, registration_blocks
from vcsafe.services.errors import DomainError


def find_by_token(session: Session, token: str, *, now: datetime) -> Registrant | None:
    """The registrant a private link belongs to, if the link is valid and not expired."""
    if not token or len(token) > 100:
        return None
    return find_by_token_hash(session, hash_token(token), now=now)


def find_by_token_hash(session: Session, token_hash: str, *, now: datetime) -> Registrant | None:
    registrant = session.scalar(
        select(Registrant).where(Registrant.manage_token_hash == token_hash)
    )
    if registrant is None or registrant.manage_token_hash is None:
        return None
    if not hmac.compare_digest(registrant.manage_token_hash, token_hash):
        return None
    expires = registrant.manage_token_expires_at
    if expires is not None and expires <= now:
        return None
    return registrant


def everything_held(session: Session, registrant: Registrant, box: SecretsBox) -> dict[str, Any]:
    """Every piece of data vcsafe holds about this registrant, for the page and the download."""
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None
    consents = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.registrant_id == registrant.id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    queued = session.scalars(
        select(OutboundEmail).where(
            OutboundEmail.registrant_id == registrant.id, OutboundEmail.sent_at.is_(None)
        )
    )
    return {
        "meeting": {
            "title": meeting.title,
            "starts_at": meeting.starts_at.isoformat(),
            "timezone": meeting.timezone,
        },
        "registrant": {
            "name": registrant.name,
            "email": registrant.email,
            "age_group": "under the age threshold" if registrant.guardian_email else "adult",
            "guardian_name": registrant.guardian_name or None,
            "guardian_email": registrant.guardian_email or None,
            "future_contact": registrant.future_contact,
            "status": registrant.status.value,
            "registered_at": registrant.created_at.isoformat(),
            "provider_registrant_id": registrant.provider_registrant_id,
            "join_link": box.decrypt(sealed) if (sealed := registrant.join_url_encrypted) else None,
        },
        "consents": [
            {
                "purpose": c.purpose.value,
                "decision": c.decision.value,
                "given_by": c.given_by,
                "text_version": c.text_version,
                "text_sha256": c.text_sha256,
                "recorded_at": c.recorded_at.isoformat(),
            }
            for c in consents
        ],
        "emails_waiting_to_be_sent": [e.subject for e in queued],
        "deleted_by": registration.manage_link_expiry(meeting).isoformat(),
    }


def recording_consent(session: Session, registrant: Registrant) -> ConsentDecision | None:
    return session.scalar(
        select(ConsentRecord.decision)
        .where(
            ConsentRecord.registrant_id == registrant.id,
            ConsentRecord.purpose == ConsentPurpose.RECORDING,
        )
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )


def withdraw_recording(session: Session, registrant: Registrant, *, now: datetime) -> bool:
    """Record the withdrawal. Where recording is a condition of joining, the registration is
    cancelled too (returns True then)."""
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None
    if meeting.recording_policy is RecordingPolicy.NONE:
        raise DomainError("This meeting is not recorded.")
    if recording_consent(session, registrant) is not ConsentDecision.GRANTED:
        raise DomainError("You have not agreed to recording, so there is nothing to withdraw.")
    _decide_recording(session, registrant, meeting, ConsentDecision.WITHDRAWN, now=now)
    if meeting.recording_policy is RecordingPolicy.REQUIRED:
        cancel(session, registrant, now=now)
        return True
    return False


def give_recording_consent(session: Session, registrant: Registrant, *, now: datetime) -> None:
    """Record a yes from someone who said no, or withdrew, earlier: the recording notice
    promises they can change their mind. Automatic recording is not switched back on: that
    stays the organisers' decision, made with everyone's answers in front of them."""
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None
    if meeting.recording_policy is not RecordingPolicy.WITH_CONSENT:
        raise DomainError("This meeting does not ask for consent to recording.")
    if registrant.status is not RegistrantStatus.ACTIVE:
        raise DomainError("Your registration is cancelled, so there is nothing to agree to.")
    if recording_consent(session, registrant) is ConsentDecision.GRANTED:
        raise DomainError("You have already agreed to be recorded.")
    _decide_recording(session, registrant, meeting, ConsentDecision.GRANTED, now=now)


def stop_future_contact(session: Session, registrant: Registrant, *, now: datetime) -> None:
    """Withdraw the opt-in to emails about future events: once the registration's data is
    deleted, nothing of the person is kept for that."""
    if not registrant.future_contact:
        raise DomainError("You are not on the list for emails about future events.")
    _decide_future_contact(session, registrant, ConsentDecision.WITHDRAWN, now=now)


def start_future_contact(session: Session, registrant: Registrant, *, now: datetime) -> None:
    """Opt in, later, to emails about future events, where the meeting offers them."""
    if registrant.future_contact:
        raise DomainError("You are already on the list for emails about future events.")
    if registrant.status is not RegistrantStatus.ACTIVE:
        raise DomainError("Your registration is cancelled, so there is nothing to agree to.")
    _decide_future_contact(session, registrant, ConsentDecision.GRANTED, now=now)


def _decide_future_contact(
    session: Session, registrant: Registrant, decision: ConsentDecision, *, now: datetime
) -> None:
    """A new future-contact decision, against the opt-in's text as the page words it now."""
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None
    if not meeting.offer_future_contact:
        raise DomainError("This meeting does not offer emails about future events.")
    notice = notices.future_contact_notice(organisation_of(session, registrant))
    _record(
        session,
        registrant,
        ConsentPurpose.FUTURE_CONTACT,
        decision,
        sha256=notice.sha256,
        version=notice.version,
        now=now,
    )
    registrant.future_contact = decision is ConsentDecision.GRANTED


def accept_code(session: Session, registrant: Registrant, *, now: datetime) -> None:
    """Accept the meeting's current code-of-conduct version (after the organiser moved it)."""
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None
    version = meeting.code_of_conduct_version
    if version is None:
        raise DomainError("This meeting has no code of conduct.")
    _record(
        session,
        registrant,
        ConsentPurpose.CODE_OF_CONDUCT,
        ConsentDecision.GRANTED,
        sha256=version.sha256,
        version=f"{version.code_of_conduct.title} v{version.number}",
        now=now,
    )
    registrant.accepted_code_sha256 = version.sha256


def _decide_recording(
    session: Session,
    registrant: Registrant,
    meeting: Meeting,
    decision: ConsentDecision,
    *,
    now: datetime,
) -> None:
    """A new recording decision, against the recording notice as the meeting words it now."""
    notice = notices.recording_notice(meeting)
    _record(
        session,
        registrant,
        ConsentPurpose.RECORDING,
        decision,
        sha256=notice.sha256,
        version=notice.version,
        now=now,
    )
    registrant.refused_recording = decision is not ConsentDecision.GRANTED


def _record(
    session: Session,
    registrant: Registrant,
    purpose: ConsentPurpose,
    decision: ConsentDecision,
    *,
    sha256: str,
    version: str,
    now: datetime,
) -> None:
    """Append a decision to the ledger; a child's are their guardian's."""
    session.add(
        ConsentRecord(
            registrant_id=registrant.id,
            purpose=purpose,
            decision=decision,
            text_sha256=sha256,
            text_version=version,
            given_by="guardian" if registrant.guardian_email else "registrant",
            recorded_at=now,
        )
    )


def accepted_current_code(session: Session, registrant: Registrant) -> bool:
    """Whether the person accepted the meeting's pinned code-of-conduct text (the same test
    the meeting page counts with)."""
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None
    version = meeting.code_of_conduct_version
    return version is None or registrant.accepted_code_sha256 == version.sha256


def cancel(session: Session, registrant: Registrant, *, now: datetime) -> None:
    """Cancel the registration; the person's data is then due for deletion at once."""
    if registrant.status is not RegistrantStatus.ACTIVE:
        raise DomainError(
            "This registration was removed by the organiser."
            if registrant.status is RegistrantStatus.REMOVED
            else "This registration is already cancelled."
        )
    registrant.status = RegistrantStatus.CANCELLED
    registrant.purge_due_at = now


def can_register_again(
    session: Session, registrant: Registrant, meeting: Meeting, *, now: datetime
) -> bool:
    """Whether someone who cancelled may register again, as a new registration: the meeting
    is still open to registration (their cancelled one takes no place)."""
    if registrant.status is not RegistrantStatus.CANCELLED:
        return False
    live = public_meetings.availability(session, meeting.public_slug)
    return live is not None and registration.closed_reason(live, now=now) is None


def request_erasure(
    session: Session, registrant: Registrant, *, box: SecretsBox, now: datetime
) -> None:
    """Mark the registrant for erasure now; the caller erases at once or the worker will.
    Their private link stops working at once, whichever does it. Someone the organiser
    removed stays unable to register for the meeting again (registration_blocks)."""
    registration_blocks.keep_out(session, box, registrant, now=now)
    registrant.status = RegistrantStatus.ERASURE_REQUESTED
    registrant.purge_due_at = now
    registrant.manage_token_hash = None


def organisation_of(session: Session, registrant: Registrant) -> Organisation:
    meeting = session.get(Meeting, registrant.meeting_id)
    assert meeting is not None
    organisation = session.get(Organisation, meeting.organisation_id)
    assert organisation is not None
    return organisation
