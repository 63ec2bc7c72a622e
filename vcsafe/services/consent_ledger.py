"""Reading the append-only consent ledger: each registrant's latest decision per purpose."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from vcsafe.models import (
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    Registrant,
    RegistrantStatus,
)

NEGATIVE = (ConsentDecision.REFUSED, ConsentDecision.WITHDRAWN)


def latest_decision(purpose: ConsentPurpose) -> ScalarSelect[ConsentDecision]:
    """A correlated subquery: the registrant's most recent decision for `purpose`."""
    return (
        select(ConsentRecord.decision)
        .where(ConsentRecord.registrant_id == Registrant.id, ConsentRecord.purpose == purpose)
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def latest_sha256(purpose: ConsentPurpose) -> ScalarSelect[str]:
    """A correlated subquery: the text hash of the registrant's latest grant for `purpose`."""
    return (
        select(ConsentRecord.text_sha256)
        .where(
            ConsentRecord.registrant_id == Registrant.id,
            ConsentRecord.purpose == purpose,
            ConsentRecord.decision == ConsentDecision.GRANTED,
        )
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def count_recording_refusals(session: Session, meeting_id: int) -> int:
    """Active registrants of a meeting whose latest recording decision is no."""
    return (
        session.scalar(
            select(func.count(Registrant.id)).where(
                Registrant.meeting_id == meeting_id,
                Registrant.status == RegistrantStatus.ACTIVE,
                latest_decision(ConsentPurpose.RECORDING).in_(NEGATIVE),
            )
        )
        or 0
    )


def count_not_accepted(session: Session, meeting_id: int, sha256: str) -> int:
    """Active registrants who have not accepted this exact code-of-conduct text."""
    return (
        session.scalar(
            select(func.count(Registrant.id)).where(
                Registrant.meeting_id == meeting_id,
                Registrant.status == RegistrantStatus.ACTIVE,
                func.coalesce(latest_sha256(ConsentPurpose.CODE_OF_CONDUCT), "") != sha256,
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
