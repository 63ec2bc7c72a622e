"""Cancelling a meeting, whoever does it (an organiser here, or someone in Zoom's own app,
reported by webhook): the people still registered are emailed once, their data is due an
hour later, and a deletion made outside vcsafe is reported to the meeting's organisers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox
from vcsafe.models import (
    Meeting,
    MeetingState,
    Organisation,
    OutboundEmail,
    Registrant,
    RegistrantStatus,
    utcnow,
)
from vcsafe.services import audit, emails, organiser_alerts

# How long the people of a cancelled meeting are kept after it is cancelled: time for the
# worker to send them the notice (the push job sends due emails every few seconds; this covers
# a mail-server hiccup), which is deleted with the data it is addressed with.
CANCELLATION_NOTICE_TIME = timedelta(hours=1)


def meeting_gone(
    session: Session, meeting: Meeting, *, box: SecretsBox, base_url: str, now: datetime
) -> int | None:
    """The meeting was deleted at the provider (in Zoom's own app, say): it will not take
    place. Its people are told, as when an organiser cancels it here, and their data is due
    once they have been; its organisers are told what happened. Returns how many registrants
    were told; None when it was not scheduled (a meeting vcsafe cancelled itself, whose
    deletion the provider reports back)."""
    if meeting.state is not MeetingState.SCHEDULED:
        return None
    told = tell_registrants_cancelled(session, box, meeting, now=now)
    if told is None:
        return None
    organiser_alerts.queue(
        session,
        box,
        meeting,
        kind="deleted_at_provider",
        subject=f"Deleted in {organiser_alerts.product_of(meeting)}: {meeting.title}",
        template="meeting_deleted_at_provider.txt",
        told=told,
        page_url=organiser_alerts.page_url(meeting, base_url),
    )
    audit.record(
        session,
        meeting.organisation_id,
        "meeting.deleted_at_provider",
        subject=meeting,
        registrants_told=told,
    )
    return told


def tell_registrants_cancelled(
    session: Session, box: SecretsBox, meeting: Meeting, *, now: datetime
) -> int | None:
    """Mark a meeting cancelled, email each person still registered (a child's guardian) that
    it is, and make their data due CANCELLATION_NOTICE_TIME from now. Returns how many were
    told, or None when the meeting turned out to be cancelled already.

    Two cancellations can race: an organiser's, and the provider's webhook reporting the
    deletion it made. Whichever writes the registrants first holds them until it commits; the
    other waits there, then reads the meeting afresh and finds it cancelled, so nobody is
    told twice.
    """
    due = now + CANCELLATION_NOTICE_TIME
    registrants_due(session, meeting, at=due)  # before the meeting: lock order
    session.refresh(meeting, ["state"])
    if meeting.state is MeetingState.CANCELLED:
        return None
    still_registered = session.execute(
        select(Registrant.id, Registrant.email, Registrant.guardian_email).where(
            Registrant.meeting_id == meeting.id, Registrant.status == RegistrantStatus.ACTIVE
        )
    ).all()
    told = _queue_notices(session, box, meeting, meeting.organisation, still_registered)
    meeting.state = MeetingState.CANCELLED
    meeting.ended_at = now
    meeting.registrants_purge_due_at = due
    return told


def registrants_due(session: Session, meeting: Meeting, *, at: datetime) -> None:
    """Make every registrant of a meeting that will not take place due for deletion `at`, or
    earlier where they were due earlier already (someone who cancelled is not kept longer).

    Lock order: whatever writes a meeting and its registrants in one transaction writes the
    registrants first. The push holds a person while it asks the provider and then writes
    their meeting (switching recording off); registrations, cancellations and the purge write
    people and then, through the triggers, their meeting's count. A change made the other way
    round, meeting first, would deadlock with them. So call this before changing `meeting`
    (its changes are written at the next flush, after this statement).
    """
    session.execute(
        update(Registrant)
        .where(
            Registrant.meeting_id == meeting.id,
            or_(Registrant.purge_due_at.is_(None), Registrant.purge_due_at > at),
        )
        .values(purge_due_at=at)
    )


def _queue_notices(
    session: Session,
    box: SecretsBox,
    meeting: Meeting,
    organisation: Organisation,
    recipients: Sequence[tuple[int, str, str]],
) -> int:
    """Tell each registrant (`(registrant id, email, guardian email)`; a child's goes to their
    guardian) that the meeting will not take place; returns how many were queued.

    One text for everyone, naming no one, so it is rendered and encrypted once: a meeting of
    100,000 people is cancelled in one request, with one multi-row insert."""
    body = box.encrypt(
        emails.render("meeting_cancelled.txt", organisation=organisation, meeting=meeting)
    )
    now = utcnow()
    rows = [
        emails.outbound_row(
            organisation_id=organisation.id,
            registrant_id=registrant_id,
            kind="meeting_cancelled",
            to=emails.address(email, guardian_email),
            subject=f"Cancelled: {meeting.title}",
            body_encrypted=body,
            now=now,
        )
        for registrant_id, email, guardian_email in recipients
    ]
    if rows:
        session.execute(insert(OutboundEmail), rows)
    return len(rows)
