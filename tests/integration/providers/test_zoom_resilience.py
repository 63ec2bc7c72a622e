"""The Zoom adapter when Zoom misbehaves: expired tokens, throttling, outages, dropped
connections and slow answers."""

from __future__ import annotations

import time

import pytest

from tests.fakes.zoom import ZoomFake
from vcsafe.providers.base import ProviderCredentials, ProviderUnavailable
from vcsafe.providers.http import RetryPolicy
from vcsafe.providers.zoom import ZoomProvider

API = "/v2/"


def test_an_expired_token_is_renewed_once_and_the_call_succeeds(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    zoom_provider.check_connection()
    zoom_fake.inject("expire_tokens", path_contains=API)

    assert zoom_provider.check_connection() == "Harbour Events"

    assert len(zoom_fake.calls("POST", "/oauth/token")) == 2
    assert [r.status for r in zoom_fake.calls("GET", "/v2/users/")] == [200, 401, 200]


def test_throttling_is_waited_out_as_zoom_asks(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    zoom_provider.check_connection()
    zoom_fake.inject("status", status=429, retry_after=0.3, path_contains=API)

    started = time.monotonic()
    assert zoom_provider.check_connection() == "Harbour Events"

    assert time.monotonic() - started >= 0.3
    assert [r.status for r in zoom_fake.calls("GET", API)] == [200, 429, 200]


def test_a_rate_limit_slows_vcsafe_down_without_failing_it(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    zoom_fake.rate_limit(2, path_contains="/users/")

    names = [zoom_provider.check_connection() for _ in range(4)]

    assert names == ["Harbour Events"] * 4
    statuses = [r.status for r in zoom_fake.calls("GET", API)]
    assert statuses.count(200) == 4 and statuses.count(429) <= 1


def test_a_passing_server_error_is_retried(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    zoom_fake.inject("status", status=500, path_contains=API)
    assert zoom_provider.check_connection() == "Harbour Events"


def test_an_outage_gives_up_within_the_retry_policy(
    zoom_credentials: ProviderCredentials, zoom_fake: ZoomFake
) -> None:
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, total_seconds=2.0)
    provider = ZoomProvider(zoom_credentials, policy=policy)
    provider.check_connection()
    zoom_fake.inject("status", status=503, times=100, path_contains=API)

    started = time.monotonic()
    with pytest.raises(ProviderUnavailable) as failure:
        provider.check_connection()

    assert time.monotonic() - started < 1.0
    assert "had a problem on its side" in str(failure.value)
    assert [r.status for r in zoom_fake.calls("GET", API)][1:] == [503, 503, 503]


def test_a_dropped_connection_is_retried(zoom_provider: ZoomProvider, zoom_fake: ZoomFake) -> None:
    zoom_provider.check_connection()
    zoom_fake.inject("drop", path_contains=API)

    assert zoom_provider.check_connection() == "Harbour Events"
    assert len(zoom_fake.calls("GET", API)) == 3  # the first, the dropped one, the retry


def test_an_answer_slower_than_the_read_timeout_is_unavailable(
    zoom_credentials: ProviderCredentials, zoom_fake: ZoomFake
) -> None:
    policy = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02, total_seconds=3.0)
    provider = ZoomProvider(zoom_credentials, policy=policy, timeout=(1.0, 0.3))
    provider.check_connection()
    zoom_fake.inject("slow", delay=0.6, times=2, path_contains=API)

    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="could not be reached"):
        provider.check_connection()

    assert time.monotonic() - started < 1.5


def test_a_failing_sign_in_service_is_unavailable_not_an_auth_error(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    zoom_fake.inject("status", status=503, times=10, path_contains="/oauth/token")

    with pytest.raises(ProviderUnavailable):
        zoom_provider.check_connection()


def test_an_unreachable_zoom_is_unavailable(
    zoom_credentials: ProviderCredentials, zoom_fake: ZoomFake
) -> None:
    zoom_fake.stop()
    policy = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02, total_seconds=2.0)

    with pytest.raises(ProviderUnavailable, match="could not be reached"):
        ZoomProvider(zoom_credentials, policy=policy).check_connection()
