"""Pytest fixtures for the Zoom fake (registered as a plugin in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.zoom import ZoomFake
from vcsafe.providers.base import ProviderCredentials
from vcsafe.providers.http import RetryPolicy
from vcsafe.providers.zoom import ZoomProvider

#: Retries that keep fault tests fast: three tries, waits of a few milliseconds.
FAST_RETRIES = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, total_seconds=5.0)


@pytest.fixture
def zoom_fake() -> Iterator[ZoomFake]:
    """A running Zoom fake; the test fails if anything sent it a request that breaks Zoom's
    description (a spec violation), even when the test itself passed."""
    fake = ZoomFake().start()
    try:
        yield fake
    finally:
        fake.stop()
    if fake.violations:
        pytest.fail(
            "requests broke Zoom's Meetings API description:\n" + "\n".join(fake.violations),
            pytrace=False,
        )


@pytest.fixture
def zoom_credentials(zoom_fake: ZoomFake) -> ProviderCredentials:
    """A Zoom account with a Server-to-Server OAuth app, on the fake."""
    return zoom_fake.provision_account()


@pytest.fixture
def zoom_provider(zoom_credentials: ProviderCredentials) -> ZoomProvider:
    """The real Zoom adapter pointed at the fake, with fast retries."""
    return ZoomProvider(zoom_credentials, policy=FAST_RETRIES)
