"""The audit log: who did what. Never holds a registrant's personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from vcsafe.models.base import Base, utcnow

#: The actions that cancel a meeting; a partial index holds just these (migration 0017).
CANCELLING_ACTIONS = ("meeting.cancelled", "meeting.deleted_at_provider")
CANCELLED_WHERE = "action IN (" + ", ".join(f"'{a}'" for a in CANCELLING_ACTIONS) + ")"


class AuditEvent(Base):
    """One organiser or system action, with ids and counts only."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_org_created", "organisation_id", "created_at"),
        # How each cancelled meeting was cancelled, for its page: a handful of rows (0017).
        Index(
            "ix_audit_event_meeting_cancelled",
            "subject_id",
            postgresql_where=text(CANCELLED_WHERE),
            sqlite_where=text(CANCELLED_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    # None for actions of the system (worker, webhooks).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(100))
    subject_type: Mapped[str] = mapped_column(String(50), default="")
    subject_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
