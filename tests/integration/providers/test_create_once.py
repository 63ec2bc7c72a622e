"""A meeting is created once at the provider even when the answer to the create is lost: the
create is not blindly repeated, and the next try finds the meeting by vcsafe's reference."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.fakes.graph import GraphFake
from tests.fakes.zoom import ZoomFake
from vcsafe.providers.base import MeetingSpec, ProviderCredentials, Unanswered
from vcsafe.providers.http import RetryPolicy
from vcsafe.providers.teams import TeamsProvider
from vcsafe.providers.zoom import ZoomProvider

SPEC = MeetingSpec(
    title="Local history talk",
    starts_at=datetime(2031, 3, 4, 18, 30, tzinfo=UTC),
    duration_minutes=60,
    reference="vcsafe-0123456789abcdef0123",
)
# A read timeout shorter than the fake's slow answer: the create happens, its answer is lost.
POLICY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, total_seconds=5.0)
TIMEOUT = (1.0, 1.5)


def test_zoom_finds_the_meeting_whose_answer_was_lost(
    zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    provider = ZoomProvider(zoom_credentials, policy=POLICY, timeout=TIMEOUT)
    warm = provider.create_meeting(replace(SPEC, reference="vcsafe-warm"))  # a cold fake is slow
    zoom_fake.inject("slow", delay=2.0, method="POST", path_contains="/meetings")
    with pytest.raises(Unanswered, match="may have done it"):
        provider.create_meeting(SPEC)
    assert len(zoom_fake.calls("POST", "/users/me/meetings")) == 2  # not repeated blindly

    again = provider.create_meeting(SPEC)  # "Try again"
    assert sorted(zoom_fake.meeting_ids()) == sorted([warm.meeting_id, again.meeting_id])
    assert again.passcode == zoom_fake.meeting(again.meeting_id)["password"]
    # A different meeting (another reference) is still created afresh.
    other = provider.create_meeting(replace(SPEC, reference="vcsafe-fedcba9876543210fedc"))
    assert len(zoom_fake.meeting_ids()) == 3 and other.meeting_id in zoom_fake.meeting_ids()


def test_teams_creates_or_gets_by_external_id(
    graph_fake: GraphFake, teams_credentials: ProviderCredentials
) -> None:
    provider = TeamsProvider(teams_credentials, policy=POLICY, timeout=TIMEOUT)
    warm = provider.create_meeting(replace(SPEC, reference="vcsafe-warm"))  # a cold fake is slow
    graph_fake.inject("slow", delay=2.0, method="POST", path_contains="/createOrGet")
    with pytest.raises(Unanswered):
        provider.create_meeting(SPEC)

    again = provider.create_meeting(SPEC)
    assert sorted(graph_fake.meeting_ids()) == sorted([warm.meeting_id, again.meeting_id])
    held = graph_fake.meeting(again.meeting_id)
    assert held["externalId"] == SPEC.reference
    # The safe settings were applied after the create-or-get.
    assert held["lobbyBypassSettings"]["scope"] == "organizer"
    assert held["allowedPresenters"] == "organizer"
