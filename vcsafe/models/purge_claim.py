"""A batch of registrants one purge worker holds while it deletes them at the provider."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from vcsafe.models.base import Base


class PurgeClaim(Base):
    """Written (committed) before any request about these people leaves for the provider, and
    deleted in the transaction that deletes them locally. A claim still here after its lease
    ran out belongs to a worker that died: its people may have been reached."""

    __tablename__ = "purge_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Registrant ids only, never personal data.
    registrant_ids: Mapped[list[int]] = mapped_column(JSON)
    started_at: Mapped[datetime]
    # The lease: nobody else may take these people before then; renewed while the worker works.
    until: Mapped[datetime] = mapped_column(index=True)
