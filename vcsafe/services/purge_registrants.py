"""Purging due registrants, a small batch at a time: claim it under a lease and mark it as
reached (`purge_started_at`), committed; delete each person at the provider; then delete them
locally and count them into the receipts in one transaction.

A batch is sized to about a second of provider work, so a worker killed at any moment leaves
little half done, and whoever takes it over *asks* the provider (GET) about those people
instead of deleting twice; several workers share the work in small turns. With a provider that
answers at once a batch grows to BATCH and the database work stays in bulk.

The lease is `next_purge_at` (when anyone may next try this registrant): a claim sets it a
lease ahead of the clock, the worker renews it while it works, and a failure sets it to the
retry time. A worker that died leaves its claims to others once the lease has run out.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, literal, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from vcsafe.models import Meeting, Registrant
from vcsafe.providers.base import MeetingProvider, ProviderError, ProviderNotFound
from vcsafe.services import contacts, receipts
from vcsafe.services.provider_accounts import ProviderFor
from vcsafe.services.tables import among

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 500
#: A batch is sized to take about this long, so a killed worker leaves little half done.
STEP_SECONDS = 1.0
FIRST_BATCH = 10
Clock = Callable[[], datetime]


def retry_delay(attempts: int) -> timedelta:
    """1 min, 2 min, 4 min, … up to 6 hours: a failing item stays due and is retried."""
    return min(MAX_BACKOFF, timedelta(minutes=2 ** max(0, attempts - 1)))


def due(now: datetime) -> ColumnElement[bool]:
    """Due, not held, and neither under another worker's lease nor waiting for a retry."""
    return and_(
        Registrant.purge_due_at <= now,
        Meeting.legal_hold.is_(False),
        or_(Registrant.next_purge_at.is_(None), Registrant.next_purge_at <= now),
    )


@dataclass(frozen=True)
class Claimed:
    id: int
    meeting_id: int
    resumed: bool  # an earlier run may have reached out: ask the provider before deleting
    provider_registrant_id: str | None
    future_contact: bool


@dataclass
class Claim:
    """A batch held under a lease until `until` (the value of their `next_purge_at`)."""

    items: list[Claimed]
    until: datetime


@dataclass
class BatchResult:
    deleted: int = 0
    failed: int = 0
    contacts_kept: int = 0


@dataclass
class Pace:
    """How many registrants the next claim takes: about STEP_SECONDS of work, learnt from
    how long the last batch took."""

    size: int = FIRST_BATCH

    def learn(self, done: int, seconds: float) -> None:
        rate = done / max(seconds, 1e-3)
        self.size = max(1, min(BATCH, int(rate * STEP_SECONDS)))


def claim(
    factory: sessionmaker[Session],
    *,
    now: datetime,
    lease: timedelta,
    clock: Clock,
    size: int = BATCH,
) -> Claim | None:
    """Lock up to `size` due registrants (skipping ones other workers hold), lease them and
    mark them as reached, committed before any request leaves for the provider.

    One statement: an UPDATE of the rows a locking sub-select picks. `purge_started_at` keeps
    the first time anyone reached a person, so a value older than this claim says an earlier
    run may have asked the provider to delete them already."""
    stamp = clock()
    until = stamp + lease
    picked = (
        select(Registrant.id)
        .join(Meeting, Meeting.id == Registrant.meeting_id)
        .where(due(now))
        # Read from an index, without sorting every due row; a meeting's people together,
        # so a batch touches few meetings (and few receipts).
        .order_by(Registrant.purge_due_at, Registrant.meeting_id)
        .limit(size)
        .with_for_update(skip_locked=True, of=Registrant)
    )
    started = func.coalesce(
        Registrant.purge_started_at, literal(stamp, Registrant.purge_started_at.type)
    )
    with factory.begin() as session:
        rows = session.execute(
            update(Registrant)
            .where(Registrant.id.in_(picked.scalar_subquery()))
            .values(next_purge_at=until, purge_started_at=started)
            .returning(
                Registrant.id,
                Registrant.meeting_id,
                # Reached before this claim: an earlier run may have asked the provider.
                (Registrant.purge_started_at != stamp).label("resumed"),
                Registrant.provider_registrant_id,
                Registrant.future_contact,
            )
            .execution_options(synchronize_session=False)
        ).all()
    if not rows:
        return None
    items = [
        Claimed(
            r.id,
            r.meeting_id,
            bool(r.resumed),
            r.provider_registrant_id,
            r.future_contact,
        )
        for r in sorted(rows, key=lambda r: (r.meeting_id, r.id))
    ]
    return Claim(items, until)


def purge_batch(
    factory: sessionmaker[Session],
    held: Claim,
    provider_for: ProviderFor,
    *,
    now: datetime,
    lease: timedelta,
    clock: Clock,
    run_id: str,
    erase_mail_copies: Callable[[int], int] | None = None,
    base_url: str = "",
) -> BatchResult:
    """Delete a claimed batch: provider first (per item), then locally (one transaction)."""
    providers = _providers(factory, {c.meeting_id for c in held.items}, provider_for)
    result = BatchResult()
    answers: dict[int, str] = {}
    failures: dict[int, ProviderError] = {}
    lost: set[int] = set()
    for item in held.items:
        if clock() >= held.until - lease / 2:
            lost |= _renew(
                factory, held, [c.id for c in held.items if c.id not in lost], lease, clock
            )
        if item.id in lost:
            continue
        try:
            answers[item.id] = _at_provider(item, providers[item.meeting_id])
        except ProviderError as exc:
            failures[item.id] = exc
    _settle(
        factory,
        held,
        answers,
        failures,
        result,
        now=now,
        clock=clock,
        run_id=run_id,
        erase_mail_copies=erase_mail_copies,
        base_url=base_url,
    )
    return result


def _providers(
    factory: sessionmaker[Session], meeting_ids: Collection[int], provider_for: ProviderFor
) -> dict[int, tuple[str, MeetingProvider | ProviderError]]:
    """Per meeting: its id at the provider, and the adapter (or why there is none)."""
    found: dict[int, tuple[str, MeetingProvider | ProviderError]] = {}
    with factory() as session:
        for meeting in session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids))):
            adapter: MeetingProvider | ProviderError
            if meeting.provider_account is None:
                adapter = ProviderError("the meeting's account was disconnected")
            else:
                adapter = provider_for(meeting.provider_account)
            found[meeting.id] = (meeting.provider_meeting_id or "", adapter)
    return found


def _renew(
    factory: sessionmaker[Session], held: Claim, ids: list[int], lease: timedelta, clock: Clock
) -> set[int]:
    """Extend the lease on the batch; returns those no longer this worker's (taken over)."""
    until = clock() + lease
    with factory.begin() as session:
        ours = set(_owned(session, ids, held.until))
        session.execute(
            update(Registrant)
            .where(among(session, Registrant.id, ours))
            .values(next_purge_at=until)
            .execution_options(synchronize_session=False)
        )
    held.until = until
    return set(ids) - ours


def _owned(session: Session, ids: list[int], until: datetime) -> list[int]:
    """Those of `ids` still under this lease, locked for the rest of the transaction."""
    if not ids:
        return []
    return list(
        session.scalars(
            select(Registrant.id)
            .where(among(session, Registrant.id, ids), Registrant.next_purge_at == until)
            .with_for_update()
        )
    )


def _at_provider(item: Claimed, provider: tuple[str, MeetingProvider | ProviderError]) -> str:
    """Remove the registrant at the provider; returns the provider's answer in words."""
    meeting_ref, adapter = provider
    if not item.provider_registrant_id or not meeting_ref:
        return "no copy at the provider"
    if isinstance(adapter, ProviderError):
        raise adapter
    try:
        if item.resumed and not adapter.registrant_exists(meeting_ref, item.provider_registrant_id):
            return "already gone"
        adapter.remove_registrant(meeting_ref, item.provider_registrant_id)
    except ProviderNotFound:
        return "already gone"
    return "deleted"


def _settle(
    factory: sessionmaker[Session],
    held: Claim,
    answers: dict[int, str],
    failures: dict[int, ProviderError],
    result: BatchResult,
    *,
    now: datetime,
    clock: Clock,
    run_id: str,
    erase_mail_copies: Callable[[int], int] | None,
    base_url: str,
) -> None:
    """One transaction: the failures wait for their retry; the others are deleted here (their
    consent records and queued emails go with them, by the foreign keys' ON DELETE CASCADE;
    their copies in the mail folder first), counted into the receipts, and kept as contacts
    when they opted in. Only registrants still under this worker's lease are touched."""
    with factory.begin() as session:
        for registrant_id in _owned(session, list(failures), held.until):
            _failed(session, registrant_id, clock(), failures[registrant_id])
            result.failed += 1
        done = [c for c in held.items if c.id in answers]
        if not done:
            return
        kept = _keep_contacts(session, done, held.until, base_url)
        ids = [c.id for c in done]
        if erase_mail_copies is not None:
            # Before the rows go (a crash between the two leaves no orphaned copy), and only
            # for people still ours: locked here, they are the ones the DELETE below takes.
            for registrant_id in _owned(session, ids, held.until):
                erase_mail_copies(registrant_id)
        deleted = set(
            session.scalars(
                delete(Registrant)
                .where(among(session, Registrant.id, ids), Registrant.next_purge_at == held.until)
                .returning(Registrant.id)
                .execution_options(synchronize_session=False)
            )
        )
        _count(session, [c for c in done if c.id in deleted], answers, kept, now=now, run_id=run_id)
        result.deleted += len(deleted)
        result.contacts_kept += sum(kept.values())


def _failed(session: Session, registrant_id: int, at: datetime, exc: ProviderError) -> None:
    registrant = session.get(Registrant, registrant_id)
    if registrant is None:
        return
    registrant.purge_attempts += 1
    registrant.next_purge_at = at + retry_delay(registrant.purge_attempts)
    # The kind and status only: a provider's message may quote the person's email.
    registrant.purge_error = f"{type(exc).__name__} (status {exc.status})"
    log.warning(
        "purge: registrant %s not deleted at the provider (attempt %d): %s",
        registrant.id,
        registrant.purge_attempts,
        registrant.purge_error,
    )


def _keep_contacts(
    session: Session, done: list[Claimed], until: datetime, base_url: str
) -> Counter[int]:
    """Keep opted-in people's name and email (those still under this lease, locked first);
    returns how many were kept, per meeting."""
    opted = _owned(session, [c.id for c in done if c.future_contact], until)
    kept: Counter[int] = Counter()
    if not opted:
        return kept
    for registrant in session.scalars(select(Registrant).where(Registrant.id.in_(opted))):
        if contacts.keep_if_opted_in(session, registrant, base_url=base_url):
            kept[registrant.meeting_id] += 1
    return kept


def _count(
    session: Session,
    done: list[Claimed],
    answers: dict[int, str],
    kept: Counter[int],
    *,
    now: datetime,
    run_id: str,
) -> None:
    per_meeting: dict[int, Counter[str]] = defaultdict(Counter)
    for item in done:
        per_meeting[item.meeting_id][answers[item.id]] += 1
    meetings = session.scalars(select(Meeting).where(Meeting.id.in_(per_meeting))).all()
    for meeting_id, receipt in receipts.open_receipts(session, meetings, run_id, now).items():
        receipts.count_registrants(receipt, per_meeting[meeting_id], contacts_kept=kept[meeting_id])
