"""Purging due registrants, a batch at a time.

1. **Claim** (purge_claims.py). Up to a batch of due registrants nobody holds, recorded as
   one `purge_claim` row with a lease, committed before any request about them leaves for
   the provider: that row says "these people may have been reached", one small insert
   instead of a mark on every person.
2. **Provider.** Each person is deleted there; people an earlier run may have reached are
   asked about first (GET) instead of being deleted twice. The lease is renewed as it runs.
3. **Settle.** One transaction, under the claim row's lock: failures wait for their retry;
   the others are deleted locally (consent records and queued emails by the foreign keys'
   ON DELETE CASCADE), counted into the receipts and kept as contacts when they opted in; the
   claim row goes with them.

A batch is sized to about a second of provider work, so a killed
worker leaves little half done; with a provider that answers at once it grows to BATCH and
the database work stays in bulk.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from vcsafe.crypto import SecretsBox
from vcsafe.models import Meeting, Registrant
from vcsafe.providers.base import MeetingProvider, ProviderError, ProviderNotFound
from vcsafe.services import contacts, purge_claims, receipts
from vcsafe.services.provider_accounts import ProviderFor
from vcsafe.services.purge_claims import Claim, Claimed, Clock
from vcsafe.services.tables import among

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 5000
#: A batch is sized to take about this long, so a killed worker leaves little half done.
STEP_SECONDS = 1.0
FIRST_BATCH = 10
NO_COPY = "no copy at the provider"


def retry_delay(attempts: int) -> timedelta:
    """1 min, 2 min, 4 min, … up to 6 hours: a failing item stays due and is retried."""
    return min(MAX_BACKOFF, timedelta(minutes=2 ** max(0, attempts - 1)))


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


class Place(NamedTuple):
    """Where a meeting's people are held: its id at the provider, the adapter (or why there
    is none), and what its receipt says about it."""

    meeting_ref: str
    adapter: MeetingProvider | ProviderError
    heading: receipts.Heading


class Places:
    """Each meeting's `Place`, looked up once per run."""

    def __init__(self, factory: sessionmaker[Session], provider_for: ProviderFor) -> None:
        self._factory = factory
        self._provider_for = provider_for
        self._known: dict[int, Place] = {}

    def of(self, meeting_ids: Collection[int]) -> dict[int, Place]:
        missing = [m for m in meeting_ids if m not in self._known]
        if missing:
            with self._factory() as session:
                for meeting in session.scalars(select(Meeting).where(Meeting.id.in_(missing))):
                    adapter: MeetingProvider | ProviderError
                    if meeting.provider_account is None:
                        adapter = ProviderError("the meeting's account was disconnected")
                    else:
                        adapter = self._provider_for(meeting.provider_account)
                    self._known[meeting.id] = Place(
                        meeting.provider_meeting_id or "", adapter, receipts.heading(meeting)
                    )
        return self._known


def purge_batch(
    factory: sessionmaker[Session],
    held: Claim,
    places: Places,
    *,
    now: datetime,
    lease: timedelta,
    clock: Clock,
    run_id: str,
    erase_mail_copies: Callable[[int], int] | None = None,
    base_url: str = "",
    box: SecretsBox,
) -> BatchResult:
    """Delete a claimed batch: provider first (per item), then locally (one transaction)."""
    where = places.of({c.meeting_id for c in held.items})
    answers: dict[int, str] = {}
    failures: dict[int, ProviderError] = {}
    renew_at = held.until - lease / 2
    for item in held.items:
        if clock() >= renew_at:
            if not purge_claims.renew(factory, held, lease, clock):
                # Taken over: the new holder asks the provider about these people first.
                log.warning("purge: the lease on a batch ran out; another worker took it over")
                return BatchResult()
            renew_at = held.until - lease / 2
        try:
            answers[item.id] = _at_provider(item, where[item.meeting_id])
        except ProviderError as exc:
            failures[item.id] = exc
    return _settle(
        factory,
        held,
        where,
        answers,
        failures,
        now=now,
        clock=clock,
        run_id=run_id,
        erase_mail_copies=erase_mail_copies,
        base_url=base_url,
        box=box,
    )


def _at_provider(item: Claimed, place: Place) -> str:
    """Remove the registrant at the provider; returns the provider's answer in words."""
    if not item.provider_registrant_id or not place.meeting_ref:
        return NO_COPY
    adapter = place.adapter
    if isinstance(adapter, ProviderError):
        raise adapter
    try:
        if item.resumed and not adapter.registrant_exists(
            place.meeting_ref, item.provider_registrant_id
        ):
            return "already gone"
        adapter.remove_registrant(place.meeting_ref, item.provider_registrant_id)
    except ProviderNotFound:
        return "already gone"
    return "deleted"


def _settle(
    factory: sessionmaker[Session],
    held: Claim,
    where: dict[int, Place],
    answers: dict[int, str],
    failures: dict[int, ProviderError],
    *,
    now: datetime,
    clock: Clock,
    run_id: str,
    erase_mail_copies: Callable[[int], int] | None,
    base_url: str,
    box: SecretsBox,
) -> BatchResult:
    """One transaction, holding the claim row: the failures wait for their retry; the others
    are deleted (their copies in the mail folder first), counted into the receipts, and kept
    as contacts when they opted in; then the claim goes. Nothing happens if the claim is no
    longer this worker's."""
    result = BatchResult()
    with factory.begin() as session:
        if not purge_claims.hold(session, held):
            log.warning("purge: a batch was taken over before it was settled")
            return result
        for registrant_id, exc in failures.items():
            _failed(session, registrant_id, held.started_at, clock(), exc)
        result.failed = len(failures)
        pushed = _pushed_since(session, [c.id for c in held.items if answers.get(c.id) == NO_COPY])
        done = [c for c in held.items if c.id in answers and c.id not in pushed]
        if done:
            kept = _keep_contacts(session, done, base_url, box)
            deleted = _delete(session, [c.id for c in done], erase_mail_copies)
            counted = [c for c in done if c.id in deleted]
            _count(session, counted, answers, kept, where, now=now, run_id=run_id)
            result.deleted = len(counted)
            result.contacts_kept = sum(kept.values())
        purge_claims.release(session, held)
    return result


def _pushed_since(session: Session, no_copy: list[int]) -> set[int]:
    """Those seen with no copy at the provider who have one now (a push that finished after
    the claim), locked: they stay, for a later run to delete at the provider first."""
    if not no_copy:
        return set()
    return set(
        session.scalars(
            select(Registrant.id)
            .where(
                among(session, Registrant.id, no_copy),
                Registrant.provider_registrant_id.is_not(None),
            )
            .with_for_update()
        )
    )


def _delete(
    session: Session, ids: list[int], erase_mail_copies: Callable[[int], int] | None
) -> set[int]:
    """Delete the rows (consent records and queued emails go by cascade); returns whose went."""
    if erase_mail_copies is not None:
        for registrant_id in ids:  # before the rows: a crash between leaves no orphaned copy
            erase_mail_copies(registrant_id)
    return set(
        session.scalars(
            delete(Registrant)
            .where(among(session, Registrant.id, ids))
            .returning(Registrant.id)
            .execution_options(synchronize_session=False)
        )
    )


def _failed(
    session: Session, registrant_id: int, reached: datetime, at: datetime, exc: ProviderError
) -> None:
    registrant = session.get(Registrant, registrant_id)
    if registrant is None:
        return
    registrant.purge_attempts += 1
    registrant.next_purge_at = at + retry_delay(registrant.purge_attempts)
    # Asked at the provider: the retry checks there before deleting.
    registrant.purge_started_at = registrant.purge_started_at or reached
    # The kind and status only: a provider's message may quote the person's email.
    registrant.purge_error = f"{type(exc).__name__} (status {exc.status})"
    log.warning(
        "purge: registrant %s not deleted at the provider (attempt %d): %s",
        registrant.id,
        registrant.purge_attempts,
        registrant.purge_error,
    )


def _keep_contacts(
    session: Session, done: list[Claimed], base_url: str, box: SecretsBox
) -> Counter[int]:
    """Keep opted-in people's name and email; returns how many were kept, per meeting."""
    kept: Counter[int] = Counter()
    opted = [c.id for c in done if c.future_contact]
    if not opted:
        return kept
    for registrant in session.scalars(select(Registrant).where(Registrant.id.in_(opted))):
        if contacts.keep_if_opted_in(session, registrant, base_url=base_url, box=box):
            kept[registrant.meeting_id] += 1
    return kept


def _count(
    session: Session,
    counted: list[Claimed],
    answers: dict[int, str],
    kept: Counter[int],
    where: dict[int, Place],
    *,
    now: datetime,
    run_id: str,
) -> None:
    per_meeting: dict[int, Counter[str]] = defaultdict(Counter)
    for item in counted:
        per_meeting[item.meeting_id][answers[item.id]] += 1
    if per_meeting:
        receipts.count_registrants(
            session,
            [where[m].heading for m in per_meeting],
            run_id,
            now,
            answers=per_meeting,
            contacts_kept=kept,
        )
