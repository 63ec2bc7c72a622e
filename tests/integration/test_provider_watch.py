"""The worker watches upcoming meetings at Zoom and Teams: a safety setting changed, or the
meeting deleted, in the provider's own app reaches its organisers by email, once, without
anyone opening vcsafe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import app_overrides, csrf_token, sign_in
from tests.fakes.graph import GraphFake
from tests.fakes.zoom import ZoomFake
from tests.mail import Inbox
from tests.planning import connect, plan
from tests.public import register
from vcsafe.app import create_app, providers_of, secrets_of
from vcsafe.db import db
from vcsafe.jobs.worker import run_outbox, run_watch
from vcsafe.models import (
    AuditEvent,
    Meeting,
    MeetingState,
    Organisation,
    OutboundEmail,
    ProviderKind,
    User,
    utcnow,
)
from vcsafe.providers.base import ProviderCredentials
from vcsafe.services.provider_watch import WATCH_AHEAD, WATCH_EVERY, WatchReport, watch_due

BASE_URL = "https://vcsafe.example"


@pytest.fixture
def mailing_app(
    database_url: str, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> Iterator[Flask]:
    """The app as the worker runs it, sending its emails to the local SMTP server."""
    _, port = smtp_server
    app = create_app(
        app_overrides(
            database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port, public_base_url=BASE_URL
        )
    )
    yield app
    db.factory(app).kw["bind"].dispose()


def _watch(app: Flask, *, at: datetime) -> WatchReport:
    """The worker's watch job, run as if it were `at`."""
    return watch_due(db.factory(app), providers_of(app), secrets_of(app), base_url=BASE_URL, now=at)


def _one_line(message: EmailMessage) -> str:
    return " ".join(Inbox.body(message).split())


def _reads(fake: ZoomFake, meeting: Meeting) -> int:
    return len(fake.calls("GET", f"/meetings/{meeting.provider_meeting_id}"))


def test_a_setting_changed_in_zoom_reaches_the_organisers_once(
    mailing_app: Flask,
    session: Session,
    admin: User,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp_server
    app = mailing_app
    assert register(app.test_client(), public_meeting).status_code == 302
    zoom_id = public_meeting.provider_meeting_id or ""

    # As vcsafe set it: read back, and nobody is written to.
    assert run_watch(app).read == 1
    run_outbox(app)
    assert inbox.to(admin.email) == []

    # Someone switches the waiting room off in Zoom; the next hour's read tells the admin.
    zoom_fake.set_setting(zoom_id, "waiting_room", False)
    hour = utcnow() + WATCH_EVERY
    report = _watch(app, at=hour)
    assert (report.read, report.changed, report.missing, report.failed) == (1, 1, 0, 0)
    run_outbox(app)
    [email] = inbox.to(admin.email)
    assert email["Subject"] == "Safety settings changed in Zoom: Harbour history talk"
    body = _one_line(email)
    assert "These safety settings are no longer as vcsafe set them: - waiting room" in body
    assert f"{BASE_URL}/console/meetings/{public_meeting.id}" in body
    assert "Ada" not in body and "ada@" not in body  # settings and counts, never names
    drift = session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.settings_drift"))
    assert drift.one().details == {"settings": "waiting_room"}

    # Within the hour, Zoom is not asked again.
    reads = _reads(zoom_fake, public_meeting)
    assert _watch(app, at=hour + timedelta(minutes=50)).read == 0
    assert _reads(zoom_fake, public_meeting) == reads

    # The same change an hour later: nothing more is sent. A further change is, on its own.
    assert _watch(app, at=hour + WATCH_EVERY).changed == 0
    zoom_fake.set_setting(zoom_id, "join_before_host", True)
    assert _watch(app, at=hour + 2 * WATCH_EVERY).changed == 1
    run_outbox(app)
    _, second = inbox.to(admin.email)
    assert "- joining before the host" in _one_line(second)
    assert "waiting room" not in _one_line(second)


def test_a_change_the_organiser_saw_on_the_meeting_page_is_not_emailed(
    mailing_app: Flask,
    session: Session,
    admin: User,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp_server
    zoom_fake.set_setting(public_meeting.provider_meeting_id or "", "waiting_room", False)
    console = mailing_app.test_client()
    sign_in(console, admin)
    page = console.get(f"/console/meetings/{public_meeting.id}").get_data(as_text=True)
    assert "waiting room" in page
    text = " ".join(page.split())
    assert (
        "In the week before it starts, vcsafe also reads these settings back from Zoom every "
        "hour, and emails whoever planned the meeting (or the admins) if one of them changes "
        "or the meeting is deleted there."
    ) in text
    assert _watch(mailing_app, at=utcnow()).changed == 0
    text = " ".join(console.get(f"/console/meetings/{public_meeting.id}").get_data(True).split())
    assert "or the meeting is deleted there; last read " in text
    run_outbox(mailing_app)
    assert inbox.to(admin.email) == []


def test_a_meeting_deleted_in_zoom_is_reported_once_and_left_to_the_organiser(
    mailing_app: Flask,
    session: Session,
    admin: User,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp_server
    app = mailing_app
    for name, email in (("Ada Lovelace", "ada@example.org"), ("Bob Baker", "bob@example.org")):
        answer = register(app.test_client(), public_meeting, name=name, email=email)
        assert answer.status_code == 302
    run_outbox(app)  # their confirmations
    zoom_fake.delete_in_app(public_meeting.provider_meeting_id or "")  # and no webhook comes

    report = _watch(app, at=utcnow())
    assert (report.read, report.missing) == (1, 1)
    run_outbox(app)
    [email] = inbox.to(admin.email)
    assert email["Subject"] == "No longer in Zoom: Harbour history talk"
    body = _one_line(email)
    assert "is no longer in Zoom: it was deleted there, outside vcsafe." in body
    assert "2 people are registered for it and have not been told." in body
    assert "Ada" not in body and "Bob" not in body
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "meeting.missing_at_provider")
    ).one()
    assert event.details == {"registered": 2}

    # Nothing is cancelled from a read: the registrants hear nothing until the organiser acts.
    session.expire_all()
    meeting = session.get(Meeting, public_meeting.id)
    assert meeting is not None and meeting.state is MeetingState.SCHEDULED
    assert [m["Subject"] for m in inbox.to("ada@example.org")] == [
        "You are registered: Harbour history talk"
    ]
    # Reported once: later runs do not ask Zoom about it again.
    reads = _reads(zoom_fake, public_meeting)
    assert _watch(app, at=utcnow() + 3 * WATCH_EVERY).read == 0
    assert _reads(zoom_fake, public_meeting) == reads

    # The email's link leads to the page that cancels it and tells them.
    console = app.test_client()
    sign_in(console, admin)
    url = f"/console/meetings/{public_meeting.id}"
    cancelled = console.post(
        f"{url}/cancel", data={"csrf_token": csrf_token(console, url)}, follow_redirects=True
    )
    assert cancelled.status_code == 200
    run_outbox(app)
    assert [m["Subject"] for m in inbox.to("ada@example.org")][-1] == (
        "Cancelled: Harbour history talk"
    )


def test_only_upcoming_scheduled_meetings_are_read_and_a_failed_read_is_retried(
    mailing_app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
) -> None:
    account = public_meeting.provider_account
    assert account is not None
    soon = plan(mailing_app, session, organisation, account, admin, title="Also this week")
    far = plan(mailing_app, session, organisation, account, admin, starts_in=WATCH_AHEAD * 2)
    cancelled = plan(mailing_app, session, organisation, account, admin, title="Called off")
    cancelled.state = MeetingState.CANCELLED
    session.commit()

    before = {m.id: _reads(zoom_fake, m) for m in (public_meeting, soon, far, cancelled)}
    with zoom_fake.down():
        report = _watch(mailing_app, at=utcnow())
    # Only this week's two are due; once Zoom fails for the first (retried as the worker
    # retries), the second is not tried in this run.
    assert (report.read, report.failed) == (0, 2)
    asked = {m.id: _reads(zoom_fake, m) - before[m.id] for m in (public_meeting, soon)}
    assert sorted(n > 0 for n in asked.values()) == [False, True]
    assert _reads(zoom_fake, far) == before[far.id]
    assert _reads(zoom_fake, cancelled) == before[cancelled.id]
    session.expire_all()
    assert session.scalars(select(OutboundEmail)).all() == []

    # Zoom answers again: the next run (minutes later, not an hour) reads both.
    assert _watch(mailing_app, at=utcnow() + timedelta(minutes=10)).read == 2


def test_a_lobby_opened_in_teams_reaches_the_organisers(
    mailing_app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    graph_fake: GraphFake,
    teams_credentials: ProviderCredentials,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp_server
    account = connect(mailing_app, session, organisation, teams_credentials, ProviderKind.TEAMS)
    meeting = plan(mailing_app, session, organisation, account, admin, title="Reading group")
    teams_id = meeting.provider_meeting_id or ""
    graph_fake.set_setting(teams_id, "lobbyBypassSettings.scope", "everyone")
    assert _watch(mailing_app, at=utcnow()).changed == 1
    run_outbox(mailing_app)
    [email] = inbox.to(admin.email)
    assert email["Subject"] == "Safety settings changed in Microsoft Teams: Reading group"
    assert "- waiting room" in _one_line(email)

    graph_fake.delete_in_app(teams_id)
    assert _watch(mailing_app, at=utcnow() + WATCH_EVERY).missing == 1
    run_outbox(mailing_app)
    assert inbox.to(admin.email)[-1]["Subject"] == "No longer in Microsoft Teams: Reading group"
    assert "Nobody is registered for it yet." in _one_line(inbox.to(admin.email)[-1])


def test_the_planner_hears_rather_than_the_admins(
    mailing_app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    organiser: User,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp_server
    account = connect(mailing_app, session, organisation, zoom_credentials, ProviderKind.ZOOM)
    meeting = plan(mailing_app, session, organisation, account, organiser, title="Open day")
    zoom_fake.set_setting(meeting.provider_meeting_id or "", "waiting_room", False)
    assert _watch(mailing_app, at=utcnow()).changed == 1
    run_outbox(mailing_app)
    assert [m["Subject"] for m in inbox.to(organiser.email)] == [
        "Safety settings changed in Zoom: Open day"
    ]
    assert inbox.to(admin.email) == []
