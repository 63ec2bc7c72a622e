"""An email address that may not register for a meeting again, kept as a keyed digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vcsafe.models.base import Base


class RegistrationBlock(Base):
    """Someone the organiser removed from a meeting, who then erased their data: their
    address is gone, but a digest of it (HMAC under a key derived from the secret key) keeps
    it from registering for that meeting again. Deleted by the cleanup once the meeting has
    started or will not take place (services/registration_blocks.py)."""

    __tablename__ = "registration_block"
    __table_args__ = (UniqueConstraint("meeting_id", "address_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    address_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
