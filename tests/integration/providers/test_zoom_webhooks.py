"""Zoom webhooks through the adapter: signed deliveries from the Zoom fake are verified and
read into events that carry no personal data; anything unsigned, wrongly signed, stale or
malformed is refused; Zoom's URL check is answered."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, jsonify, request

from tests.fakes.server import FakeServer
from tests.fakes.zoom import ZoomFake, sign
from tests.fakes.zoom_fixtures import FAST_RETRIES
from tests.integration.providers.test_zoom_meetings import safe_spec
from vcsafe.providers.base import (
    InboundWebhook,
    ProviderCredentials,
    ProviderRejected,
    WebhookChallenge,
    WebhookEvent,
    WebhookKind,
    WebhookRejected,
)
from vcsafe.providers.zoom import ZoomProvider

NOW = datetime(2031, 3, 4, 20, 0, 30, tzinfo=UTC)
SENT = NOW.replace(second=0)


def _events(result: WebhookChallenge | list[WebhookEvent]) -> list[WebhookEvent]:
    assert isinstance(result, list), result
    return result


def _personal_data(fake: ZoomFake, meeting_id: str) -> list[str]:
    """What a webhook about this meeting may carry that vcsafe must not keep."""
    held = fake.meeting(meeting_id)
    return [held["topic"], held["host_email"], held["host_id"], held["start_url"]]


def _resigned(body: dict[str, object], secret: str, when: datetime) -> InboundWebhook:
    raw = json.dumps(body).encode()
    timestamp = str(int(when.timestamp()))
    headers = {"x-zm-request-timestamp": timestamp, "x-zm-signature": sign(secret, timestamp, raw)}
    return InboundWebhook(headers=headers, body=raw)


def test_meeting_ended_is_read_without_personal_data(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    meeting_id = zoom_provider.create_meeting(safe_spec()).meeting_id
    headers, body = zoom_fake.webhook(
        "meeting.ended", meeting_id, secret=zoom_credentials, now=SENT
    )

    [event] = _events(zoom_provider.parse_webhook(InboundWebhook(headers, body), now=NOW))

    assert event.kind is WebhookKind.MEETING_ENDED
    assert event.meeting_id == meeting_id and event.occurred_at == SENT
    assert len(event.event_id) == 64 and event.recording is None
    kept = repr(event)
    assert not [leak for leak in _personal_data(zoom_fake, meeting_id) if leak in kept]


def test_recording_completed_brings_what_deleting_it_needs(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    meeting_id = zoom_provider.create_meeting(safe_spec()).meeting_id
    ended = SENT - timedelta(minutes=20)
    uuid = zoom_fake.add_recording(meeting_id, completed_at=ended)
    headers, body = zoom_fake.webhook(
        "recording.completed", meeting_id, secret=zoom_credentials, now=SENT, recording_uuid=uuid
    )

    [event] = _events(zoom_provider.parse_webhook(InboundWebhook(headers, body), now=NOW))

    assert event.kind is WebhookKind.RECORDING_COMPLETED and event.meeting_id == meeting_id
    assert event.recording is not None
    assert event.recording.recording_id == uuid and event.recording.completed_at == ended
    payload = json.loads(body)["payload"]["object"]
    kept = repr(event)
    for leak in [payload["share_url"], *(f["download_url"] for f in payload["recording_files"])]:
        assert leak not in kept
    # What the webhook brought is enough to delete the recording for good.
    zoom_provider.delete_recording(meeting_id, event.recording)
    assert zoom_fake.recordings(meeting_id) == [] and zoom_fake.trash() == []


@pytest.mark.parametrize(
    "event, kind",
    [
        ("meeting.started", WebhookKind.MEETING_STARTED),
        ("meeting.updated", WebhookKind.MEETING_UPDATED),
        ("meeting.deleted", WebhookKind.MEETING_DELETED),
        ("recording.deleted", WebhookKind.RECORDING_DELETED),
        # In Zoom's trash a recording can still be recovered for 30 days: vcsafe keeps it on
        # its own schedule, to delete it for good.
        ("recording.trashed", WebhookKind.OTHER),
    ],
)
def test_each_meeting_and_recording_event_is_told_apart(
    zoom_provider: ZoomProvider,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    event: str,
    kind: WebhookKind,
) -> None:
    meeting_id = zoom_provider.create_meeting(safe_spec()).meeting_id
    uuid = zoom_fake.add_recording(meeting_id)
    headers, body = zoom_fake.webhook(
        event,
        meeting_id,
        secret=zoom_credentials,
        now=SENT,
        recording_uuid=uuid,
        changes={"waiting_room": False},
    )

    [found] = _events(zoom_provider.parse_webhook(InboundWebhook(headers, body), now=NOW))

    assert found.kind is kind
    if kind is not WebhookKind.OTHER:
        assert found.meeting_id == meeting_id
    if kind is WebhookKind.RECORDING_DELETED:
        assert found.recording is not None and found.recording.recording_id == uuid
    assert not [leak for leak in _personal_data(zoom_fake, meeting_id) if leak in repr(found)]


def test_a_delivery_is_identified_by_its_signature_not_its_content(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    meeting_id = zoom_provider.create_meeting(safe_spec()).meeting_id
    first = InboundWebhook(
        *zoom_fake.webhook("meeting.ended", meeting_id, secret=zoom_credentials, now=SENT)
    )
    later = InboundWebhook(
        *zoom_fake.webhook(
            "meeting.ended", meeting_id, secret=zoom_credentials, now=SENT + timedelta(seconds=1)
        )
    )
    [once] = _events(zoom_provider.parse_webhook(first, now=NOW))
    [again] = _events(zoom_provider.parse_webhook(first, now=NOW))
    [other] = _events(zoom_provider.parse_webhook(later, now=NOW))
    assert once.event_id == again.event_id != other.event_id


@pytest.mark.parametrize(
    "tamper, reason",
    [
        ("wrong_secret", "signature does not match"),
        ("body_changed", "signature does not match"),
        ("unsigned", "not signed"),
        ("no_timestamp", "not signed"),
        ("odd_timestamp", "not signed"),
        ("timestamp_out_of_range", "older than five minutes"),
        ("stale", "older than five minutes"),
        ("from_the_future", "older than five minutes"),
    ],
)
def test_deliveries_that_fail_verification_are_refused(
    zoom_provider: ZoomProvider,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    tamper: str,
    reason: str,
) -> None:
    meeting_id = zoom_provider.create_meeting(safe_spec()).meeting_id
    when = {
        "stale": NOW - timedelta(minutes=5, seconds=1),
        "from_the_future": NOW + timedelta(minutes=5, seconds=1),
    }.get(tamper, SENT)
    secret = "guessed-secret" if tamper == "wrong_secret" else zoom_credentials.webhook_secret
    headers, body = zoom_fake.webhook("meeting.ended", meeting_id, secret=secret, now=when)
    if tamper == "body_changed":
        body = body.replace(b"meeting.ended", b"meeting.deleted")
    if tamper == "unsigned":
        del headers["x-zm-signature"]
    if tamper == "no_timestamp":
        del headers["x-zm-request-timestamp"]
    if tamper in ("odd_timestamp", "timestamp_out_of_range"):  # signed, but not a time
        stamp = "\u00b2" if tamper == "odd_timestamp" else "9" * 30
        headers["x-zm-request-timestamp"] = stamp
        headers["x-zm-signature"] = sign(secret, stamp, body)

    with pytest.raises(WebhookRejected, match=reason):
        zoom_provider.parse_webhook(InboundWebhook(headers, body), now=NOW)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"event": "meeting.ended"}',
        b'{"event": "meeting.ended", "payload": []}',
        b'{"event": "meeting.ended", "payload": {"object": {}}}',
        b'{"event": "meeting.ended", "payload": {"object": {"id": true}}}',
        b'{"event": "meeting.ended", "payload": {"object": {"id": {"id": 1}}}}',
        b'{"event": "recording.completed", "payload": {"object": {"id": 1}}}',
        b'{"event": "recording.completed", "payload": {"object": {"id": 1, "uuid": [1]}}}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=lambda body: body[:40].decode(),
)
def test_a_signed_but_malformed_body_is_refused(
    zoom_provider: ZoomProvider, zoom_credentials: ProviderCredentials, body: bytes
) -> None:
    timestamp = str(int(SENT.timestamp()))
    headers = {
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": sign(zoom_credentials.webhook_secret, timestamp, body),
    }
    with pytest.raises(WebhookRejected):
        zoom_provider.parse_webhook(InboundWebhook(headers, body), now=NOW)


def test_odd_values_in_fields_vcsafe_does_not_need_are_tolerated(
    zoom_provider: ZoomProvider, zoom_credentials: ProviderCredentials
) -> None:
    body = {
        "event": "recording.completed",
        "event_ts": 10**30,
        "payload": {"object": {"id": 85746065432, "uuid": "abc==", "recording_files": 5}},
    }
    inbound = _resigned(body, zoom_credentials.webhook_secret, SENT)

    [event] = _events(zoom_provider.parse_webhook(inbound, now=NOW))

    assert event.meeting_id == "85746065432" and event.occurred_at == SENT
    assert event.recording is not None and event.recording.recording_id == "abc=="


def test_fields_zoom_adds_beyond_its_description_are_accepted(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    meeting_id = zoom_provider.create_meeting(safe_spec()).meeting_id
    _, raw = zoom_fake.webhook("meeting.ended", meeting_id, secret=zoom_credentials, now=SENT)
    body = json.loads(raw)
    body["payload"]["object"]["participant"] = {"user_name": "Jill Chill", "email": "j@x.org"}
    body["payload"]["operator"] = "someone@example.org"
    inbound = _resigned(body, zoom_credentials.webhook_secret, SENT)

    [event] = _events(zoom_provider.parse_webhook(inbound, now=NOW))

    assert event.kind is WebhookKind.MEETING_ENDED and event.meeting_id == meeting_id
    assert "Jill" not in repr(event) and "example.org" not in repr(event)


def test_an_event_vcsafe_does_not_use_is_kept_without_its_contents(
    zoom_provider: ZoomProvider, zoom_credentials: ProviderCredentials
) -> None:
    body = {
        "event": "meeting.participant_joined",
        "event_ts": int(SENT.timestamp() * 1000),
        "payload": {"object": {"id": "123", "participant": {"user_name": "Jill Chill"}}},
    }
    inbound = _resigned(body, zoom_credentials.webhook_secret, SENT)

    [event] = _events(zoom_provider.parse_webhook(inbound, now=NOW))

    assert event.kind is WebhookKind.OTHER and event.meeting_id == ""
    assert "Jill" not in repr(event)


def test_zooms_url_check_is_answered_only_when_signed(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    secret = zoom_credentials.webhook_secret
    headers, body = zoom_fake.webhook(
        "endpoint.url_validation", secret=secret, now=SENT, plain_token="qgg8vlvZRS6UYooatFL8Aw"
    )

    answer = zoom_provider.parse_webhook(InboundWebhook(headers, body), now=NOW)

    assert isinstance(answer, WebhookChallenge) and answer.content_type == "application/json"
    expected = hmac.new(secret.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert json.loads(answer.body) == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": expected,
    }
    forged, body = zoom_fake.webhook(
        "endpoint.url_validation", secret="guessed-secret", now=SENT, plain_token="abc"
    )
    with pytest.raises(WebhookRejected, match="signature"):
        zoom_provider.parse_webhook(InboundWebhook(forged, body), now=NOW)


def test_an_account_without_a_webhook_secret_accepts_nothing(
    zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    provider = ZoomProvider(replace(zoom_credentials, webhook_secret=""), policy=FAST_RETRIES)
    headers, body = zoom_fake.webhook("endpoint.url_validation", secret="", now=SENT)
    with pytest.raises(WebhookRejected, match="no webhook secret"):
        provider.parse_webhook(InboundWebhook(headers, body), now=NOW)


def test_zoom_needs_no_subscriptions(zoom_provider: ZoomProvider) -> None:
    assert zoom_provider.notification_resources("85746065432") == []
    with pytest.raises(ProviderRejected, match="Zoom App Marketplace"):
        zoom_provider.subscribe("x", "https://vcsafe.example/webhooks", expires_at=NOW)
    with pytest.raises(ProviderRejected):
        zoom_provider.renew_subscription("x", expires_at=NOW)
    with pytest.raises(ProviderRejected):
        zoom_provider.delete_subscription("x")


def test_the_fake_delivers_signed_webhooks_to_a_live_url(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    receiver = Flask("receiver")
    seen: list[WebhookEvent] = []

    @receiver.post("/webhooks/zoom")
    def _receive() -> object:
        inbound = InboundWebhook(dict(request.headers), request.get_data())
        result = zoom_provider.parse_webhook(inbound, now=datetime.now(UTC))
        if isinstance(result, WebhookChallenge):
            return result.body, 200, {"Content-Type": result.content_type}
        seen.extend(result)
        return jsonify(ok=True)

    server = FakeServer(receiver, "receiver").start()
    try:
        meeting_id = zoom_provider.create_meeting(safe_spec()).meeting_id
        url = f"{server.base_url}/webhooks/zoom"
        response = zoom_fake.send_webhook(url, "meeting.ended", meeting_id, secret=zoom_credentials)
        challenge = zoom_fake.send_webhook(
            url, "endpoint.url_validation", secret=zoom_credentials, plain_token="p1"
        )
    finally:
        server.stop()
    assert response.status_code == 200
    assert [(e.kind, e.meeting_id) for e in seen] == [(WebhookKind.MEETING_ENDED, meeting_id)]
    assert challenge.json()["plainToken"] == "p1"
