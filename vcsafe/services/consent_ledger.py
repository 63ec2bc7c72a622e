"""Reading the append-only consent ledger: each registrant's latest decision per purpose.

The decisions that meeting pages count (recording refused or withdrawn, the code-of-conduct
text last accepted) are also kept on the registrant row, written with each ledger record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from vcsafe.models import (
    ConsentPurpose,
    ConsentRecord,
    Registrant,
    RegistrantStatus,
)


def refused_recording() -> ColumnElement[bool]:
    """A registrant whose latest recording decision is no (refused or withdrawn)."""
    return Registrant.refused_recording.is_(True)


def not_accepted(sha256: str) -> ColumnElement[bool]:
    """A registrant whose last accepted code-of-conduct text is not this one."""
    return Registrant.accepted_code_sha256 != sha256


def count_recording_refusals(session: Session, meeting_id: int) -> int:
    """Active registrants of a meeting whose latest recording decision is no."""
    return (
        session.scalar(
            select(func.count(Registrant.id)).where(
                Registrant.meeting_id == meeting_id,
                Registrant.status == RegistrantStatus.ACTIVE,
                refused_recording(),
            )
        )
        or 0
    )


def latest_by_registrant(
    session: Session, registrant_ids: Iterable[int]
) -> dict[int, dict[ConsentPurpose, ConsentRecord]]:
    """For each registrant, the latest record per purpose (one query for a page of people)."""
    ids = list(registrant_ids)
    result: dict[int, dict[ConsentPurpose, ConsentRecord]] = defaultdict(dict)
    if not ids:
        return result
    records = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.registrant_id.in_(ids))
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    for record in records:
        result[record.registrant_id][record.purpose] = record  # later ones overwrite
    return result
