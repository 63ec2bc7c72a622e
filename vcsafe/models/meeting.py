"""Meetings planned in vcsafe and created at a provider."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vcsafe.models.base import Base, str_enum, utcnow
from vcsafe.models.code_of_conduct import CodeOfConductVersion
from vcsafe.models.organisation import Organisation
from vcsafe.models.provider_account import ProviderAccount


class Audience(enum.StrEnum):
    ADULTS = "adults"
    MAY_INCLUDE_CHILDREN = "children"


class RecordingPolicy(enum.StrEnum):
    NONE = "none"
    WITH_CONSENT = "consent"
    REQUIRED = "required"


class MeetingState(enum.StrEnum):
    DRAFT = "draft"  # stored, not yet created at the provider
    SCHEDULED = "scheduled"
    ENDED = "ended"
    CANCELLED = "cancelled"
    PURGED = "purged"


class Meeting(Base):
    """One online meeting, its safety settings, and its retention clocks."""

    __tablename__ = "meeting"
    __table_args__ = (
        Index("ix_meeting_org_starts", "organisation_id", "starts_at"),
        Index("ix_meeting_provider_ref", "provider_account_id", "provider_meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    provider_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider_account.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    capacity: Mapped[int] = mapped_column(default=100)
    # Kept by database triggers (migration 0012), never written by the app: read it to know
    # how full the meeting is without counting its registrants.
    active_registrants: Mapped[int] = mapped_column(default=0, server_default="0")
    audience: Mapped[Audience] = mapped_column(str_enum(Audience), default=Audience.ADULTS)
    recording_policy: Mapped[RecordingPolicy] = mapped_column(
        str_enum(RecordingPolicy), default=RecordingPolicy.NONE
    )
    code_of_conduct_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("code_of_conduct_version.id", ondelete="RESTRICT")
    )
    registrant_retention_days: Mapped[int] = mapped_column(default=0)
    recording_retention_days: Mapped[int] = mapped_column(default=30)
    offer_future_contact: Mapped[bool] = mapped_column(default=False)
    # The unguessable part of the public registration URL (not a secret credential).
    public_slug: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[MeetingState] = mapped_column(str_enum(MeetingState), default=MeetingState.DRAFT)
    # What vcsafe asked the provider for (provider-neutral, see providers.base.MeetingSpec).
    safety_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    provider_meeting_id: Mapped[str | None] = mapped_column(String(200))
    provider_meeting_uuid: Mapped[str | None] = mapped_column(String(200))
    join_url: Mapped[str] = mapped_column(Text, default="")
    # Host start link and passcode grant control of the meeting: encrypted at rest.
    host_url_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    passcode_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    provider_error: Mapped[str] = mapped_column(Text, default="")
    # Safety settings last found changed at the provider (by the live checklist).
    drift: Mapped[list[str]] = mapped_column(JSON, default=list)
    ended_at: Mapped[datetime | None]
    registrants_purge_due_at: Mapped[datetime | None] = mapped_column(index=True)
    legal_hold: Mapped[bool] = mapped_column(default=False)
    # The day-before reminder (services/reminders.py): when it was queued, and to how many.
    reminded_at: Mapped[datetime | None]
    reminded_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # The worker's hourly read of an upcoming meeting at its provider (services/provider_watch.py):
    # when it last read it, and when it told the organisers the provider no longer has it.
    watched_at: Mapped[datetime | None]
    missing_reported_at: Mapped[datetime | None]
    legal_hold_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    provider_account: Mapped[ProviderAccount | None] = relationship()
    code_of_conduct_version: Mapped[CodeOfConductVersion | None] = relationship()
