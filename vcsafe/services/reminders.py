"""The day-before reminder: each person registered for a meeting (a child's guardian) is
emailed about REMINDER_LEAD before it starts, with their joining link and the code of
conduct to read again ("ask participants to read these before meetings"), and how to cancel.

Only people who have their joining link already, and who registered at least SETTLED ago
(someone who registered an hour earlier has just had all of it), are reminded. Each meeting
is reminded once, whatever the number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from vcsafe.crypto import SecretsBox
from vcsafe.models import (
    Meeting,
    MeetingState,
    OutboundEmail,
    ProviderKind,
    PushState,
    Registrant,
    RegistrantStatus,
)
from vcsafe.services import audit, emails

REMINDER_LEAD = timedelta(hours=24)
SETTLED = timedelta(hours=12)
# People are read, rendered and inserted this many at a time.
BATCH = 1000


def due_at(meeting: Meeting) -> datetime:
    """When a meeting's reminders go out (within the worker's REMINDER_INTERVAL_MINUTES)."""
    return meeting.starts_at - REMINDER_LEAD


@dataclass(frozen=True)
class ReminderReport:
    meetings: int
    emails: int


def send_due(factory: sessionmaker[Session], box: SecretsBox, *, now: datetime) -> ReminderReport:
    """Queue the reminders of every meeting starting within REMINDER_LEAD that has not had
    them; each meeting in a transaction of its own."""
    with factory() as session:
        ids = list(
            session.scalars(
                select(Meeting.id).where(
                    Meeting.state == MeetingState.SCHEDULED,
                    Meeting.reminded_at.is_(None),
                    Meeting.starts_at > now,
                    Meeting.starts_at <= now + REMINDER_LEAD,  # due_at() has come
                )
            )
        )
    meetings = sent = 0
    for meeting_id in ids:
        with factory() as session:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None:
                continue
            told = remind(session, box, meeting, now=now)
            if told is None:
                session.rollback()  # another worker reminded it first
                continue
            session.commit()
            meetings += 1
            sent += told
    return ReminderReport(meetings=meetings, emails=sent)


def remind(session: Session, box: SecretsBox, meeting: Meeting, *, now: datetime) -> int | None:
    """Queue one meeting's reminders; returns how many, or None when it had them already.

    The emails are written first and the meeting last, as everything that writes both a
    meeting and what hangs on its registrants does (cancellation.registrants_due). The meeting is
    marked only where it is still unmarked: a second worker doing the same meeting at the same
    moment waits for the first, finds it marked, and rolls its own emails back.
    """
    code = meeting.code_of_conduct_version.body if meeting.code_of_conduct_version else ""
    # Zoom gives each person a link of their own; Teams one link for everyone.
    account = meeting.provider_account
    personal = account is not None and account.kind is ProviderKind.ZOOM
    told = 0
    after = 0
    while True:
        people = session.execute(
            select(
                Registrant.id,
                Registrant.name,
                Registrant.email,
                Registrant.guardian_name,
                Registrant.guardian_email,
                Registrant.join_url_encrypted,
            )
            .where(
                Registrant.meeting_id == meeting.id,
                Registrant.id > after,
                Registrant.status == RegistrantStatus.ACTIVE,
                Registrant.push_state == PushState.PUSHED,
                Registrant.created_at <= now - SETTLED,
            )
            .order_by(Registrant.id)
            .limit(BATCH)
        ).all()
        if not people:
            break
        rows = [
            emails.outbound_row(
                organisation_id=meeting.organisation_id,
                registrant_id=registrant_id,
                kind="reminder",
                to=emails.address(email, guardian_email),
                subject=f"Reminder: {meeting.title}",
                body_encrypted=box.encrypt(
                    emails.render(
                        "meeting_reminder.txt",
                        organisation=meeting.organisation,
                        meeting=meeting,
                        name=name,
                        guardian_name=guardian_name,
                        join_url=box.decrypt(link) if link else "",
                        personal=personal,
                        code=code,
                    )
                ),
                now=now,
            )
            for registrant_id, name, email, guardian_name, guardian_email, link in people
        ]
        session.execute(insert(OutboundEmail), rows)
        told += len(rows)
        after = people[-1][0]
    marked = session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.reminded_at.is_(None))
        .values(reminded_at=now, reminded_count=told)
        .execution_options(synchronize_session=False)
    )
    if not getattr(marked, "rowcount", 0):
        return None
    audit.record(
        session, meeting.organisation_id, "meeting.reminded", subject=meeting, registrants_told=told
    )
    return told
