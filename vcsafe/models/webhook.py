"""Webhook deliveries seen, to refuse replays. Holds a digest, never the payload."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vcsafe.models.base import Base, utcnow


class WebhookDelivery(Base):
    """One verified delivery's identity; a second delivery with the same id is a replay."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_account_id: Mapped[int] = mapped_column(
        ForeignKey("provider_account.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class WebhookSubscription(Base):
    """A Microsoft Graph change-notification subscription vcsafe keeps renewed."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_account_id: Mapped[int] = mapped_column(
        ForeignKey("provider_account.id", ondelete="CASCADE"), index=True
    )
    # The meeting it tells vcsafe about; its rows go when the meeting's data is purged.
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    # Graph resources name a meeting by its join link: they run to several hundred characters.
    resource: Mapped[str] = mapped_column(String(2000))
    subscription_id: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
