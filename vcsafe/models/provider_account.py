"""A connected Zoom or Microsoft Teams account; its secrets are encrypted at rest."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vcsafe.models.base import Base, str_enum, utcnow


class ProviderKind(enum.StrEnum):
    ZOOM = "zoom"
    TEAMS = "teams"

    @property
    def product(self) -> str:
        """The product's name, as people know it."""
        return "Zoom" if self is ProviderKind.ZOOM else "Microsoft Teams"


class AccountStatus(enum.StrEnum):
    UNCHECKED = "unchecked"
    OK = "ok"
    FAILING = "failing"


class ProviderAccount(Base):
    """Credentials and state of one organisation's link to a provider."""

    __tablename__ = "provider_account"
    __table_args__ = (UniqueConstraint("organisation_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ProviderKind] = mapped_column(str_enum(ProviderKind))
    label: Mapped[str] = mapped_column(String(100))
    # Zoom: the Server-to-Server OAuth account id. Teams: the Entra tenant id.
    tenant: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    # Zoom: the webhook secret token. Teams: the clientState of change notifications.
    webhook_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The user meetings are created for: Zoom user id or "me"; Teams organiser's user id.
    host_user: Mapped[str] = mapped_column(String(200), default="me")
    # Empty for the real provider; set to a local fake's address in demo mode and tests.
    api_base_url: Mapped[str] = mapped_column(String(300), default="")
    auth_base_url: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[AccountStatus] = mapped_column(
        str_enum(AccountStatus), default=AccountStatus.UNCHECKED
    )
    last_checked_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
