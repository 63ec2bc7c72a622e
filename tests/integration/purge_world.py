"""A purge's worth of data on the Zoom fake and in vcsafe's database, made in bulk, and the
`vcsafe purge` processes that delete it (for the crash and concurrency tests).

Meetings are planned and ended through vcsafe's services; registrants are added to the fake
through its own state API and stored as vcsafe stores them (rows, consents, a queued email),
without one HTTP request each, so thousands take seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tests.factories import BOX, TEST_SECRET_KEY
from tests.fakes.zoom import ZoomFake
from tests.planning import plan
from vcsafe.app import mailer_of, secrets_of
from vcsafe.crypto import new_link_token
from vcsafe.db import db
from vcsafe.models import (
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    DeletionReceipt,
    Meeting,
    Organisation,
    OutboundEmail,
    ProviderAccount,
    PushState,
    Recording,
    Registrant,
    utcnow,
)
from vcsafe.providers.zoom_webhooks import recording_of
from vcsafe.services import lifecycle, outbox

VCSAFE = str(Path(sys.executable).parent / "vcsafe")
CONSENTS = (
    ConsentPurpose.PRIVACY_NOTICE,
    ConsentPurpose.CODE_OF_CONDUCT,
    ConsentPurpose.RECORDING,
)


@dataclass
class Held:
    """One meeting's data as it stands at the fake and locally."""

    meeting_id: int
    zoom_id: str
    registrants: dict[int, str] = field(default_factory=dict)  # local id -> Zoom id
    recordings: list[str] = field(default_factory=list)  # instance UUIDs
    copies: set[int] = field(default_factory=set)  # registrants with a mail-folder copy


@dataclass
class World:
    due: list[Held] = field(default_factory=list)
    kept: list[Held] = field(default_factory=list)  # not due, or held: must stay untouched

    def due_registrants(self) -> int:
        return sum(len(h.registrants) for h in self.due)

    def due_recordings(self) -> int:
        return sum(len(h.recordings) for h in self.due)


def meeting(
    app: Flask,
    session: Session,
    organisation: Organisation,
    account: ProviderAccount,
    title: str,
    *,
    ended_days_ago: int | None,
) -> Meeting:
    """A meeting planned on the fake (7-day retention for people and recordings), ended
    `ended_days_ago` days ago (None: still to come)."""
    planned = plan(
        app,
        session,
        organisation,
        account,
        None,
        title=title,
        registrant_retention_days=7,
        recording_retention_days=7,
        capacity=5000,
    )
    if ended_days_ago is not None:
        ended = utcnow() - timedelta(days=ended_days_ago)
        lifecycle.meeting_ended(session, planned, ended_at=ended, source="test")
        session.commit()
    return planned


def people(
    session: Session,
    fake: ZoomFake,
    meeting: Meeting,
    count: int,
    *,
    tag: str,
) -> Held:
    """`count` registrants pushed to Zoom, with their consents and a queued email; every
    tenth had an email sent already (a copy in the mail folder, once the outbox runs)."""
    assert meeting.provider_meeting_id
    held = Held(meeting.id, meeting.provider_meeting_id)
    names = [(f"Crash{tag}", f"Person{i}", f"p{i}.{tag}@example.org") for i in range(count)]
    at_zoom = fake.add_registrants(meeting.provider_meeting_id, names)
    now = utcnow()
    rows = [
        {
            "meeting_id": meeting.id,
            "name": f"{first} {last}",
            "email": email,
            "provider_registrant_id": zoom["id"],
            "join_url_encrypted": BOX.encrypt(zoom["join_url"]),
            "manage_token_hash": new_link_token()[1],
            "manage_token_expires_at": meeting.registrants_purge_due_at,
            "push_state": PushState.PUSHED,
            "next_push_at": None,
            "purge_due_at": meeting.registrants_purge_due_at,
        }
        for (first, last, email), zoom in zip(names, at_zoom, strict=True)
    ]
    ids = list(
        session.scalars(
            insert(Registrant).returning(Registrant.id, sort_by_parameter_order=True), rows
        )
    )
    held.registrants = {rid: zoom["id"] for rid, zoom in zip(ids, at_zoom, strict=True)}
    session.execute(
        insert(ConsentRecord),
        [
            {
                "registrant_id": rid,
                "purpose": purpose,
                "decision": ConsentDecision.GRANTED,
                "text_sha256": "0" * 64,
                "text_version": f"{purpose.value} 1",
                "recorded_at": now,
            }
            for rid in ids
            for purpose in CONSENTS
        ],
    )
    held.copies = set(ids[::10])
    session.execute(
        insert(OutboundEmail),
        [
            {
                "organisation_id": meeting.organisation_id,
                "registrant_id": rid,
                "kind": "confirmation",
                "to_address": email,
                "subject": "Your place",
                "body_encrypted": BOX.encrypt(f"Dear {first} {last}, here is your link."),
                # The copies are sent by the outbox now; the others wait (a reminder).
                "next_attempt_at": now - timedelta(hours=1)
                if rid in held.copies
                else now + timedelta(days=30),
            }
            for rid, (first, last, email) in zip(ids, names, strict=True)
        ],
    )
    session.commit()
    return held


def recordings(
    session: Session, fake: ZoomFake, meeting: Meeting, held: Held, count: int, *, days_ago: int
) -> None:
    """`count` cloud recordings of the meeting (separate instances) at the fake, made known
    to vcsafe as a recording.completed notice does."""
    assert meeting.provider_meeting_id
    ended = utcnow() - timedelta(days=days_ago)
    made = {fake.add_recording(meeting.provider_meeting_id, ended_at=ended) for _ in range(count)}
    for found in fake.recordings(meeting.provider_meeting_id):
        if found["uuid"] in made:
            lifecycle.recording_completed(
                session, meeting, recording_of(found, ended), source="webhook"
            )
            held.recordings.append(found["uuid"])
    session.commit()


def send_copies(app: Flask) -> int:
    """Send the emails due now into the mail folder (the embedded default)."""
    return outbox.send_due(
        db.factory(app), mailer_of(app), secrets_of(app), now=utcnow(), limit=10_000
    ).sent


def mail_copies(app: Flask, registrant_id: int) -> list[Path]:
    return list((Path(app.instance_path) / "mail").glob(f"o*-r{registrant_id}-*.eml"))


# --- processes ----------------------------------------------------------------------------
def purge_env(database_url: str, instance: Path, **settings: str) -> dict[str, str]:
    """The environment of a `vcsafe purge` on the test database, as an operator sets it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VCSAFE_")}
    values = {
        "database_url": database_url,
        "secret_key": TEST_SECRET_KEY,
        "instance_path": str(instance),
        "log_level": "WARNING",
    } | settings
    env.update({f"VCSAFE_{k.upper()}": v for k, v in values.items()})
    return env


@dataclass
class Run:
    process: subprocess.Popen[str]
    output: list[str]

    def text(self) -> str:
        return "".join(self.output)


def start_purge(env: dict[str, str]) -> Run:
    process = subprocess.Popen(
        [VCSAFE, "purge"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    stream = process.stdout
    assert stream is not None
    threading.Thread(target=lambda: lines.extend(iter(stream.readline, "")), daemon=True).start()
    return Run(process, lines)


def finish(run: Run, timeout: float) -> int:
    """Wait for a run to end by itself; its exit code."""
    code = run.process.wait(timeout=timeout)
    time.sleep(0.1)  # the reader thread catches up with the last lines
    return code


def wait_until(condition: Callable[[], bool], run: Run, timeout: float) -> bool:
    """Poll `condition()` while the run lives; False if it ended or time ran out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if run.process.poll() is not None:
            return False
        time.sleep(0.01)
    return False


# --- what is left -------------------------------------------------------------------------
def local_counts(session: Session, held: Held) -> tuple[int, int, int, int]:
    """Registrants, consent records, emails and recordings left of one meeting's data."""
    ids = list(held.registrants)
    return (
        session.scalar(select(func.count()).where(Registrant.id.in_(ids))) or 0,
        session.scalar(select(func.count()).where(ConsentRecord.registrant_id.in_(ids))) or 0,
        session.scalar(select(func.count()).where(OutboundEmail.registrant_id.in_(ids))) or 0,
        session.scalar(select(func.count()).where(Recording.meeting_id == held.meeting_id)) or 0,
    )


def receipts_of(session: Session) -> list[DeletionReceipt]:
    return list(session.scalars(select(DeletionReceipt)))


def heard_from(fake: ZoomFake, after: int) -> Callable[[], bool]:
    """Whether the fake has had more than `after` requests (a run has begun its work)."""
    return lambda: len(fake.server.requests) > after


def let_live(run: Run, seconds: float) -> None:
    """Let the run go on for `seconds`, or until it ends by itself."""
    wait_until(lambda: False, run, seconds)
