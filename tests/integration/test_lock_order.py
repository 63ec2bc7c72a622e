"""Work that touches a meeting and its registrants takes their locks in one order: the
registrants first, then the meeting. Two transactions that took them in opposite orders would
deadlock, and PostgreSQL would abort one of them.

Each test holds a refusing person's push in flight (Zoom is slow to switch recording off; the
push holds the person meanwhile, then writes the meeting) and changes the meeting as an
organiser or a webhook would."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.fakes.zoom import ZoomFake
from tests.public import register
from vcsafe.app import providers_of, secrets_of
from vcsafe.db import db
from vcsafe.models import Meeting, MeetingState, Registrant, utcnow
from vcsafe.services import lifecycle, registrant_push


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("concurrent writers: PostgreSQL (SQLite runs one writer at a time)")


@contextmanager
def _refusing_person_being_pushed(
    app: Flask,
    client: FlaskClient,
    meeting: Meeting,
    zoom_fake: ZoomFake,
    *,
    slow: tuple[str, str] = ("PATCH", ""),
) -> Iterator[list[object]]:
    """Inside: the push holds the person and waits for Zoom's answer to `slow` (a method and
    a path fragment after the meeting's id: switching recording off, by default). Afterwards
    the list holds the push's report, or what it raised."""
    zoom_id = meeting.provider_meeting_id or ""
    assert register(client, meeting, email="no@example.org", recording="no").status_code == 302
    method, path = slow[0], zoom_id + slow[1]
    zoom_fake.inject("slow", delay=1.5, method=method, path_contains=path)
    outcome: list[object] = []

    def push() -> None:
        try:
            outcome.append(
                registrant_push.push_due(
                    db.factory(app), providers_of(app), box=secrets_of(app), now=utcnow()
                )
            )
        except Exception as exc:
            outcome.append(exc)

    pushing = threading.Thread(target=push)
    pushing.start()
    deadline = time.monotonic() + 5
    while not zoom_fake.calls(method, path) and time.monotonic() < deadline:
        time.sleep(0.02)
    yield outcome
    pushing.join(timeout=30)


def _report(outcome: list[object]) -> registrant_push.PushReport:
    """The push's report: it raised nothing (a deadlock would have aborted it)."""
    [report] = outcome
    assert isinstance(report, registrant_push.PushReport), report
    return report


def test_a_meeting_ending_during_a_push_waits_its_turn(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting, zoom_fake: ZoomFake
) -> None:
    """The meeting ends (a webhook, the cleanup's poll) while the person is being pushed."""
    with (
        _refusing_person_being_pushed(app, client, public_meeting, zoom_fake) as outcome,
        db.factory(app).begin() as other,
    ):
        meeting = other.get(Meeting, public_meeting.id)
        assert meeting is not None
        ended = lifecycle.meeting_ended(
            other, meeting, ended_at=utcnow() - timedelta(minutes=1), source="webhook"
        )

    assert ended and _report(outcome).pushed == 1
    session.expire_all()
    stored = session.get(Meeting, public_meeting.id)
    assert stored is not None and stored.state is MeetingState.ENDED
    assert stored.safety_settings["auto_recording"] is False
    [person] = session.scalars(select(Registrant)).all()
    assert person.provider_registrant_id is not None
    assert person.purge_due_at == stored.registrants_purge_due_at


def test_moving_to_a_new_code_version_during_a_push_waits_its_turn(
    app: Flask,
    client: FlaskClient,
    admin_client: FlaskClient,
    session: Session,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    """An organiser moves the meeting to a new code of conduct, which emails everyone a fresh
    link, while the person is being pushed."""
    assert public_meeting.code_of_conduct_version is not None
    code_url = f"/console/codes/{public_meeting.code_of_conduct_version.code_of_conduct_id}"
    published = admin_client.post(
        code_url,
        data={"body": "Be kind.\nNo filming.", "csrf_token": csrf_token(admin_client, code_url)},
    )
    assert published.status_code == 302
    move = f"/console/meetings/{public_meeting.id}/code-of-conduct/latest"
    token = csrf_token(admin_client, "/console/codes")
    with _refusing_person_being_pushed(app, client, public_meeting, zoom_fake) as outcome:
        moved = admin_client.post(move, data={"csrf_token": token})

    assert moved.status_code == 302 and _report(outcome).pushed == 1
    session.expire_all()
    [person] = session.scalars(select(Registrant)).all()
    assert person.provider_registrant_id is not None
    stored = session.get(Meeting, public_meeting.id)
    assert stored is not None and stored.code_of_conduct_version.number == 2


def test_cancelling_a_meeting_during_a_push_waits_its_turn(
    app: Flask,
    client: FlaskClient,
    admin_client: FlaskClient,
    session: Session,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    """An organiser cancels the meeting while the person is being pushed: recording is off
    already, and Zoom is slow to register the person. The push then finds the meeting gone at
    Zoom: the person gets no link, and their data is due for deletion."""
    page = f"/console/meetings/{public_meeting.id}"
    token = csrf_token(admin_client, page)
    with _refusing_person_being_pushed(
        app, client, public_meeting, zoom_fake, slow=("POST", "/registrants")
    ) as outcome:
        cancelled = admin_client.post(f"{page}/cancel", data={"csrf_token": token})

    assert cancelled.status_code == 302
    report = _report(outcome)
    assert (report.pushed, report.failed) == (0, 1)
    session.expire_all()
    stored = session.get(Meeting, public_meeting.id)
    assert stored is not None and stored.state is MeetingState.CANCELLED
    [person] = session.scalars(select(Registrant)).all()
    assert person.purge_due_at is not None and person.join_url_encrypted is None
