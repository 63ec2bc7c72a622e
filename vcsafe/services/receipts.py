"""Deletion receipts: per meeting and purge run, what was deleted, where, and the answers.

Counts are added in the same transaction as each deletion, so a receipt is exact even when
a worker is killed halfway. Receipts hold counts and provider answers, never personal data.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Heading:
    """What a new receipt says about its meeting (kept readable after the meeting is gone)."""

    meeting_id: int
    organisation_id: int
    title: str
    provider: str


def heading(meeting: Meeting) -> Heading:
    kind = meeting.provider_account.kind.value if meeting.provider_account else ""
    return Heading(meeting.id, meeting.organisation_id, meeting.title, kind)


def count_registrants(
    session: Session,
    headings: Collection[Heading],
    run_id: str,
    now: datetime,
    *,
    answers: Mapping[int, Counter[str]],
    contacts_kept: Mapping[int, int],
) -> None:
    """Add a batch's deleted registrants (per meeting, by the provider's answer) and the people
    kept in the contact list with their consent to this run's receipts."""
    receipts = _receipts(session, headings, run_id, now)
    for meeting_id, receipt in receipts.items():
        counted = answers.get(meeting_id, Counter())
        receipt.registrants_deleted += sum(counted.values())
        receipt.contacts_kept += contacts_kept.get(meeting_id, 0)
        _bump(receipt, "registrants", counted)
    _seal(session, receipts.values())


def count_recording(
    session: Session, meeting: Meeting, run_id: str, *, answer: str, now: datetime
) -> None:
    receipt = _receipts(session, [heading(meeting)], run_id, now)[meeting.id]
    receipt.recordings_deleted += 1
    _bump(receipt, "recordings", Counter([answer]))
    _seal(session, [receipt])


def _receipts(
    session: Session, headings: Collection[Heading], run_id: str, now: datetime
) -> dict[int, DeletionReceipt]:
    """This run's receipt for each meeting, locked for the transaction; the missing ones are
    made, to be written with their first counts (one INSERT each, by `_seal`)."""
    ids = [h.meeting_id for h in headings]
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
        h.meeting_id: DeletionReceipt(
            organisation_id=h.organisation_id,
            meeting_id=h.meeting_id,
            meeting_title=h.title,
            provider=h.provider,
            run_id=run_id,
            details={"registrants": {}, "recordings": {}},
            registrants_deleted=0,
            recordings_deleted=0,
            contacts_kept=0,
            created_at=now,
        )
        for h in headings
        if h.meeting_id not in found
    }
    session.add_all(made.values())
    return found | made


def _seal(session: Session, counted: Collection[DeletionReceipt]) -> None:
    """Fingerprint the receipts just counted into and write them; each new one is audited."""
    made = [r for r in counted if r.id is None]
    for receipt in counted:
        receipt.sha256 = fingerprint(receipt)
    session.flush()  # the new receipts' ids, for their audit events
    for receipt in made:
        audit.record(session, receipt.organisation_id, "purge.receipt", subject=receipt)


def _bump(receipt: DeletionReceipt, kind: str, answers: Counter[str]) -> None:
    details = {k: dict(v) if isinstance(v, dict) else v for k, v in receipt.details.items()}
    counted: dict[str, int] = details.setdefault(kind, {})
    for answer, n in answers.items():
        counted[answer] = counted.get(answer, 0) + n
    receipt.details = details  # reassign: JSON columns do not notice in-place changes


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
