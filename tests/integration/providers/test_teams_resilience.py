"""The Teams adapter against the Graph fake when Microsoft misbehaves: expired tokens,
throttling, outages, dropped connections and slow answers."""

from __future__ import annotations

import time

import pytest

from tests.fakes.graph import GraphFake
from vcsafe.providers.base import ProviderCredentials, ProviderUnavailable
from vcsafe.providers.http import RetryPolicy
from vcsafe.providers.teams import TeamsProvider

GRAPH = "/v1.0/"


def test_an_expired_token_is_renewed_once_and_the_call_succeeds(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    teams_provider.check_connection()
    graph_fake.inject("expire_tokens", path_contains=GRAPH)

    assert teams_provider.check_connection() == "Harbour Events Team"

    assert len(graph_fake.calls("POST", "/oauth2/v2.0/token")) == 2
    assert [r.status for r in graph_fake.calls("GET", "/v1.0/users/")] == [200, 401, 200]


def test_throttling_is_waited_out_as_graph_asks(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    graph_fake.inject("status", status=429, retry_after=0.3, path_contains=GRAPH)

    started = time.monotonic()
    assert teams_provider.check_connection() == "Harbour Events Team"

    assert time.monotonic() - started >= 0.3
    assert [r.status for r in graph_fake.calls("GET", GRAPH)] == [429, 200]


def test_a_rate_limit_slows_vcsafe_down_without_failing_it(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    graph_fake.rate_limit(2, path_contains="/users/")

    names = [teams_provider.check_connection() for _ in range(3)]

    assert names == ["Harbour Events Team"] * 3
    statuses = [r.status for r in graph_fake.calls("GET", GRAPH)]
    assert statuses.count(429) == 1 and statuses.count(200) == 3


def test_a_passing_server_error_is_retried(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    graph_fake.inject("status", status=500, path_contains=GRAPH)

    assert teams_provider.check_connection() == "Harbour Events Team"


def test_an_outage_gives_up_within_the_retry_policy(
    teams_credentials: ProviderCredentials, graph_fake: GraphFake
) -> None:
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, total_seconds=2.0)
    provider = TeamsProvider(teams_credentials, policy=policy)
    provider.check_connection()
    graph_fake.inject("status", status=503, times=100, path_contains=GRAPH)

    started = time.monotonic()
    with pytest.raises(ProviderUnavailable) as failure:
        provider.check_connection()

    assert time.monotonic() - started < 1.0
    assert "had a problem on its side" in str(failure.value)
    assert "temporarily unavailable" in str(failure.value)  # Graph's own words
    assert [r.status for r in graph_fake.calls("GET", GRAPH)][1:] == [503, 503, 503]


def test_a_dropped_connection_is_retried(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    teams_provider.check_connection()
    graph_fake.inject("drop", path_contains=GRAPH)

    assert teams_provider.check_connection() == "Harbour Events Team"
    assert len(graph_fake.calls("GET", GRAPH)) == 3  # the first, the dropped one, the retry


def test_an_answer_slower_than_the_read_timeout_is_unavailable(
    teams_credentials: ProviderCredentials, graph_fake: GraphFake
) -> None:
    policy = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02, total_seconds=3.0)
    provider = TeamsProvider(teams_credentials, policy=policy, timeout=(1.0, 0.3))
    provider.check_connection()
    graph_fake.inject("slow", delay=0.6, times=2, path_contains=GRAPH)

    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="could not be reached"):
        provider.check_connection()

    assert time.monotonic() - started < 1.5


def test_a_failing_sign_in_service_is_unavailable_not_an_auth_error(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    graph_fake.inject("status", status=503, path_contains="/oauth2/v2.0/token")

    with pytest.raises(ProviderUnavailable, match="sign-in service"):
        teams_provider.check_connection()


def test_an_unreachable_microsoft_is_unavailable(
    teams_credentials: ProviderCredentials, graph_fake: GraphFake
) -> None:
    graph_fake.stop()
    policy = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02, total_seconds=2.0)

    with pytest.raises(ProviderUnavailable, match="could not be reached"):
        TeamsProvider(teams_credentials, policy=policy).check_connection()
