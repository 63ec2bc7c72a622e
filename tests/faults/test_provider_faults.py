"""The provider fakes failing in every way they can - 429 storms, server errors, slow answers,
dropped connections, expired tokens - while people register, meetings are planned and the
purge runs. Each ends with nothing lost, nothing done twice and nothing deleted before due."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.fakes.zoom import ZoomFake
from tests.planning import connect, plan
from tests.public import register
from vcsafe.app import providers_of, secrets_of
from vcsafe.db import db
from vcsafe.models import (
    Meeting,
    MeetingState,
    Organisation,
    ProviderKind,
    PushState,
    Recording,
    Registrant,
    User,
    utcnow,
)
from vcsafe.providers.base import ProviderCredentials
from vcsafe.services import lifecycle, purge, registrant_push

API = "/v2/"
#: Each way Zoom can fail, as fake faults: (kind, options). A storm outlasts the retries.
FAULTS: dict[str, dict[str, Any]] = {
    "429 storm": {"kind": "status", "status": 429, "retry_after": 0.05, "times": 40},
    "500s": {"kind": "status", "status": 500, "times": 40},
    # Slower than the tests' read timeout (2 s; 20 s in production): the call times out.
    "slow answers": {"kind": "slow", "delay": 2.5, "times": 2},
    # A connection dropped mid-request may have done it: creates and deletes are not repeated
    # at once but checked on the next run, so each drop costs a run.
    "dropped connections": {"kind": "drop", "times": 10},
    "expired tokens": {"kind": "expire_tokens", "times": 3},
}


def _runs(run: Any, *, until: Any, fake: ZoomFake, rounds: int = 30) -> None:
    """Run a job again and again, an hour apart in vcsafe's clock, until `until()` holds.

    Between runs, Zoom finishes what it was still doing: a request vcsafe gave up waiting for
    (a slow answer) is applied before the next run starts, as it would be in the minutes
    between two real runs. Run at once, the next run could ask about an object while its
    first DELETE still sleeps in the fake, find it, and delete it a second time."""
    for n in range(rounds):
        run(utcnow() + timedelta(hours=n))
        _settle(fake)
        if until():
            return


def _settle(fake: ZoomFake, timeout: float = 10.0) -> None:
    """Wait until every request the fake has received has been answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(r.status is not None for r in list(fake.server.requests)):
            return
        time.sleep(0.05)


@pytest.fixture
def zoom_meeting(
    app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    zoom_credentials: ProviderCredentials,
) -> Meeting:
    account = connect(app, session, organisation, zoom_credentials, ProviderKind.ZOOM, "Zoom")
    meeting = plan(app, session, organisation, account, admin, capacity=500)
    return meeting


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_registrations_are_all_pushed_once_whatever_zoom_does(
    app: Flask,
    client: FlaskClient,
    session: Session,
    zoom_fake: ZoomFake,
    zoom_meeting: Meeting,
    fault: str,
) -> None:
    for n in range(12):
        assert register(client, zoom_meeting, email=f"p{n}@example.org").status_code == 302
    options = dict(FAULTS[fault])
    zoom_fake.inject(options.pop("kind"), path_contains="/registrants", **options)

    def pushed_all() -> bool:
        session.expire_all()
        return (
            session.scalar(
                select(func.count(Registrant.id)).where(Registrant.push_state != PushState.PUSHED)
            )
            == 0
        )

    _runs(
        lambda now: registrant_push.push_due(
            db.factory(app), providers_of(app), box=secrets_of(app), now=now
        ),
        until=pushed_all,
        fake=zoom_fake,
    )
    assert pushed_all()
    held = zoom_fake.registrants(zoom_meeting.provider_meeting_id or "")
    assert sorted(r["email"] for r in held) == sorted(f"p{n}@example.org" for n in range(12))


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_meeting_planned_during_trouble_is_created_once(
    app: Flask,
    admin_client: FlaskClient,
    session: Session,
    organisation: Organisation,
    admin: User,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    fault: str,
) -> None:
    from tests.conftest import csrf_token

    account = connect(app, session, organisation, zoom_credentials, ProviderKind.ZOOM, "Zoom")
    session.commit()
    options = dict(FAULTS[fault])
    zoom_fake.inject(options.pop("kind"), path_contains="/meetings", **options)
    starts = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "title": "Book club",
        "provider_account_id": str(account.id),
        "starts_local": starts,
        "timezone": "UTC",
        "duration_minutes": "60",
        "capacity": "30",
        "audience": "adults",
        "recording_policy": "none",
        "code_of_conduct_version_id": "0",
        "registrant_retention_days": "0",
        "recording_retention_days": "30",
        "csrf_token": csrf_token(admin_client, "/console/meetings/new"),
    }
    page = admin_client.post("/console/meetings/new", data=form, follow_redirects=True)
    assert page.status_code == 200  # never a 500: saved, with what went wrong if it did
    meeting = session.scalars(select(Meeting)).one()
    if meeting.provider_meeting_id is None:
        assert "Try again" in page.get_data(as_text=True)
        zoom_fake.server.clear_faults()
        url = f"/console/meetings/{meeting.id}"
        admin_client.post(f"{url}/retry", data={"csrf_token": csrf_token(admin_client, url)})
        session.expire_all()
        meeting = session.scalars(select(Meeting)).one()
    assert meeting.provider_meeting_id is not None
    assert zoom_fake.meeting_ids() == [meeting.provider_meeting_id]  # one, not two


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_the_purge_deletes_what_is_due_once_and_nothing_else(
    app: Flask,
    client: FlaskClient,
    session: Session,
    organisation: Organisation,
    admin: User,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    fault: str,
) -> None:
    account = connect(app, session, organisation, zoom_credentials, ProviderKind.ZOOM, "Zoom")
    over = plan(app, session, organisation, account, admin, title="Over")
    coming = plan(app, session, organisation, account, admin, title="Coming")
    for meeting in (over, coming):
        for n in range(8):
            register(client, meeting, email=f"{meeting.title.lower()}{n}@example.org")
    registrant_push.push_due(db.factory(app), providers_of(app), box=secrets_of(app), now=utcnow())
    uuid = zoom_fake.add_recording(
        over.provider_meeting_id or "", ended_at=utcnow() - timedelta(days=40)
    )
    lifecycle.meeting_ended(session, over, ended_at=utcnow() - timedelta(days=40), source="t")
    for found in providers_of(app)(account).list_recordings(over.provider_meeting_id or ""):
        lifecycle.recording_completed(session, over, found, source="t")
    session.commit()

    options = dict(FAULTS[fault])
    zoom_fake.inject(options.pop("kind"), path_contains=API, **options)

    def all_gone() -> bool:
        session.expire_all()
        return (
            session.scalar(
                select(func.count(Registrant.id)).where(Registrant.meeting_id == over.id)
            )
            == 0
            and not session.scalars(select(Recording)).all()
        )

    _runs(
        lambda now: purge.run(db.factory(app), providers_of(app), box=secrets_of(app), now=now),
        until=all_gone,
        fake=zoom_fake,
    )
    assert all_gone()
    assert zoom_fake.registrants(over.provider_meeting_id or "") == []
    assert zoom_fake.recordings(over.provider_meeting_id or "") == [] and zoom_fake.trash() == []
    # Nothing of the coming meeting was touched, here or at Zoom.
    assert len(zoom_fake.registrants(coming.provider_meeting_id or "")) == 8
    assert (
        session.scalar(select(func.count(Registrant.id)).where(Registrant.meeting_id == coming.id))
        == 8
    )
    # No object was deleted twice at Zoom.
    assert zoom_fake.deletes_of("recording", uuid) == 1
    twice = [k for k, n in zoom_fake.deletions.items() if k.startswith("registrant:") and n > 1]
    assert twice == []


def test_a_webhook_that_never_comes_is_made_up_for_by_polling(
    app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
) -> None:
    account = connect(app, session, organisation, zoom_credentials, ProviderKind.ZOOM, "Zoom")
    meeting = plan(app, session, organisation, account, admin)
    meeting.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=3)  # time passed
    session.commit()
    zoom_fake.add_recording(meeting.provider_meeting_id or "")
    # An hour of grace after the planned end (two hours ago) has passed: vcsafe asks Zoom.
    looked = lifecycle.poll_overdue(
        db.factory(app), providers_of(app), now=utcnow(), grace=timedelta(minutes=60)
    )
    assert looked == 1
    session.expire_all()
    ended = session.get(Meeting, meeting.id)
    assert ended is not None and ended.state is MeetingState.ENDED
    assert ended.ended_at == meeting.starts_at + timedelta(minutes=60)  # the planned end
    assert len(session.scalars(select(Recording)).all()) == 1
