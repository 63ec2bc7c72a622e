"""Cloud recordings known at the provider, with their deletion clock."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vcsafe.models.base import Base, str_enum, utcnow


class RecordingState(enum.StrEnum):
    AVAILABLE = "available"
    FAILING = "failing"  # deletion at the provider failed; retried with backoff
    DELETED = "deleted"


class Recording(Base):
    """A recording at the provider; deleted there permanently when its clock runs out."""

    __tablename__ = "recording"
    __table_args__ = (
        UniqueConstraint("meeting_id", "provider_recording_id"),
        Index("ix_recording_due", "state", "purge_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    # Zoom: the meeting instance UUID. Teams: the callRecording id.
    provider_recording_id: Mapped[str] = mapped_column(String(300))
    # Provider references needed to delete it (Zoom file ids; Teams drive and item ids).
    provider_refs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    completed_at: Mapped[datetime]
    purge_due_at: Mapped[datetime]
    state: Mapped[RecordingState] = mapped_column(
        str_enum(RecordingState), default=RecordingState.AVAILABLE
    )
    attempts: Mapped[int] = mapped_column(default=0)
    # Set when a purge reached out to the provider: a restart then checks before deleting again.
    purge_started_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
