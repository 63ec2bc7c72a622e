"""Registrants and the append-only ledger of their consent decisions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, event, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vcsafe.models.base import Base, str_enum, utcnow


class AgeBand(enum.StrEnum):
    ADULT = "adult"  # at or above the organisation's age threshold
    CHILD = "child"  # below it: a guardian consents


class PushState(enum.StrEnum):
    PENDING = "pending"  # stored locally, not yet known to the provider
    PUSHED = "pushed"
    FAILING = "failing"  # retried with backoff; shown in the console
    NOT_NEEDED = "not_needed"  # the provider has no per-person registration


class RegistrantStatus(enum.StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    ERASURE_REQUESTED = "erasure_requested"
    # Removed by the organiser (services/removal.py): their link no longer works, and the
    # email cannot register again for this meeting while the row lasts.
    REMOVED = "removed"


class ConsentPurpose(enum.StrEnum):
    CODE_OF_CONDUCT = "code_of_conduct"
    RECORDING = "recording"
    PRIVACY_NOTICE = "privacy_notice"
    FUTURE_CONTACT = "future_contact"
    GUARDIAN = "guardian"


class ConsentDecision(enum.StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Registrant(Base):
    """A person registered for a meeting. Every personal field is deleted by the purge."""

    __tablename__ = "registrant"
    __table_args__ = (
        # One active registration per email and meeting; a cancelled one may wait for the
        # purge beside a new one (migration 0014); a removed one blocks the email (0016).
        Index(
            "uq_registrant_meeting_email",
            "meeting_id",
            func.lower("email"),
            unique=True,
            postgresql_where=text("status IN ('active', 'removed')"),
            sqlite_where=text("status IN ('active', 'removed')"),
        ),
        # The few registrations on their way out: a new one with the same email is pushed to
        # the provider only once they are gone (registrant_push.py).
        Index(
            "ix_registrant_leaving_email",
            "meeting_id",
            func.lower("email"),
            postgresql_where=text("status != 'active'"),
            sqlite_where=text("status != 'active'"),
        ),
        # The push queue, read in order: `next_push_at` is set only while a person waits to be
        # pushed (migration 0015).
        Index("ix_registrant_push_queue", "next_push_at", "id"),
        # The console lists a meeting's registrants newest first, a page at a time.
        Index("ix_registrant_meeting_created", "meeting_id", "created_at", "id"),
        # The purge takes due people in this order: a batch holds few meetings.
        Index("ix_registrant_purge_order", "purge_due_at", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    # Personal data: kept until the meeting's registrant retention runs out, then purged.
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    age_band: Mapped[AgeBand] = mapped_column(str_enum(AgeBand), default=AgeBand.ADULT)
    guardian_name: Mapped[str] = mapped_column(String(200), default="")
    guardian_email: Mapped[str] = mapped_column(String(320), default="")
    future_contact: Mapped[bool] = mapped_column(default=False)
    # The ledger's latest word, kept beside the person so that a meeting's counts need no pass
    # over the ledger: written in the same transaction as each consent record that changes it.
    refused_recording: Mapped[bool] = mapped_column(default=False)
    accepted_code_sha256: Mapped[str] = mapped_column(String(64), default="")
    provider_registrant_id: Mapped[str | None] = mapped_column(String(200))
    # The personal join link (SecretsBox): it lets its holder in as this person.
    join_url_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    manage_token_expires_at: Mapped[datetime | None]
    status: Mapped[RegistrantStatus] = mapped_column(
        str_enum(RegistrantStatus), default=RegistrantStatus.ACTIVE
    )
    push_state: Mapped[PushState] = mapped_column(str_enum(PushState), default=PushState.PENDING)
    push_attempts: Mapped[int] = mapped_column(default=0)
    next_push_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    purge_due_at: Mapped[datetime | None]
    # Set when a purge reached out to the provider: a restart then checks before deleting again.
    purge_started_at: Mapped[datetime | None]
    purge_attempts: Mapped[int] = mapped_column(default=0)
    next_purge_at: Mapped[datetime | None]
    purge_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    consents: Mapped[list[ConsentRecord]] = relationship(
        back_populates="registrant",
        order_by="ConsentRecord.recorded_at",
        passive_deletes=True,
    )


class ConsentRecord(Base):
    """One consent decision as shown and made: never edited, deleted only with its registrant."""

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    registrant_id: Mapped[int] = mapped_column(
        ForeignKey("registrant.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose))
    decision: Mapped[ConsentDecision] = mapped_column(str_enum(ConsentDecision))
    # What exactly was shown: the sha256 of the text and a human label such as "coc 3".
    text_sha256: Mapped[str] = mapped_column(String(64))
    text_version: Mapped[str] = mapped_column(String(100))
    # "registrant" or "guardian": who made the decision.
    given_by: Mapped[str] = mapped_column(String(20), default="registrant")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    registrant: Mapped[Registrant] = relationship(back_populates="consents")


@event.listens_for(ConsentRecord, "before_update")
def _append_only(mapper: object, connection: object, target: ConsentRecord) -> None:
    raise ValueError("the consent ledger is append-only; record a new decision instead")
