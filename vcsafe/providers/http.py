"""HTTP plumbing shared by the adapters: timeouts, retries with backoff, Retry-After, errors."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from vcsafe.providers.base import (
    ProviderAuthError,
    ProviderError,
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
    Unanswered,
)
from vcsafe.providers.pacing import Pacer

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = (5.0, 20.0)  # connect, read (seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, exponential backoff with full jitter, and a total time bound."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    total_seconds: float = 45.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to base * 2**attempt, capped."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))  # noqa: S311


def retry_after_seconds(response: requests.Response) -> float | None:
    """The server's Retry-After, in seconds (it may be a number or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def send_with_retries(
    send: Callable[[], requests.Response],
    *,
    what: str,
    provider: str,
    policy: RetryPolicy,
    on_unauthorized: Callable[[], None] | None = None,
    pacer: Pacer | None = None,
    retry_unanswered: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> requests.Response:
    """Call `send` until it gives a non-retryable answer, within the policy's bounds.

    429 and 5xx answers and connection errors are retried, waiting Retry-After when the server
    gives one, else an exponential backoff with jitter. A 401 calls `on_unauthorized` (to refresh
    the token) once and tries again. With a `pacer`, every attempt waits its turn and a 429
    tells the pacer to settle under the provider's limit. What comes back is a response with
    a status below 400, or one that `raise_for_answer` turns into a typed error.

    With `retry_unanswered=False` (creates and deletes), a request that may have reached the
    provider without an answer (a read timeout, a connection dropped mid-way) is not sent
    again: the caller checks what happened before it tries again, so nothing is done twice.
    """
    started = time.monotonic()
    refreshed = False
    attempt = 0
    while True:
        attempt += 1
        if pacer is not None:
            pacer.wait_turn()
        paced = False
        try:
            response = send()
        except (requests.ConnectionError, requests.Timeout) as exc:
            if not retry_unanswered and not never_sent(exc):
                raise Unanswered(
                    f"{provider} did not answer while vcsafe tried to {what}; it may have done "
                    "it. vcsafe checks before trying again."
                ) from exc
            failure: ProviderError = ProviderUnavailable(
                f"{provider} could not be reached while trying to {what} ({type(exc).__name__})."
            )
            wait = policy.backoff(attempt)
        else:
            log.info("%s %s -> %s", provider, _describe(response), response.status_code)
            if response.status_code == 401 and on_unauthorized and not refreshed:
                refreshed = True
                on_unauthorized()
                continue
            if response.status_code not in RETRY_STATUSES:
                if pacer is not None:
                    pacer.accepted()
                return response
            failure = error_for(response, what=what, provider=provider)
            server_wait = retry_after_seconds(response)
            if response.status_code == 429 and pacer is not None:
                # The pacer holds this and every other caller back for the wait.
                wait, paced = pacer.refused(server_wait), True
            else:
                wait = server_wait if server_wait is not None else policy.backoff(attempt)
        elapsed = time.monotonic() - started
        if attempt >= policy.max_attempts or elapsed + wait > policy.total_seconds:
            raise failure
        if not paced:
            sleep(wait)


def never_sent(exc: requests.RequestException) -> bool:
    """Whether a failed request certainly never reached the server (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def raise_for_answer(response: requests.Response, *, what: str, provider: str) -> None:
    """Turn an error status into the matching typed ProviderError."""
    if response.status_code < 400:
        return
    raise error_for(response, what=what, provider=provider)


def error_for(response: requests.Response, *, what: str, provider: str) -> ProviderError:
    status = response.status_code
    detail = _provider_message(response)
    suffix = f" The provider said: {detail}" if detail else ""
    if status == 429:
        return ProviderUnavailable(
            f"{provider} is limiting how fast vcsafe may {what}; it will try again shortly.",
            status=status,
        )
    if status >= 500:
        return ProviderUnavailable(
            f"{provider} had a problem on its side while vcsafe tried to {what}; "
            f"vcsafe will try again.{suffix}",
            status=status,
        )
    if status in (401, 403):
        return ProviderAuthError(
            f"{provider} refused the account's credentials or permissions to {what}. "
            f"Check the connected account's client id, secret and app permissions.{suffix}",
            status=status,
        )
    if status == 404:
        return ProviderNotFound(f"{provider} has no such object ({what}).{suffix}", status=status)
    return ProviderRejected(f"{provider} refused to {what}.{suffix}", status=status)


def _provider_message(response: requests.Response) -> str:
    """The provider's own short error message, if its JSON has one (never the whole body)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    message = body.get("message") or (body.get("error") or {})
    if isinstance(message, dict):
        message = message.get("message", "")
    return str(message)[:300]


def _describe(response: requests.Response) -> str:
    # Method and path only: query strings and bodies may carry personal data or tokens.
    request = response.request
    return f"{request.method} {urlsplit(request.url or '').path}"
