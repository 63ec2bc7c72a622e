"""Deletion receipts: per meeting and purge run, what was deleted, where, and the answers.

Counts are added in the same transaction as each deletion, so a receipt is exact even when
a worker is killed halfway. Receipts hold counts and provider answers, never personal data.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from vcsafe.models import (
    DeletionReceipt,
    Meeting,
    MeetingState,
    Recording,
    RecordingState,
    Registrant,
)
from vcsafe.services import audit
from vcsafe.services.errors import NotFound
from vcsafe.services.paging import Page, paginate


def open_receipts(
    session: Session, meetings: Collection[Meeting], run_id: str, now: datetime
) -> dict[int, DeletionReceipt]:
    """This run's receipt for each meeting, locked for the transaction (made where missing),
    in one query for a whole batch."""
    ids = [m.id for m in meetings]
    found = {
        r.meeting_id: r
        for r in session.scalars(
            select(DeletionReceipt)
            .where(DeletionReceipt.meeting_id.in_(ids), DeletionReceipt.run_id == run_id)
            .with_for_update()
        )
        if r.meeting_id is not None
    }
    made = {
        meeting.id: DeletionReceipt(
            organisation_id=meeting.organisation_id,
            meeting_id=meeting.id,
            meeting_title=meeting.title,
            provider=meeting.provider_account.kind.value if meeting.provider_account else "",
            run_id=run_id,
            details={"registrants": {}, "recordings": {}},
            created_at=now,
        )
        for meeting in meetings
        if meeting.id not in found
    }
    if made:
        session.add_all(made.values())
        session.flush()  # their ids, for the audit events
        for receipt in made.values():
            audit.record(session, receipt.organisation_id, "purge.receipt", subject=receipt)
    return found | made


def _bump(receipt: DeletionReceipt, kind: str, answers: Counter[str]) -> None:
    details = {k: dict(v) if isinstance(v, dict) else v for k, v in receipt.details.items()}
    counted: dict[str, int] = details.setdefault(kind, {})
    for answer, n in answers.items():
        counted[answer] = counted.get(answer, 0) + n
    receipt.details = details  # reassign: JSON columns do not notice in-place changes


def count_registrants(
    receipt: DeletionReceipt, answers: Counter[str], *, contacts_kept: int = 0
) -> None:
    """Add deleted registrants (by the provider's answer), and the people kept in the contact
    list with their consent, to a receipt."""
    receipt.registrants_deleted += sum(answers.values())
    receipt.contacts_kept += contacts_kept
    _bump(receipt, "registrants", answers)
    receipt.sha256 = fingerprint(receipt)


def count_recording(
    session: Session, meeting: Meeting, run_id: str, *, answer: str, now: datetime
) -> None:
    receipt = open_receipts(session, [meeting], run_id, now)[meeting.id]
    receipt.recordings_deleted += 1
    _bump(receipt, "recordings", Counter([answer]))
    receipt.sha256 = fingerprint(receipt)


def close_meetings_if_done(session: Session, meeting_ids: Collection[int]) -> int:
    """Ended or cancelled meetings with nothing left to delete are marked purged, a few
    hundred per statement; returns how many."""
    ids = sorted(meeting_ids)
    closed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        people_left = select(Registrant.id).where(Registrant.meeting_id == Meeting.id)
        recordings_left = select(Recording.id).where(
            Recording.meeting_id == Meeting.id, Recording.state != RecordingState.DELETED
        )
        result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(Meeting)
            .where(
                Meeting.id.in_(chunk),
                Meeting.state.in_([MeetingState.ENDED, MeetingState.CANCELLED]),
                ~people_left.exists(),
                ~recordings_left.exists(),
            )
            .values(state=MeetingState.PURGED)
            .execution_options(synchronize_session=False)
        )
        closed += result.rowcount
    return closed


def as_document(receipt: DeletionReceipt) -> dict[str, Any]:
    """The receipt as a JSON document an auditor can keep."""
    return {
        "receipt": receipt.id,
        "meeting": {"id": receipt.meeting_id, "title": receipt.meeting_title},
        "provider": receipt.provider,
        "created_at": receipt.created_at.isoformat(),
        "registrants_deleted": receipt.registrants_deleted,
        "recordings_deleted": receipt.recordings_deleted,
        "contacts_kept_with_consent": receipt.contacts_kept,
        "where": ["vcsafe database", f"{receipt.provider or 'provider'} account"],
        "provider_answers": receipt.details,
        "sha256": receipt.sha256,
    }


def fingerprint(receipt: DeletionReceipt) -> str:
    body = {
        "meeting": receipt.meeting_id,
        "run": receipt.run_id,
        "registrants": receipt.registrants_deleted,
        "recordings": receipt.recordings_deleted,
        "contacts": receipt.contacts_kept,
        "details": receipt.details,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def list_receipts(
    session: Session, organisation_id: int, *, page: int = 1
) -> Page[DeletionReceipt]:
    stmt = (
        select(DeletionReceipt)
        .where(DeletionReceipt.organisation_id == organisation_id)
        .order_by(DeletionReceipt.created_at.desc(), DeletionReceipt.id.desc())
    )
    return paginate(session, stmt, page, 50)


def get_receipt(session: Session, organisation_id: int, receipt_id: int) -> DeletionReceipt:
    receipt = session.get(DeletionReceipt, receipt_id)
    if receipt is None or receipt.organisation_id != organisation_id:
        raise NotFound("deletion receipt")
    return receipt
