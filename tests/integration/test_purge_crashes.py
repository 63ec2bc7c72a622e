"""Killing the purge at any moment loses nothing and deletes nothing twice.

Real `vcsafe purge` processes delete 2,000 registrants and 200 cloud recordings held on the
Zoom fake; they are killed (SIGKILL) at random moments and started again. Whatever the moment,
everything due ends up deleted exactly once at Zoom and locally, the receipts add up, and
nothing that was not yet due is touched. On PostgreSQL, two processes share the same work.
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import BOX
from tests.fakes.zoom import ZoomFake
from tests.integration import purge_world
from tests.integration.purge_world import World
from tests.planning import connect
from vcsafe.app import providers_of
from vcsafe.db import db
from vcsafe.models import (
    Meeting,
    MeetingState,
    Organisation,
    ProviderKind,
    PurgeClaim,
    Registrant,
    utcnow,
)
from vcsafe.providers.base import ProviderCredentials
from vcsafe.services import purge, purge_claims

SEED = 20261123
KILLS = 20
#: Short, so what a killed run had claimed is taken over by the next run at once.
LEASE_SECONDS = 1
#: Zoom's start pace in the adapter is 30 calls a second: 2,200 deletions take about this long.
WORK_SECONDS = 75.0


def build_world(
    app: Flask,
    session: Session,
    organisation: Organisation,
    fake: ZoomFake,
    credentials: ProviderCredentials,
    *,
    meetings: int,
    people: int,
    recordings: int,
) -> World:
    """`meetings` due meetings with `people` registrants (one tenth with an email copy in the
    mail folder) and `recordings` recordings each; and what must stay: a meeting that ended two
    days ago, one under a legal hold, one still to come, with people and recordings of their
    own."""
    account = connect(app, session, organisation, credentials, ProviderKind.ZOOM, "Zoom")
    made = World()
    for n in range(meetings):
        m = purge_world.meeting(app, session, organisation, account, f"Due {n}", ended_days_ago=10)
        held = purge_world.people(session, fake, m, people, tag=f"due{n}")
        purge_world.recordings(session, fake, m, held, recordings, days_ago=10)
        made.due.append(held)
    recent = purge_world.meeting(app, session, organisation, account, "Recent", ended_days_ago=2)
    held_back = purge_world.meeting(app, session, organisation, account, "Held", ended_days_ago=10)
    future = purge_world.meeting(app, session, organisation, account, "Next", ended_days_ago=None)
    held_back.legal_hold = True
    session.commit()
    for m, days in ((recent, 2), (held_back, 10), (future, None)):
        held = purge_world.people(session, fake, m, 40, tag=f"keep{m.id}")
        if days is not None:
            purge_world.recordings(session, fake, m, held, 5, days_ago=days)
        made.kept.append(held)
    assert purge_world.send_copies(app) == sum(len(h.copies) for h in made.due + made.kept)
    return made


@pytest.fixture
def several_workers(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("several purge workers at once need PostgreSQL (SKIP LOCKED); SQLite has one")


def test_killed_at_random_moments_the_purge_still_deletes_everything_once(
    app: Flask,
    session: Session,
    organisation: Organisation,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    database_url: str,
) -> None:
    world = build_world(
        app,
        session,
        organisation,
        zoom_fake,
        zoom_credentials,
        meetings=4,
        people=500,
        recordings=50,
    )
    assert (world.due_registrants(), world.due_recordings()) == (2000, 200)
    env = purge_world.purge_env(
        database_url, Path(app.instance_path), purge_lease_seconds=str(LEASE_SECONDS)
    )
    rng = random.Random(SEED)
    # Each run lives a random share of the work, so the kills fall all along it: while it
    # starts, claims, deletes at Zoom, commits, moves on to recordings, closes meetings.
    share = 2 * WORK_SECONDS / max(KILLS, 1)
    killed = 0
    for _ in range(KILLS):
        seen = len(zoom_fake.server.requests)
        run = purge_world.start_purge(env)
        if rng.random() < 0.15:  # while it is still starting up
            purge_world.let_live(run, rng.uniform(0.2, 1.5))
        elif purge_world.wait_until(purge_world.heard_from(zoom_fake, seen), run, 60):
            purge_world.let_live(run, rng.uniform(0, share))
        if run.process.poll() is None:
            run.process.send_signal(signal.SIGKILL)
            killed += 1
        code = run.process.wait(timeout=30)
        assert code in (0, -signal.SIGKILL), run.text()
    assert killed >= KILLS // 2, "most runs should have been killed, not finished"

    time.sleep(LEASE_SECONDS)  # the last killed run's claims are free to take
    last = purge_world.start_purge(env)
    assert purge_world.finish(last, timeout=300) == 0, last.text()

    _everything_due_is_gone_once(app, session, zoom_fake, world)
    _nothing_else_was_touched(app, session, zoom_fake, world)
    _receipts_add_up(session, world)
    # Runs were killed between deleting at Zoom and committing: the next run asked first.
    assert zoom_fake.calls("GET", "/registrants/")


def test_two_workers_share_the_purge_without_deleting_anything_twice(
    several_workers: None,
    app: Flask,
    session: Session,
    organisation: Organisation,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    database_url: str,
) -> None:
    # Two workers at Zoom's pace (30 calls a second each) overlap for about ten seconds.
    world = build_world(
        app,
        session,
        organisation,
        zoom_fake,
        zoom_credentials,
        meetings=2,
        people=300,
        recordings=20,
    )
    # A lease shorter than the whole purge: each worker renews what it holds while it works.
    env = purge_world.purge_env(database_url, Path(app.instance_path), purge_lease_seconds="4")
    first = purge_world.start_purge(env)
    second = purge_world.start_purge(env)
    assert purge_world.finish(first, timeout=300) == 0, first.text()
    assert purge_world.finish(second, timeout=300) == 0, second.text()

    deleted = [_deleted_by(run.text()) for run in (first, second)]
    assert sum(deleted) == world.due_registrants() + world.due_recordings()
    assert min(deleted) > 0.25 * sum(deleted), f"one worker did nearly everything: {deleted}"
    _everything_due_is_gone_once(app, session, zoom_fake, world)
    _nothing_else_was_touched(app, session, zoom_fake, world)
    _receipts_add_up(session, world)


def test_a_claim_left_by_a_dead_worker_waits_for_its_lease_then_is_asked_about_first(
    app: Flask,
    session: Session,
    organisation: Organisation,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
) -> None:
    """A worker claims ten people, deletes four of them at Zoom and dies. Until the claim's
    lease runs out nobody touches those ten; after it, the next run asks Zoom about each
    and deletes only the six still there: every person deleted at Zoom exactly once."""
    world = build_world(
        app, session, organisation, zoom_fake, zoom_credentials, meetings=1, people=30, recordings=0
    )
    held = world.due[0]
    factory, provider_for = db.factory(app), providers_of(app)
    lease, start = timedelta(minutes=5), utcnow()
    dead = purge_claims.claim(factory, now=start, lease=lease, clock=lambda: start, size=10)
    assert dead is not None and len(dead.items) == 10
    account = session.get(Meeting, held.meeting_id).provider_account  # type: ignore[union-attr]
    assert account is not None
    for item in dead.items[:4]:  # what the worker got done before it died
        provider_for(account).remove_registrant(held.zoom_id, held.registrants[item.id])
    claimed = {item.id for item in dead.items}

    def run_at(minutes: int) -> purge.PurgeReport:
        at = start + timedelta(minutes=minutes)
        return purge.run(factory, provider_for, box=BOX, now=at, lease=lease, clock=lambda: at)

    left = select(Registrant.id).where(Registrant.meeting_id == held.meeting_id)
    assert run_at(1).registrants == 20  # the others; the claim's ten are left alone
    session.expire_all()
    assert set(session.scalars(left)) == claimed
    assert purge.plan(session, now=start + timedelta(minutes=1)).registrants == 0

    report = run_at(6)  # the dead worker's lease has run out

    assert report.registrants == 10
    session.expire_all()
    assert session.scalars(left).all() == []
    assert session.scalars(select(PurgeClaim.id)).all() == []
    assert all(fake_deletes == 1 for fake_deletes in _deletes_at_zoom(zoom_fake, held))
    asked = zoom_fake.calls("GET", "/registrants/")
    assert len(asked) == 10, "each of the claim's people was asked about, and only they"
    answers = Counter[str]()
    for receipt in purge_world.receipts_of(session):
        answers.update(receipt.details["registrants"])
    assert answers == {"deleted": 26, "already gone": 4}


def _deletes_at_zoom(fake: ZoomFake, held: purge_world.Held) -> list[int]:
    return [fake.deletes_of("registrant", z) for z in held.registrants.values()]


def _deleted_by(output: str) -> int:
    """Registrants plus recordings a run says it deleted."""
    line = next(line for line in output.splitlines() if line.startswith("Deleted "))
    words = line.split()
    return int(words[1]) + int(words[4])


def _everything_due_is_gone_once(
    app: Flask, session: Session, fake: ZoomFake, world: World
) -> None:
    session.expire_all()
    for held in world.due:
        assert fake.registrants(held.zoom_id) == []
        assert fake.recordings(held.zoom_id) == []
        twice = [z for z in held.registrants.values() if fake.deletes_of("registrant", z) != 1]
        assert twice == [], f"{len(twice)} registrants not deleted exactly once at Zoom"
        twice = [u for u in held.recordings if fake.deletes_of("recording", u) != 1]
        assert twice == [], f"{len(twice)} recordings not deleted exactly once at Zoom"
        assert purge_world.local_counts(session, held) == (0, 0, 0, 0)
        assert session.scalars(select(PurgeClaim.id)).all() == []  # every claim settled
        assert not any(purge_world.mail_copies(app, rid) for rid in held.copies)
        meeting = session.get(Meeting, held.meeting_id)
        assert meeting is not None and meeting.state is MeetingState.PURGED
    assert fake.trash() == []  # deleted for good, not moved to Zoom's 30-day trash


def _nothing_else_was_touched(app: Flask, session: Session, fake: ZoomFake, world: World) -> None:
    for held in world.kept:
        at_zoom = {r["id"] for r in fake.registrants(held.zoom_id)}
        assert at_zoom == set(held.registrants.values())
        assert {r["uuid"] for r in fake.recordings(held.zoom_id)} == set(held.recordings)
        assert not any(fake.deletes_of("registrant", z) for z in held.registrants.values())
        assert not any(fake.deletes_of("recording", u) for u in held.recordings)
        people = len(held.registrants)
        assert purge_world.local_counts(session, held) == (
            people,
            3 * people,
            people,
            len(held.recordings),
        )
        assert all(purge_world.mail_copies(app, rid) for rid in held.copies)
        untouched = session.scalars(
            select(Registrant).where(Registrant.meeting_id == held.meeting_id)
        ).all()
        assert all(r.purge_started_at is None and r.next_purge_at is None for r in untouched)


def _receipts_add_up(session: Session, world: World) -> None:
    receipts = purge_world.receipts_of(session)
    due = {held.meeting_id: held for held in world.due}
    assert {r.meeting_id for r in receipts} == set(due)
    people: Counter[int] = Counter()
    recordings: Counter[int] = Counter()
    for receipt in receipts:
        assert receipt.meeting_id is not None
        people[receipt.meeting_id] += receipt.registrants_deleted
        recordings[receipt.meeting_id] += receipt.recordings_deleted
        answers = receipt.details
        assert sum(answers["registrants"].values()) == receipt.registrants_deleted
        assert sum(answers["recordings"].values()) == receipt.recordings_deleted
        assert set(answers["registrants"]) | set(answers["recordings"]) <= {
            "deleted",
            "already gone",
        }
    assert people == {mid: len(held.registrants) for mid, held in due.items()}
    assert recordings == {mid: len(held.recordings) for mid, held in due.items()}
