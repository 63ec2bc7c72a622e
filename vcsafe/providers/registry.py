"""Builds and caches one adapter per connected account, so tokens and sessions are reused."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import astuple

from vcsafe.providers.base import MeetingProvider, ProviderCredentials
from vcsafe.providers.http import DEFAULT_TIMEOUT, RetryPolicy


def build_provider(
    kind: str,
    credentials: ProviderCredentials,
    policy: RetryPolicy | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> MeetingProvider:
    """A new adapter for `kind` ("zoom" or "teams"); `timeout` is (connect, read) seconds."""
    policy = policy or RetryPolicy()
    if kind == "zoom":
        from vcsafe.providers.zoom import ZoomProvider

        return ZoomProvider(credentials, policy=policy, timeout=timeout)
    if kind == "teams":
        from vcsafe.providers.teams import TeamsProvider

        return TeamsProvider(credentials, policy=policy, timeout=timeout)
    raise ValueError(f"unknown provider kind {kind!r}")


class ProviderRegistry:
    """Adapters keyed by account; a changed credential builds a fresh adapter."""

    def __init__(
        self, policy: RetryPolicy | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT
    ) -> None:
        self._policy = policy
        self._timeout = timeout
        self._cache: dict[int, tuple[str, MeetingProvider]] = {}
        self._lock = threading.Lock()

    def get(self, account_id: int, kind: str, credentials: ProviderCredentials) -> MeetingProvider:
        fingerprint = hashlib.sha256(repr((kind, astuple(credentials))).encode()).hexdigest()
        with self._lock:
            cached = self._cache.get(account_id)
            if cached is not None and cached[0] == fingerprint:
                return cached[1]
        provider = build_provider(kind, credentials, self._policy, self._timeout)
        with self._lock:
            self._cache[account_id] = (fingerprint, provider)
        return provider

    def forget(self, account_id: int) -> None:
        with self._lock:
            self._cache.pop(account_id, None)
