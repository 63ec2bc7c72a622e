"""Deletion receipts: proof of what a purge deleted, without personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from vcsafe.models.base import Base, utcnow


class DeletionReceipt(Base):
    """What one purge run deleted for one meeting, where, and what the provider answered."""

    __tablename__ = "deletion_receipt"
    __table_args__ = (
        Index("ix_deletion_receipt_org_created", "organisation_id", "created_at"),
        Index("ix_deletion_receipt_run", "meeting_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    # Kept so the receipt stays readable after the meeting row is gone.
    meeting_title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(20))
    registrants_deleted: Mapped[int] = mapped_column(default=0)
    recordings_deleted: Mapped[int] = mapped_column(default=0)
    contacts_kept: Mapped[int] = mapped_column(default=0)
    # Counts and provider answers per kind of object; never names, emails or tokens.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # One receipt per meeting per purge run; counts grow in the same transaction as each deletion.
    run_id: Mapped[str] = mapped_column(String(32), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
