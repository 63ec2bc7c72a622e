"""Incidents: disruptions and personal-data breaches logged against meetings."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vcsafe.models.base import Base, str_enum, utcnow

BREACH_REPORTING_WINDOW = timedelta(hours=72)


class IncidentKind(enum.StrEnum):
    DISRUPTION = "disruption"
    BREACH = "breach"


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    REPORTED = "reported"
    NOT_REPORTABLE = "not_reportable"
    CLOSED = "closed"


class Incident(Base):
    """Something that went wrong; a breach carries a 72-hour reporting deadline."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_org_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[IncidentKind] = mapped_column(str_enum(IncidentKind))
    summary: Mapped[str] = mapped_column(String(300))
    # Organiser-written; the form asks for counts and actions, not names.
    actions_taken: Mapped[str] = mapped_column(Text, default="")
    affected_count: Mapped[int] = mapped_column(default=0)
    occurred_at: Mapped[datetime]
    discovered_at: Mapped[datetime]
    status: Mapped[IncidentStatus] = mapped_column(
        str_enum(IncidentStatus), default=IncidentStatus.OPEN
    )
    reported_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def reporting_deadline(self) -> datetime | None:
        """When a breach must be reported to the regulator: 72 hours after it was discovered."""
        if self.kind is not IncidentKind.BREACH:
            return None
        return self.discovered_at + BREACH_REPORTING_WINDOW
