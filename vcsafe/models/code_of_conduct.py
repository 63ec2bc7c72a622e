"""Codes of conduct and their immutable, hashed versions."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vcsafe.models.base import Base, utcnow


class CodeOfConduct(Base):
    """A named code of conduct in an organisation's library."""

    __tablename__ = "code_of_conduct"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[CodeOfConductVersion]] = relationship(
        back_populates="code_of_conduct", order_by="CodeOfConductVersion.number"
    )


class CodeOfConductVersion(Base):
    """One published text of a code of conduct; never changed once written."""

    __tablename__ = "code_of_conduct_version"
    __table_args__ = (UniqueConstraint("code_of_conduct_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_of_conduct_id: Mapped[int] = mapped_column(
        ForeignKey("code_of_conduct.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    code_of_conduct: Mapped[CodeOfConduct] = relationship(back_populates="versions")

    @staticmethod
    def hash_text(body: str) -> str:
        """The sha256 of the exact text people are shown."""
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


@event.listens_for(CodeOfConductVersion, "before_update")
def _refuse_update(mapper: object, connection: object, target: CodeOfConductVersion) -> None:
    raise ValueError("a published code-of-conduct version is immutable; publish a new one")
