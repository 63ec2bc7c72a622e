"""After a Teams meeting: vcsafe keeps Graph subscriptions alive, hears through them that the
meeting ended and that a recording exists, and deletes the recording's file for good."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.fakes.graph import GraphFake
from tests.planning import connect, plan
from tests.public import register
from vcsafe.app import providers_of, secrets_of
from vcsafe.db import db
from vcsafe.models import (
    Meeting,
    MeetingState,
    Organisation,
    ProviderKind,
    Recording,
    User,
    WebhookSubscription,
    utcnow,
)
from vcsafe.providers.base import ProviderCredentials
from vcsafe.services import meetings, purge, registrant_push, subscriptions


@pytest.fixture
def teams_meeting(
    app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    teams_credentials: ProviderCredentials,
) -> Meeting:
    account = connect(app, session, organisation, teams_credentials, ProviderKind.TEAMS)
    return plan(app, session, organisation, account, admin)


def _keep(app: Flask, base_url: str) -> subscriptions.SubscriptionReport:
    return subscriptions.keep_subscriptions(
        db.factory(app), providers_of(app), base_url=base_url, now=utcnow()
    )


def test_subscriptions_are_created_answered_and_renewed(
    app: Flask, session: Session, live_server: str, graph_fake: GraphFake, teams_meeting: Meeting
) -> None:
    report = _keep(app, live_server)
    assert (report.created, report.failed) == (2, 0)
    held = graph_fake.subscriptions()
    # Graph only created them after vcsafe echoed its validation token.
    url = f"{live_server}/webhooks/teams/{teams_meeting.provider_account_id}"
    assert {s["notificationUrl"] for s in held} == {url}
    assert any("meetingCallEvents" in s["resource"] for s in held)
    assert any(s["resource"].endswith("/recordings") for s in held)
    rows = session.scalars(select(WebhookSubscription)).all()
    assert {r.subscription_id for r in rows} == {s["id"] for s in held}

    # Nothing to do while they are fresh; renewed when less than twelve hours are left.
    assert _keep(app, live_server).created == 0
    for row in rows:  # as if a day and a half had passed
        row.expires_at = utcnow() + timedelta(hours=11)
    session.commit()
    assert _keep(app, live_server).renewed == 2
    session.expire_all()
    soon = utcnow() + timedelta(days=1)
    assert all(r.expires_at > soon for r in session.scalars(select(WebhookSubscription)))
    assert all(s["expirationDateTime"] > f"{soon:%Y-%m-%d}" for s in graph_fake.subscriptions())

    # A subscription that lapsed at Graph (vcsafe was down for days) is made afresh.
    lapsed = held[0]["id"]
    graph_fake.expire_subscription(lapsed)
    for row in session.scalars(select(WebhookSubscription)):
        row.expires_at = utcnow()
    session.commit()
    report = _keep(app, live_server)
    assert (report.renewed, report.created) == (1, 1)
    alive = {s["id"] for s in graph_fake.subscriptions()}
    assert lapsed not in alive and len(alive) == 2
    session.expire_all()
    assert {r.subscription_id for r in session.scalars(select(WebhookSubscription))} == alive


def test_the_meeting_end_and_its_recording_arrive_by_notification(
    app: Flask, session: Session, live_server: str, graph_fake: GraphFake, teams_meeting: Meeting
) -> None:
    _keep(app, live_server)
    url = f"{live_server}/webhooks/teams/{teams_meeting.provider_account_id}"
    meeting_id = teams_meeting.provider_meeting_id
    assert meeting_id is not None

    ended = graph_fake.send_notification(url, "call_ended", meeting_id)
    assert ended.status_code == 200
    session.expire_all()
    meeting = session.get(Meeting, teams_meeting.id)
    assert meeting is not None and meeting.state is MeetingState.ENDED

    recording_id = graph_fake.add_recording(meeting_id)
    made = graph_fake.send_notification(url, "recording_created", meeting_id)
    assert made.status_code == 200
    recording = session.scalars(select(Recording)).one()
    assert recording.provider_recording_id == recording_id
    assert recording.purge_due_at - recording.completed_at == timedelta(days=30)

    # Graph resends what it thinks was lost: acknowledged, applied once.
    again = graph_fake.send_notification(url, "recording_created", meeting_id)
    assert again.status_code == 200
    assert len(session.scalars(select(Recording)).all()) == 1

    # A notification that does not carry the account's clientState is refused.
    forged = graph_fake.send_notification(url, "call_ended", meeting_id, client_state="guess")
    assert forged.status_code == 401


def test_a_due_recording_file_is_deleted_for_good(
    app: Flask, session: Session, graph_fake: GraphFake, teams_meeting: Meeting
) -> None:
    meeting_id = teams_meeting.provider_meeting_id
    assert meeting_id is not None
    graph_fake.add_recording(meeting_id, ended_at=utcnow() - timedelta(days=40))
    kept = graph_fake.add_recording(meeting_id, ended_at=utcnow() - timedelta(days=2))
    from vcsafe.services import lifecycle

    lifecycle.meeting_ended(
        session, teams_meeting, ended_at=utcnow() - timedelta(days=40), source="test"
    )
    for found in providers_of(app)(teams_meeting.provider_account).list_recordings(meeting_id):
        lifecycle.recording_completed(session, teams_meeting, found, source="test")
    session.commit()

    report = purge.run(db.factory(app), providers_of(app), box=secrets_of(app), now=utcnow())
    assert (report.recordings, report.failed) == (1, 0)
    owner = teams_meeting.provider_account.host_user
    files = graph_fake.drive_items(owner)
    assert len(files) == 1 and graph_fake.recycle_bin(owner) == []  # gone for good
    remaining = session.scalars(select(Recording)).all()
    assert [r.provider_recording_id for r in remaining] == [kept]


def test_a_cancelled_meeting_loses_its_subscriptions(
    app: Flask,
    session: Session,
    live_server: str,
    graph_fake: GraphFake,
    teams_meeting: Meeting,
    admin: User,
) -> None:
    _keep(app, live_server)
    assert len(graph_fake.subscriptions()) == 2
    meetings.cancel_meeting(
        session,
        teams_meeting,
        provider_for=providers_of(app),
        box=secrets_of(app),
        actor=admin,
        now=utcnow(),
    )
    session.commit()
    assert teams_meeting.provider_meeting_id not in graph_fake.meeting_ids()
    assert _keep(app, live_server).removed == 2
    assert graph_fake.subscriptions() == []
    assert session.scalars(select(WebhookSubscription)).all() == []


def test_a_refusal_switches_teams_automatic_recording_off_before_the_link_goes_out(
    app: Flask, client: FlaskClient, session: Session, teams_meeting: Meeting, graph_fake: GraphFake
) -> None:
    meeting_id = teams_meeting.provider_meeting_id or ""
    assert graph_fake.meeting(meeting_id)["recordAutomatically"] is True  # by consent
    answer = register(client, teams_meeting, recording="no")
    assert answer.status_code == 302
    report = registrant_push.push_due(
        db.factory(app), providers_of(app), box=secrets_of(app), now=utcnow()
    )
    assert report.pushed == 1
    assert graph_fake.meeting(meeting_id)["recordAutomatically"] is False
