"""The organisation's contact list: only people who opted in to hear about future events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from vcsafe.models.base import Base, utcnow


class Contact(Base):
    """Name and email kept, with that consent, until the person withdraws it."""

    __tablename__ = "contact"
    __table_args__ = (
        Index("uq_contact_org_email", "organisation_id", func.lower("email"), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    # Proof of the opt-in this entry rests on.
    consent_sha256: Mapped[str] = mapped_column(String(64))
    consent_version: Mapped[str] = mapped_column(String(100))
    consented_at: Mapped[datetime]
    withdraw_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
