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

from sqlalchemy import func, select
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
    for meeting in meetings:
        if meeting.id in found:
            continue
        account = meeting.provider_account
        receipt = DeletionReceipt(
            organisation_id=meeting.organisation_id,
            meeting_id=meeting.id,
            meeting_title=meeting.title,
            provider=account.kind.value if account else "",
            run_id=run_id,
            details={"registrants": {}, "recordings": {}},
            created_at=now,
        )
        session.add(receipt)
        session.flush()
        audit.record(session, meeting.organisation_id, "purge.receipt", subject=receipt)
        found[meeting.id] = receipt
    return found


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


def close_meeting_if_done(session: Session, meeting_id: int) -> bool:
    """An ended or cancelled meeting with nothing left to delete is marked purged."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.state not in (MeetingState.ENDED, MeetingState.CANCELLED):
        return False
    left = session.scalar(
        select(func.count(Registrant.id)).where(Registrant.meeting_id == meeting_id)
    )
    recordings = session.scalar(
        select(func.count(Recording.id)).where(
            Recording.meeting_id == meeting_id, Recording.state != RecordingState.DELETED
        )
    )
    if left or recordings:
        return False
    meeting.state = MeetingState.PURGED
    return True


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
