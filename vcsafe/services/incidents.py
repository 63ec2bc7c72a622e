"""Incidents: disruptions and personal-data breaches, with the 72-hour reporting clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vcsafe.models import Incident, IncidentKind, IncidentStatus, Meeting, User
from vcsafe.services import audit
from vcsafe.services.errors import DomainError, NotFound
from vcsafe.services.paging import Page, paginate


@dataclass(frozen=True)
class IncidentReport:
    kind: IncidentKind
    summary: str
    occurred_at: datetime
    discovered_at: datetime
    affected_count: int
    actions_taken: str
    meeting_id: int | None


def log_incident(
    session: Session, organisation_id: int, report: IncidentReport, *, actor: User, now: datetime
) -> Incident:
    """Record an incident; a breach starts its 72-hour reporting clock at discovery."""
    if not report.summary.strip():
        raise DomainError("Say briefly what happened.")
    if report.occurred_at > now or report.discovered_at > now:
        raise DomainError("The times cannot be in the future.")
    if report.discovered_at < report.occurred_at:
        raise DomainError("It cannot have been discovered before it happened.")
    if report.affected_count < 0:
        raise DomainError("The number of people affected cannot be negative.")
    if report.meeting_id is not None:
        meeting = session.get(Meeting, report.meeting_id)
        if meeting is None or meeting.organisation_id != organisation_id:
            raise DomainError("Choose one of your organisation's meetings.")
    incident = Incident(
        organisation_id=organisation_id,
        meeting_id=report.meeting_id,
        kind=report.kind,
        summary=report.summary.strip(),
        occurred_at=report.occurred_at,
        discovered_at=report.discovered_at,
        affected_count=report.affected_count,
        actions_taken=report.actions_taken.strip(),
        created_by_id=actor.id,
    )
    session.add(incident)
    session.flush()
    audit.record(
        session,
        organisation_id,
        "incident.logged",
        actor_id=actor.id,
        subject=incident,
        kind=report.kind.value,
    )
    return incident


def get_incident(session: Session, organisation_id: int, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None or incident.organisation_id != organisation_id:
        raise NotFound("incident")
    return incident


def set_status(
    session: Session, incident: Incident, status: IncidentStatus, *, actor: User, now: datetime
) -> None:
    """Mark an incident reported, not reportable or closed; that stops a breach's countdown."""
    if status is IncidentStatus.OPEN:
        raise DomainError("An incident cannot be reopened; log a new one.")
    if incident.kind is not IncidentKind.BREACH and status in (
        IncidentStatus.REPORTED,
        IncidentStatus.NOT_REPORTABLE,
    ):
        raise DomainError("Only a personal-data breach is reported to the regulator.")
    incident.status = status
    if status is IncidentStatus.REPORTED:
        incident.reported_at = now
    audit.record(
        session,
        incident.organisation_id,
        "incident.status",
        actor_id=actor.id,
        subject=incident,
        status=status.value,
    )


def list_incidents(session: Session, organisation_id: int, *, page: int = 1) -> Page[Incident]:
    stmt = (
        select(Incident)
        .where(Incident.organisation_id == organisation_id)
        .order_by(Incident.discovered_at.desc(), Incident.id.desc())
    )
    return paginate(session, stmt, page, 25)


def open_breaches(session: Session, organisation_id: int) -> list[Incident]:
    """Breaches still waiting for a reporting decision, most urgent first."""
    return list(
        session.scalars(
            select(Incident)
            .where(
                Incident.organisation_id == organisation_id,
                Incident.kind == IncidentKind.BREACH,
                Incident.status == IncidentStatus.OPEN,
            )
            .order_by(Incident.discovered_at)
        )
    )
