"""Zoom's HTTP side: Server-to-Server OAuth tokens and zoomus's API calls, sent through one
requests session with timeouts, retries, pacing and token refresh.

zoomus builds the calls (paths, payload shapes, date formats) but sends them with module-level
`requests` functions, without a session, a retry or a token refresh, and turns a failed token
fetch into `Bearer None`. So its components here return the call instead of sending it
(`ZoomCall`), and `ZoomClient.send` sends it. zoomus also repeats path values (`id`,
`user_id`, `meeting_id`) in the query string and body, where Zoom's description has no such
fields; `send` leaves them out.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from zoomus.components.meeting import MeetingComponentV2
from zoomus.components.recording import RecordingComponentV2
from zoomus.components.user import UserComponentV2

from vcsafe.providers.base import ProviderAuthError, ProviderCredentials, ProviderUnavailable
from vcsafe.providers.http import RetryPolicy, error_for, send_with_retries
from vcsafe.providers.pacing import Pacer

PROVIDER = "Zoom"
API_BASE = "https://api.zoom.us/v2"
OAUTH_URL = "https://zoom.us/oauth/token"
#: Zoom's per-second limit for "light" APIs on a Pro account; the pacer learns the real one.
START_RATE_PER_S = 30.0
#: A token is renewed this long before Zoom's stated expiry (one hour).
REFRESH_MARGIN = 300.0
_PATH_KEYS = frozenset({"id", "user_id", "meeting_id", "recording_id"})


@dataclass(frozen=True)
class ZoomCall:
    """One API call as zoomus built it, not yet sent."""

    method: str
    endpoint: str
    params: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] | None = None


class _Unsent:
    """Makes a zoomus component return its calls instead of sending them."""

    def get_request(self, endpoint: str, params: Any = None, headers: Any = None) -> ZoomCall:
        return ZoomCall("GET", endpoint, dict(params or {}))

    def post_request(
        self, endpoint: str, params: Any = None, data: Any = None, **_: Any
    ) -> ZoomCall:
        return ZoomCall("POST", endpoint, dict(params or {}), data)

    def patch_request(
        self, endpoint: str, params: Any = None, data: Any = None, **_: Any
    ) -> ZoomCall:
        return ZoomCall("PATCH", endpoint, dict(params or {}), data)

    def put_request(
        self, endpoint: str, params: Any = None, data: Any = None, **_: Any
    ) -> ZoomCall:
        return ZoomCall("PUT", endpoint, dict(params or {}), data)

    def delete_request(self, endpoint: str, params: Any = None, **_: Any) -> ZoomCall:
        return ZoomCall("DELETE", endpoint, dict(params or {}))


class Meetings(_Unsent, MeetingComponentV2):
    """zoomus's meetings and registrants calls."""


class Recordings(_Unsent, RecordingComponentV2):
    """zoomus's cloud recording calls."""


class Users(_Unsent, UserComponentV2):
    """zoomus's user calls."""


class ZoomClient:
    """Tokens and transport for one Zoom account."""

    def __init__(
        self,
        credentials: ProviderCredentials,
        policy: RetryPolicy,
        timeout: tuple[float, float],
    ) -> None:
        self._credentials = credentials
        self._policy = policy
        self._timeout = timeout
        self._api = (credentials.api_base_url or API_BASE).rstrip("/")
        self._oauth = credentials.auth_base_url or OAUTH_URL
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "vcsafe"
        self._pacer = Pacer(START_RATE_PER_S)
        self._token_lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0
        components = {"base_uri": self._api, "config": {"version": 2}}
        self.meetings = Meetings(**components)
        self.recordings = Recordings(**components)
        self.users = Users(**components)

    def send(self, call: ZoomCall, *, what: str) -> requests.Response:
        """Send a call with a valid token; retried, paced, refreshed on 401. The response may
        be an error status for the caller to interpret (404 often means "already gone")."""
        params = {k: v for k, v in call.params.items() if k not in _PATH_KEYS}
        body = (
            {k: v for k, v in call.body.items() if k not in _PATH_KEYS}
            if isinstance(call.body, dict)
            else call.body
        )
        url = self._api + call.endpoint

        def attempt() -> requests.Response:
            return self._session.request(
                call.method,
                url,
                params=params or None,
                json=body,
                headers={"Authorization": f"Bearer {self.token()}"},
                timeout=self._timeout,
            )

        return send_with_retries(
            attempt,
            what=what,
            provider=PROVIDER,
            policy=self._policy,
            on_unauthorized=self.drop_token,
            pacer=self._pacer,
            # Reads and updates can be repeated; a create or delete is checked first instead.
            retry_unanswered=call.method in ("GET", "PATCH", "PUT"),
        )

    def token(self) -> str:
        """A valid access token, fetched again shortly before it expires."""
        with self._token_lock:
            if self._token is None or time.monotonic() >= self._token_expires:
                self._token, lifetime = self._fetch_token()
                self._token_expires = time.monotonic() + max(60.0, lifetime - REFRESH_MARGIN)
            return self._token

    def drop_token(self) -> None:
        """Forget the token (Zoom said 401): the next call fetches a new one."""
        with self._token_lock:
            self._token = None

    def _fetch_token(self) -> tuple[str, float]:
        credentials = self._credentials

        def attempt() -> requests.Response:
            return self._session.post(
                self._oauth,
                params={"grant_type": "account_credentials", "account_id": credentials.tenant},
                auth=(credentials.client_id, credentials.client_secret),
                timeout=self._timeout,
            )

        what = "sign in with the account's credentials"
        response = send_with_retries(attempt, what=what, provider=PROVIDER, policy=self._policy)
        if response.status_code >= 400:
            error = error_for(response, what=what, provider=PROVIDER)
            if isinstance(error, ProviderUnavailable):
                raise error
            raise ProviderAuthError(
                f"Zoom refused the account's credentials ({_reason(response)}). Check the "
                "account id, client id and client secret of the Server-to-Server OAuth app.",
                status=response.status_code,
            )
        try:
            data = response.json()
            return str(data["access_token"]), float(data.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise ProviderUnavailable("Zoom answered the sign-in without a token.") from None


def _reason(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"status {response.status_code}"
    if isinstance(body, dict):
        return str(body.get("reason") or body.get("error") or body.get("message") or "")[:200]
    return f"status {response.status_code}"
