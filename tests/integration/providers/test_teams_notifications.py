"""The Teams adapter against the Graph fake: subscriptions and the notifications Graph posts.

A live receiver stands in for vcsafe's webhook URL and answers with the adapter's own
parse_webhook, so Graph's handshake and deliveries go through the real code.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from tests.fakes.graph import GraphFake
from tests.fakes.graph_fixtures import FAST_RETRIES, NotificationReceiver
from vcsafe.providers.base import (
    InboundWebhook,
    MeetingSpec,
    ProviderCredentials,
    ProviderNotFound,
    ProviderRejected,
    WebhookChallenge,
    WebhookEvent,
    WebhookKind,
    WebhookRejected,
)
from vcsafe.providers.teams import TeamsProvider

NOW = datetime.now(UTC)


@pytest.fixture
def meeting_id(teams_provider: TeamsProvider) -> str:
    spec = MeetingSpec(title="Parish talk", starts_at=NOW + timedelta(days=1), duration_minutes=60)
    return teams_provider.create_meeting(spec).meeting_id


@pytest.fixture
def receiver(
    notification_receiver: NotificationReceiver, teams_provider: TeamsProvider
) -> NotificationReceiver:
    notification_receiver.handler = lambda inbound: teams_provider.parse_webhook(inbound, now=NOW)
    return notification_receiver


def subscribe_all(provider: TeamsProvider, meeting_id: str, url: str) -> list[str]:
    resources = provider.notification_resources(meeting_id)
    expires = NOW + timedelta(days=2)
    return [provider.subscribe(r, url, expires_at=expires).subscription_id for r in resources]


def events_of(provider: TeamsProvider, headers: dict[str, str], body: bytes) -> list[WebhookEvent]:
    result = provider.parse_webhook(InboundWebhook(headers=headers, body=body), now=NOW)
    assert isinstance(result, list)
    return result


def test_resources_cover_the_meetings_end_and_its_recordings(
    teams_provider: TeamsProvider, graph_fake: GraphFake, meeting_id: str
) -> None:
    join = graph_fake.meeting(meeting_id)["joinWebUrl"]

    calls, recordings = teams_provider.notification_resources(meeting_id)

    encoded = quote(join, safe="")
    assert calls == f"communications/onlineMeetings(joinWebUrl='{encoded}')/meetingCallEvents"
    assert recordings == f"communications/onlineMeetings/{meeting_id}/recordings"


def test_subscribing_passes_graphs_handshake(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    teams_credentials: ProviderCredentials,
    receiver: NotificationReceiver,
    meeting_id: str,
) -> None:
    resource = teams_provider.notification_resources(meeting_id)[1]

    made = teams_provider.subscribe(resource, receiver.url, expires_at=NOW + timedelta(days=2))

    [held] = graph_fake.subscriptions()
    assert held["id"] == made.subscription_id
    assert held["resource"] == made.resource == resource
    assert held["changeType"] == "created"
    assert held["clientState"] == teams_credentials.webhook_secret
    assert held["notificationUrl"] == held["lifecycleNotificationUrl"] == receiver.url
    assert abs(made.expires_at - (NOW + timedelta(days=2))) < timedelta(seconds=1)
    [handshake] = receiver.deliveries
    assert handshake.query["validationToken"].startswith("Validation: Testing client")


def test_call_events_are_subscribed_for_updates(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    receiver: NotificationReceiver,
    meeting_id: str,
) -> None:
    subscribe_all(teams_provider, meeting_id, receiver.url)

    kinds = {s["resource"].rsplit("/", 1)[-1]: s["changeType"] for s in graph_fake.subscriptions()}
    assert kinds == {"meetingCallEvents": "updated", "recordings": "created"}


def test_no_subscription_when_the_endpoint_does_not_answer_the_handshake(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    notification_receiver: NotificationReceiver,
    meeting_id: str,
) -> None:
    notification_receiver.echo = False
    resource = teams_provider.notification_resources(meeting_id)[1]

    with pytest.raises(ProviderRejected, match="validation request failed"):
        teams_provider.subscribe(
            resource, notification_receiver.url, expires_at=NOW + timedelta(days=1)
        )

    assert graph_fake.subscriptions() == []


def test_renewing_pushes_the_expiry_and_a_lapsed_one_is_not_found(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    receiver: NotificationReceiver,
    meeting_id: str,
) -> None:
    first, second = subscribe_all(teams_provider, meeting_id, receiver.url)
    later = NOW + timedelta(days=2, hours=12)

    renewed = teams_provider.renew_subscription(first, expires_at=later)

    assert abs(renewed.expires_at - later) < timedelta(seconds=1)
    assert renewed.resource.endswith("/meetingCallEvents")
    graph_fake.expire_subscription(second)
    with pytest.raises(ProviderNotFound):
        teams_provider.renew_subscription(second, expires_at=later)


def test_deleting_a_subscription_twice_is_fine(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    receiver: NotificationReceiver,
    meeting_id: str,
) -> None:
    first, _ = subscribe_all(teams_provider, meeting_id, receiver.url)

    teams_provider.delete_subscription(first)
    teams_provider.delete_subscription(first)

    assert first not in {s["id"] for s in graph_fake.subscriptions()}
    assert graph_fake.deletes_of("subscription", first) == 2


def test_the_validation_token_is_echoed_as_plain_text(teams_provider: TeamsProvider) -> None:
    token = "Validation: Testing client application reachability for subscription Request-Id: 1"

    answer = teams_provider.parse_webhook(
        InboundWebhook(headers={}, body=b"", query={"validationToken": token}), now=NOW
    )

    assert answer == WebhookChallenge(body=token, content_type="text/plain")


def test_a_meeting_that_ended_is_reported_with_its_id(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    receiver: NotificationReceiver,
    meeting_id: str,
) -> None:
    subscribe_all(teams_provider, meeting_id, receiver.url)

    answer = graph_fake.send_notification(receiver.url, "call_ended", meeting_id)

    assert answer.status_code == 202
    [event] = receiver.events
    assert event.kind is WebhookKind.MEETING_ENDED
    assert event.meeting_id == meeting_id
    assert abs(event.occurred_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_fresh_adapter_looks_the_meeting_up_by_its_join_link(
    graph_fake: GraphFake, teams_credentials: ProviderCredentials, meeting_id: str
) -> None:
    restarted = TeamsProvider(teams_credentials, policy=FAST_RETRIES)  # nothing remembered

    [event] = events_of(restarted, *graph_fake.notification("call_ended", meeting_id))
    [again] = events_of(restarted, *graph_fake.notification("call_started", meeting_id))

    assert (event.kind, event.meeting_id) == (WebhookKind.MEETING_ENDED, meeting_id)
    assert (again.kind, again.meeting_id) == (WebhookKind.MEETING_STARTED, meeting_id)
    assert len(graph_fake.calls("GET", "/onlineMeetings")) == 1  # then remembered


def test_a_new_recording_names_its_meeting_and_leaves_details_to_listing(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    receiver: NotificationReceiver,
    meeting_id: str,
) -> None:
    subscribe_all(teams_provider, meeting_id, receiver.url)
    graph_fake.add_recording(meeting_id)

    graph_fake.send_notification(receiver.url, "recording_created", meeting_id)

    [event] = receiver.events
    assert event.kind is WebhookKind.RECORDING_COMPLETED
    assert event.meeting_id == meeting_id
    assert event.recording is None


def test_a_wrong_client_state_is_refused(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    receiver: NotificationReceiver,
    meeting_id: str,
) -> None:
    subscribe_all(teams_provider, meeting_id, receiver.url)

    answer = graph_fake.send_notification(
        receiver.url, "call_ended", meeting_id, client_state="guessed"
    )

    assert answer.status_code == 401
    assert receiver.events == []
    assert receiver.rejected == ["a notification's clientState does not match this account"]


def test_an_account_without_a_client_state_accepts_no_notification(
    graph_fake: GraphFake, teams_credentials: ProviderCredentials, meeting_id: str
) -> None:
    unset = TeamsProvider(replace(teams_credentials, webhook_secret=""), policy=FAST_RETRIES)
    headers, body = graph_fake.notification("call_ended", meeting_id, client_state="x")

    with pytest.raises(WebhookRejected, match="no clientState"):
        unset.parse_webhook(InboundWebhook(headers=headers, body=body), now=NOW)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"value": []}',
        b'{"value": ["text"]}',
        b'{"value": [{"changeType": "updated"}]}',
    ],
)
def test_malformed_deliveries_are_refused(
    teams_provider: TeamsProvider, teams_credentials: ProviderCredentials, body: bytes
) -> None:
    if b"changeType" in body:  # right clientState, but no resource
        item = {"changeType": "updated", "clientState": teams_credentials.webhook_secret}
        body = json.dumps({"value": [item]}).encode()
    with pytest.raises(WebhookRejected):
        teams_provider.parse_webhook(InboundWebhook(headers={}, body=body), now=NOW)


def test_lifecycle_notices_are_verified_but_not_acted_on(
    teams_provider: TeamsProvider, graph_fake: GraphFake, meeting_id: str
) -> None:
    [event] = events_of(
        teams_provider, *graph_fake.notification("reauthorization_required", meeting_id)
    )
    assert event.kind is WebhookKind.OTHER


def test_event_ids_identify_a_delivery_without_keeping_it(
    teams_provider: TeamsProvider, graph_fake: GraphFake, meeting_id: str
) -> None:
    headers, body = graph_fake.notification("call_ended", meeting_id)
    [first] = events_of(teams_provider, headers, body)
    [redelivered] = events_of(teams_provider, headers, body)
    [other] = events_of(teams_provider, *graph_fake.notification("call_ended", meeting_id))

    assert first.event_id == redelivered.event_id  # a redelivery is recognised as a replay
    assert first.event_id != other.event_id
    assert len(first.event_id) == 64 and meeting_id not in first.event_id
