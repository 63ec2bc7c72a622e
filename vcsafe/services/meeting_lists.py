"""Reading meetings and registrants for the console: paged, searchable, counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
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
#: After this many failed attempts, a push or a deletion is shown to organisers as failing.
FAILING_AFTER = 3


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
    # Waiting for their link although the provider was asked FAILING_AFTER times or more;
    # and of them, how many refused recording (they wait for automatic recording to go off).
    stuck_without_link: int
    stuck_refused_recording: int


def meeting_counts(session: Session, meeting: Meeting) -> MeetingCounts:
    """The figures at the top of a meeting page, in one pass over the meeting's people."""
    waiting = Registrant.push_state.in_([PushState.PENDING, PushState.FAILING])
    stuck = and_(Registrant.push_state == PushState.FAILING, _failed_often())
    refused = consent_ledger.refused_recording()
    version = meeting.code_of_conduct_version
    not_accepted = consent_ledger.not_accepted(version.sha256) if version else false()
    counted = {
        "registered": true(),
        "refused_recording": refused,
        "waiting_for_link": waiting,
        "not_accepted_current_code": not_accepted,
        "stuck_without_link": stuck,
        "stuck_refused_recording": and_(stuck, refused),
    }
    row = session.execute(
        select(*(func.count(Registrant.id).filter(c) for c in counted.values())).where(
            Registrant.meeting_id == meeting.id,
            Registrant.status == RegistrantStatus.ACTIVE,
        )
    ).one()
    return MeetingCounts(**{name: n or 0 for name, n in zip(counted, row, strict=True)})


def _failed_often() -> ColumnElement[bool]:
    return Registrant.push_attempts >= FAILING_AFTER


def meetings_with_people_stuck(
    session: Session, organisation_id: int, *, limit: int = 10
) -> list[Meeting]:
    """Open meetings with someone still waiting for their link after FAILING_AFTER failed
    pushes, soonest first. Read from the push queue (`next_push_at` is set only while someone
    waits), which is short unless a provider is failing."""
    stuck = select(Registrant.meeting_id).where(
        Registrant.next_push_at.is_not(None),
        _failed_often(),
        Registrant.status == RegistrantStatus.ACTIVE,
    )
    return list(
        session.scalars(
            select(Meeting)
            .where(
                Meeting.organisation_id == organisation_id,
                Meeting.state.in_(OPEN_STATES),
                Meeting.id.in_(stuck),
            )
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
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
