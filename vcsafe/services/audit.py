"""Writing the audit log. Details hold ids and counts, never registrants' personal data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vcsafe.models import AuditEvent, Base, User
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


def missing_subjects(session: Session, events: Sequence[AuditEvent]) -> set[tuple[str, int]]:
    """The (subject_type, subject_id) of these events whose row is gone (a disconnected
    account, say): the log still names them, but there is no page to link to."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.subject_type and event.subject_id is not None:
            wanted.setdefault(event.subject_type, set()).add(event.subject_id)
    models = {m.class_.__name__.lower(): m.class_ for m in Base.registry.mappers}
    missing: set[tuple[str, int]] = set()
    for subject_type, ids in wanted.items():
        model = models.get(subject_type)
        if model is None:
            continue
        found = set(session.scalars(select(model.id).where(model.id.in_(ids))))
        missing |= {(subject_type, i) for i in ids - found}
    return missing
