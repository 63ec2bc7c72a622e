"""Writing the audit log. Details hold ids and counts, never registrants' personal data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vcsafe.models import AuditEvent, User
from vcsafe.services.paging import Page, paginate

_SCALARS = (int, float, bool, str, type(None))


def record(
    session: Session,
    organisation_id: int,
    action: str,
    *,
    actor_id: int | None = None,
    subject: Any = None,
    **details: Any,
) -> AuditEvent:
    """Append an audit event; `subject` is a model instance whose type and id are noted."""
    for key, value in details.items():
        if not isinstance(value, _SCALARS) or (isinstance(value, str) and "@" in value):
            raise ValueError(f"audit detail {key!r} must be a plain value without personal data")
    event = AuditEvent(
        organisation_id=organisation_id,
        actor_id=actor_id,
        action=action,
        subject_type=type(subject).__name__.lower() if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        details=details,
    )
    session.add(event)
    return event


def list_events(
    session: Session, organisation_id: int, *, page: int = 1
) -> tuple[Page[AuditEvent], dict[int, str]]:
    """A page of the audit log, newest first, with the names of the people who acted."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    events = paginate(session, stmt, page, 50)
    actor_ids = {e.actor_id for e in events.items if e.actor_id}
    names = (
        {
            user_id: name
            for user_id, name in session.execute(
                select(User.id, User.name).where(User.id.in_(actor_ids))
            )
        }
        if actor_ids
        else {}
    )
    return events, names
