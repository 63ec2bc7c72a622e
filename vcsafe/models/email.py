"""Emails waiting to be sent. Deleted once sent, or with the registrant they are for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vcsafe.models.base import Base, utcnow


class OutboundEmail(Base):
    """One queued email. It holds personal data (address, name, links) only until sent.

    The body is encrypted at rest (SecretsBox): it carries private links whose tokens the
    database otherwise keeps only as hashes, and personal join links."""

    __tablename__ = "outbound_email"
    __table_args__ = (Index("ix_outbound_email_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    registrant_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(50))  # confirmation, join_link, …
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)  # None once sent
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
