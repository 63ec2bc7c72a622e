"""Organisations and the people who run their meetings."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vcsafe.models.base import Base, str_enum, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"


class Organisation(Base):
    """A body that runs events; every other object belongs to exactly one."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    age_threshold: Mapped[int] = mapped_column(default=13)
    max_registrant_retention_days: Mapped[int] = mapped_column(default=90)
    default_code_of_conduct_id: Mapped[int | None] = mapped_column(
        ForeignKey("code_of_conduct.id", ondelete="SET NULL", use_alter=True)
    )
    incident_contact: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base):
    """An organiser or admin who signs in to the console."""

    __tablename__ = "user_account"
    __table_args__ = (Index("uq_user_account_email_lower", func.lower("email"), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session's id: raising it (sign-out, new password) ends all the user's
    # sessions, including a copy of the cookie someone may have taken.
    session_generation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    # Flask-Login's user protocol, spelled out instead of inheriting a mixin.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
