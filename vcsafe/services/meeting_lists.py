"""Reading meetings and registrants for the console: paged, searchable, counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from vcsafe.models import (
    ConsentPurpose,
    ConsentRecord,
    Meeting,
    MeetingState,
    PushState,
    Registrant,
    RegistrantStatus,
)
from vcsafe.services import consent_ledger
from vcsafe.services.paging import Page, paginate

# A meeting still counts as upcoming for a day after its start, until it is marked ended.
RUNNING_GRACE = timedelta(days=1)
OPEN_STATES = (MeetingState.DRAFT, MeetingState.SCHEDULED)


def _like(q: str) -> str:
    escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_meetings(
    session: Session,
    organisation_id: int,
    *,
    when: str,
    q: str = "",
    page: int = 1,
    per_page: int = 25,
    now: datetime,
) -> Page[Meeting]:
    """Upcoming meetings soonest first, or past ones latest first; `q` searches titles."""
    upcoming = Meeting.state.in_(OPEN_STATES) & (Meeting.starts_at >= now - RUNNING_GRACE)
    stmt = select(Meeting).where(Meeting.organisation_id == organisation_id)
    if when == "past":
        stmt = stmt.where(~upcoming).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    else:
        stmt = stmt.where(upcoming).order_by(Meeting.starts_at, Meeting.id)
    if q.strip():
        stmt = stmt.where(Meeting.title.ilike(_like(q), escape="\\"))
    return paginate(session, stmt, page, per_page)


def list_registrants(
    session: Session, meeting_id: int, *, q: str = "", page: int = 1, per_page: int = 50
) -> Page[Registrant]:
    """A meeting's registrants, newest first; `q` searches names and emails."""
    stmt = (
        select(Registrant)
        .where(Registrant.meeting_id == meeting_id)
        .order_by(Registrant.created_at.desc(), Registrant.id.desc())
    )
    if q.strip():
        pattern = _like(q)
        stmt = stmt.where(
            or_(
                Registrant.name.ilike(pattern, escape="\\"),
                Registrant.email.ilike(pattern, escape="\\"),
            )
        )
    return paginate(session, stmt, page, per_page)


@dataclass(frozen=True)
class MeetingCounts:
    registered: int
    refused_recording: int
    waiting_for_link: int
    not_accepted_current_code: int


def meeting_counts(session: Session, meeting: Meeting) -> MeetingCounts:
    """The figures at the top of a meeting page, in one pass over the meeting's people."""
    waiting = Registrant.push_state.in_([PushState.PENDING, PushState.FAILING])
    refused = consent_ledger.refused_recording()
    version = meeting.code_of_conduct_version
    not_accepted = consent_ledger.not_accepted(version.sha256) if version else false()
    registered, waiting_for_link, refused_recording, not_accepted_current_code = session.execute(
        select(
            func.count(Registrant.id),
            func.count(Registrant.id).filter(waiting),
            func.count(Registrant.id).filter(refused),
            func.count(Registrant.id).filter(not_accepted),
        ).where(
            Registrant.meeting_id == meeting.id,
            Registrant.status == RegistrantStatus.ACTIVE,
        )
    ).one()
    return MeetingCounts(
        registered=registered or 0,
        refused_recording=refused_recording or 0,
        waiting_for_link=waiting_for_link or 0,
        not_accepted_current_code=not_accepted_current_code or 0,
    )


def consent_proof_rows(session: Session, meeting: Meeting) -> list[tuple[str, ...]]:
    """Every consent decision of a meeting's registrants, oldest first, for the CSV export."""
    rows = session.execute(
        select(
            Registrant.name,
            Registrant.email,
            ConsentRecord.purpose,
            ConsentRecord.decision,
            ConsentRecord.given_by,
            ConsentRecord.text_version,
            ConsentRecord.text_sha256,
            ConsentRecord.recorded_at,
        )
        .join(ConsentRecord, ConsentRecord.registrant_id == Registrant.id)
        .where(Registrant.meeting_id == meeting.id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    return [
        (
            name,
            email,
            ConsentPurpose(purpose).value,
            decision.value,
            given_by,
            version,
            sha256,
            recorded_at.isoformat(),
        )
        for name, email, purpose, decision, given_by, version, sha256, recorded_at in rows
    ]
