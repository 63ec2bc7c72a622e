"""Webhook receivers: Zoom's signature scheme (valid, wrong secret, stale, replayed, malformed,
the URL check) and Graph's handshake and clientState, through vcsafe's own endpoints."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.fakes.graph import GraphFake
from tests.fakes.zoom import ZoomFake
from tests.planning import connect, plan
from vcsafe.models import (
    Meeting,
    MeetingState,
    Organisation,
    ProviderAccount,
    ProviderKind,
    Recording,
    User,
    WebhookDelivery,
    utcnow,
)
from vcsafe.providers.base import ProviderCredentials


@pytest.fixture
def zoom_meeting(
    app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    zoom_credentials: ProviderCredentials,
) -> Meeting:
    account = connect(app, session, organisation, zoom_credentials, ProviderKind.ZOOM, "Zoom")
    return plan(app, session, organisation, account, admin)


def _post(client: FlaskClient, meeting: Meeting, headers: dict[str, str], body: bytes) -> object:
    return client.post(f"/webhooks/zoom/{meeting.provider_account_id}", data=body, headers=headers)


def test_a_signed_meeting_ended_ends_the_meeting_once(
    client: FlaskClient,
    session: Session,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    zoom_meeting: Meeting,
) -> None:
    secret = zoom_credentials.webhook_secret
    headers, body = zoom_fake.webhook(
        "meeting.ended", zoom_meeting.provider_meeting_id or "", secret=secret
    )
    response = _post(client, zoom_meeting, headers, body)
    assert response.status_code == 200  # type: ignore[attr-defined]
    session.expire_all()
    meeting = session.get(Meeting, zoom_meeting.id)
    assert meeting is not None and meeting.state is MeetingState.ENDED
    # Only an identity digest is kept, never the payload.
    kept = session.scalars(select(WebhookDelivery)).one()
    assert len(kept.event_id) == 64 and zoom_meeting.title not in repr(kept.__dict__)

    replay = _post(client, zoom_meeting, headers, body)
    assert replay.status_code == 401  # type: ignore[attr-defined]
    assert "replay" in replay.get_json()["error"]  # type: ignore[attr-defined]


def test_recording_completed_starts_the_recordings_clock(
    client: FlaskClient,
    session: Session,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    zoom_meeting: Meeting,
) -> None:
    meeting_id = zoom_meeting.provider_meeting_id or ""
    ended = utcnow().replace(microsecond=0) - timedelta(minutes=5)
    uuid = zoom_fake.add_recording(meeting_id, ended_at=ended)
    headers, body = zoom_fake.webhook(
        "recording.completed",
        meeting_id,
        secret=zoom_credentials.webhook_secret,
        recording_uuid=uuid,
    )
    assert _post(client, zoom_meeting, headers, body).status_code == 200  # type: ignore[attr-defined]
    recording = session.scalars(select(Recording)).one()
    assert recording.provider_recording_id == uuid
    assert recording.completed_at == ended
    assert recording.purge_due_at == ended + timedelta(days=30)


@pytest.mark.parametrize(
    "tamper, reason",
    [
        ("wrong_secret", "signature"),
        ("stale", "older than five minutes"),
        ("future", "older than five minutes"),
        ("unsigned", "not signed"),
        ("body_changed", "signature"),
    ],
)
def test_deliveries_that_fail_verification_are_refused(
    client: FlaskClient,
    session: Session,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    zoom_meeting: Meeting,
    tamper: str,
    reason: str,
) -> None:
    secret = zoom_credentials.webhook_secret
    meeting_id = zoom_meeting.provider_meeting_id or ""
    now = utcnow()
    when = {"stale": now - timedelta(minutes=6), "future": now + timedelta(minutes=6)}.get(
        tamper, now
    )
    headers, body = zoom_fake.webhook(
        "meeting.ended",
        meeting_id,
        secret="guessed" if tamper == "wrong_secret" else secret,
        now=when,
    )
    if tamper == "unsigned":
        headers.pop("x-zm-signature")
    if tamper == "body_changed":
        body = body.replace(b"meeting.ended", b"meeting.deleted")
    response = _post(client, zoom_meeting, headers, body)
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert reason in response.get_json()["error"]  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get(Meeting, zoom_meeting.id).state is MeetingState.SCHEDULED  # type: ignore[union-attr]


def test_a_signed_but_malformed_body_is_refused(
    client: FlaskClient, zoom_credentials: ProviderCredentials, zoom_meeting: Meeting
) -> None:
    secret = zoom_credentials.webhook_secret
    for body in (
        b"not json",
        b"[]",
        b'{"event": "meeting.ended"}',
        b'{"event": "meeting.ended", "payload": {"object": {}}}',
    ):
        timestamp = str(int(utcnow().timestamp()))
        mac = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
        headers = {"x-zm-request-timestamp": timestamp, "x-zm-signature": "v0=" + mac.hexdigest()}
        response = _post(client, zoom_meeting, headers, body)
        assert response.status_code == 401, body  # type: ignore[attr-defined]


def test_zooms_url_check_is_answered(
    client: FlaskClient,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    zoom_meeting: Meeting,
) -> None:
    secret = zoom_credentials.webhook_secret
    headers, body = zoom_fake.webhook(
        "endpoint.url_validation", secret=secret, plain_token="qgg8vlvZRS6UYooatFL8Aw"
    )
    response = _post(client, zoom_meeting, headers, body)
    assert response.status_code == 200  # type: ignore[attr-defined]
    expected = hmac.new(secret.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert json.loads(response.get_data()) == {  # type: ignore[attr-defined]
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": expected,
    }


def test_unknown_accounts_are_not_found(client: FlaskClient) -> None:
    assert client.post("/webhooks/zoom/999999", data=b"{}").status_code == 404
    assert client.post("/webhooks/teams/999999", data=b"{}").status_code == 404


def test_graph_handshake_and_client_state(
    app: Flask,
    client: FlaskClient,
    session: Session,
    organisation: Organisation,
    admin: User,
    graph_fake: GraphFake,
    teams_credentials: ProviderCredentials,
) -> None:
    account = connect(app, session, organisation, teams_credentials, ProviderKind.TEAMS)
    meeting = plan(app, session, organisation, account, admin)
    url = f"/webhooks/teams/{account.id}"
    handshake = client.post(f"{url}?validationToken=Validation%3A+Testing+client+app")
    assert handshake.status_code == 200
    assert handshake.mimetype == "text/plain"
    assert handshake.get_data(as_text=True) == "Validation: Testing client app"

    headers, body = graph_fake.notification(
        "call_ended", meeting.provider_meeting_id or "", client_state="not-the-secret"
    )
    refused = client.post(url, data=body, headers=headers)
    assert refused.status_code == 401
    headers, body = graph_fake.notification("call_ended", meeting.provider_meeting_id or "")
    accepted = client.post(url, data=body, headers=headers)
    assert accepted.status_code == 200
    session.expire_all()
    assert session.get(Meeting, meeting.id).state is MeetingState.ENDED  # type: ignore[union-attr]
    assert session.get(ProviderAccount, account.id) is not None
