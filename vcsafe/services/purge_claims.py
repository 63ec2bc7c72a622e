"""Purge claims: which due registrants a worker holds while it deletes them at the provider.

A claim is one `purge_claim` row listing a batch's ids, with a lease (`until`). It is
committed before any request about those people leaves for the provider, and deleted in the
transaction that deletes them locally; so a claim still present after its lease has run out
belongs to a worker that died, and its people may have been reached. The next claimer marks
them as reached (`purge_started_at`) and drops the claim: they are then asked about at the
provider, never deleted twice.

On PostgreSQL claimers take turns under an advisory lock (each claim takes milliseconds), so
each sees what the others hold; rows another transaction has locked (a push to the provider in
flight) are skipped. SQLite runs one worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, delete, func, insert, not_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from vcsafe.models import Meeting, PurgeClaim, Registrant
from vcsafe.services.tables import among

log = logging.getLogger(__name__)
#: The PostgreSQL advisory lock that lets one worker claim at a time ("vcsa").
CLAIM_LOCK = 0x76637361
Clock = Callable[[], datetime]


def due(now: datetime) -> ColumnElement[bool]:
    """Due, not held, and not waiting for a retry (claims are told apart by `held_by_claims`)."""
    return and_(
        Registrant.purge_due_at <= now,
        Meeting.legal_hold.is_(False),
        or_(Registrant.next_purge_at.is_(None), Registrant.next_purge_at <= now),
    )


def held_by_claims(session: Session, at: datetime) -> list[int]:
    """Registrants under a live claim: another worker's, or a killed one's not yet run out."""
    held: list[int] = []
    for ids in session.scalars(select(PurgeClaim.registrant_ids).where(PurgeClaim.until > at)):
        held.extend(ids)
    return held


class Claimed(NamedTuple):
    id: int
    meeting_id: int
    resumed: bool  # an earlier run may have reached out: ask the provider before deleting
    provider_registrant_id: str | None
    future_contact: bool


@dataclass
class Claim:
    """A batch recorded as claim row `id`, this worker's while the row's lease says `until`."""

    id: int
    items: list[Claimed]
    started_at: datetime
    until: datetime


def claim(
    factory: sessionmaker[Session],
    *,
    now: datetime,
    lease: timedelta,
    clock: Clock,
    size: int,
) -> Claim | None:
    """Take up to `size` due registrants nobody holds and record them as one claim, leased
    and committed before any request about them leaves for the provider."""
    with factory.begin() as session:
        _one_claimer_at_a_time(session)
        stamp = clock()
        _take_over_expired(session, stamp)
        picked = (
            select(
                Registrant.id,
                Registrant.meeting_id,
                Registrant.purge_started_at.is_not(None),
                Registrant.provider_registrant_id,
                Registrant.future_contact,
            )
            .join(Meeting, Meeting.id == Registrant.meeting_id)
            .where(due(now))
            # Read from an index, without sorting every due row; a meeting's people together,
            # so a batch touches few meetings (and few receipts).
            .order_by(Registrant.purge_due_at, Registrant.meeting_id)
            .limit(size)
            .with_for_update(skip_locked=True, of=Registrant)
        )
        if held := held_by_claims(session, stamp):
            picked = picked.where(not_(among(session, Registrant.id, held)))
        # Plain rows (Core), not ORM results: thousands of them, read once.
        rows = session.connection().execute(picked)
        items = sorted(map(Claimed._make, rows), key=itemgetter(1, 0))
        if not items:
            return None
        until = stamp + lease
        claim_id = session.execute(
            insert(PurgeClaim)
            .values(registrant_ids=[c.id for c in items], started_at=stamp, until=until)
            .returning(PurgeClaim.id)
        ).scalar_one()
    return Claim(claim_id, items, stamp, until)


def _one_claimer_at_a_time(session: Session) -> None:
    """On PostgreSQL, wait for other workers' claims to commit, so this one sees what they
    hold. (SQLite runs one worker; its writers take turns anyway.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))


def _take_over_expired(session: Session, at: datetime) -> None:
    """Drop claims whose lease has run out (their worker died), marking their people as
    reached so that whoever takes them asks the provider before deleting."""
    expired = session.execute(
        delete(PurgeClaim)
        .where(PurgeClaim.until <= at)
        .returning(PurgeClaim.registrant_ids, PurgeClaim.started_at)
    ).all()
    for ids, started_at in expired:
        log.info("purge: taking over %d registrants from a claim whose lease ran out", len(ids))
        session.execute(
            update(Registrant)
            .where(among(session, Registrant.id, ids), Registrant.purge_started_at.is_(None))
            .values(purge_started_at=started_at)
            .execution_options(synchronize_session=False)
        )


def renew(factory: sessionmaker[Session], held: Claim, lease: timedelta, clock: Clock) -> bool:
    """Extend the claim's lease; False when it is no longer this worker's."""
    until = clock() + lease
    with factory.begin() as session:
        renewed = session.execute(
            update(PurgeClaim).where(_still_ours(held)).values(until=until).returning(PurgeClaim.id)
        ).first()
    if renewed is None:
        return False
    held.until = until
    return True


def hold(session: Session, held: Claim) -> bool:
    """Lock the claim for this transaction; False when it is no longer this worker's."""
    ours = session.scalar(select(PurgeClaim.id).where(_still_ours(held)).with_for_update())
    return ours is not None


def _still_ours(held: Claim) -> ColumnElement[bool]:
    """The claim row still carries the lease this worker took or last renewed (a takeover
    deletes it; a renewal by this worker moves `held.until` with it)."""
    return and_(PurgeClaim.id == held.id, PurgeClaim.until == held.until)


def release(session: Session, held: Claim) -> None:
    """The batch is settled: drop its claim (in the transaction that settled it)."""
    session.execute(
        delete(PurgeClaim)
        .where(PurgeClaim.id == held.id)
        .execution_options(synchronize_session=False)
    )
