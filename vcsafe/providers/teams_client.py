"""Talking to Microsoft Graph for the Teams adapter: one requests session with timeouts,
app-only tokens from msal, and every call through http.send_with_retries.

msal fetches client-credentials tokens, caches them and renews them before they expire; a
401 from Graph drops the cached token and the call is tried once more with a fresh one.

msal only accepts an https authority. To run against a local fake, vcsafe keeps the
production authority `https://login.microsoftonline.com/<tenant>` and mounts a transport
adapter on the session that sends those requests to the fake's loopback address instead
(../shared/specs/README.md, recipe (a)): no certificates, and msal's own code runs unchanged.
The same is refused for any address that is not loopback: credentials only travel over https.
"""

from __future__ import annotations

import ipaddress
import threading
from typing import Any
from urllib.parse import quote, urlsplit

import msal
import requests
from requests.adapters import HTTPAdapter

from vcsafe.providers.base import (
    ProviderAuthError,
    ProviderCredentials,
    ProviderRejected,
    ProviderUnavailable,
)
from vcsafe.providers.http import RetryPolicy, raise_for_answer, send_with_retries
from vcsafe.providers.pacing import Pacer

AUTHORITY_HOST = "https://login.microsoftonline.com"
GRAPH_URL = "https://graph.microsoft.com/v1.0"
GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]
PROVIDER = "Microsoft Teams"
#: Where pacing starts; Graph's throttling (429 with Retry-After) teaches the real limit.
START_RATE_PER_S = 20.0
# Entra errors that mean "try later" rather than "fix the account".
_TRANSIENT_ERRORS = {"temporarily_unavailable", "server_error"}


def path_segment(value: str) -> str:
    """`value` quoted to stand as one segment of a Graph URL path."""
    return quote(value, safe="")


def is_loopback(url: str) -> bool:
    """True for 127.0.0.1, ::1 or localhost: the local fakes, never a real service."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_base(url: str, *, default: str) -> str:
    """The base URL to use: the real service, another https one, or a loopback fake."""
    url = (url or default).rstrip("/")
    if url.startswith("https://") or (url.startswith("http://") and is_loopback(url)):
        return url
    raise ProviderRejected(
        f"vcsafe only talks to {PROVIDER} over https (plain http only to a local test service)."
    )


class TimeoutSession(requests.Session):
    """A session whose requests time out even when the caller (msal) names no timeout."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self.timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        """Send with the session's timeout unless one is given."""
        kwargs.setdefault("timeout", self.timeout)
        return super().request(*args, **kwargs)


class _Reroute(HTTPAdapter):
    """Sends requests for one https origin to a loopback fake, path and query unchanged."""

    def __init__(self, source: str, target: str) -> None:
        super().__init__()
        self._source, self._target = source, target

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = request.url or ""
        if url.startswith(self._source):
            request.url = self._target + url[len(self._source) :]
        return super().send(request, **kwargs)


class GraphClient:
    """Graph calls for one account: tokens, retries, typed errors; tokens are never logged."""

    def __init__(
        self, credentials: ProviderCredentials, policy: RetryPolicy, timeout: tuple[float, float]
    ) -> None:
        self._credentials = credentials
        self._policy = policy
        self.session = TimeoutSession(timeout)
        self._pacer = Pacer(START_RATE_PER_S)
        # A refused address fails the first call, not the construction: services build
        # adapters outside their error handling.
        self._refusal: str | None = None
        try:
            self.graph = checked_base(credentials.api_base_url, default=GRAPH_URL)
            auth_base = checked_base(credentials.auth_base_url, default=AUTHORITY_HOST)
        except ProviderRejected as exc:
            self._refusal = str(exc)
            self.graph, auth_base = GRAPH_URL, AUTHORITY_HOST
        if auth_base.startswith("http://"):
            # A local fake: no proxy from the environment may see the rerouted requests.
            self.session.trust_env = False
            self.session.mount(AUTHORITY_HOST + "/", _Reroute(AUTHORITY_HOST, auth_base))
            auth_base = AUTHORITY_HOST
        self._authority = f"{auth_base}/{credentials.tenant.strip('/')}"
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()

    def json(
        self,
        method: str,
        path: str,
        *,
        what: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Call Graph and return its JSON object ({} for an empty answer)."""
        response = self.request(method, path, what=what, body=body, params=params)
        assert response is not None
        return _body(response, what)

    def optional_json(self, path: str, *, what: str) -> dict[str, Any] | None:
        """GET an object; None when Graph says it does not exist."""
        response = self.request("GET", path, what=what, missing_ok=True)
        return None if response is None else _body(response, what)

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        missing_ok: bool = False,
    ) -> requests.Response | None:
        """Call Graph with retries; None for a 404 when `missing_ok`, else typed errors."""
        if self._refusal:
            raise ProviderRejected(self._refusal)
        url = path if path.startswith("http") else f"{self.graph}{path}"
        if not url.startswith(f"{self.graph}/"):
            # A paging link elsewhere would receive the bearer token: refuse it.
            raise ProviderRejected(f"{PROVIDER} pointed vcsafe at an unexpected address.")

        def send() -> requests.Response:
            headers = {"Authorization": f"Bearer {self.token()}", "Accept": "application/json"}
            return self.session.request(method, url, json=body, params=params, headers=headers)

        response = send_with_retries(
            send,
            what=what,
            provider=PROVIDER,
            policy=self._policy,
            on_unauthorized=self.drop_token,
            pacer=self._pacer,
            # Reads and updates can be repeated; a create or delete is checked first instead.
            retry_unanswered=method in ("GET", "PATCH", "PUT"),
        )
        if missing_ok and response.status_code == 404:
            return None
        raise_for_answer(response, what=what, provider=PROVIDER)
        return response

    def token(self) -> str:
        """A valid access token for Graph (msal answers from its cache while it lasts).

        Network failures are raised as requests exceptions, so the retry loop treats them
        like any other moment Microsoft cannot be reached.
        """
        with self._lock:
            try:
                result = self._application().acquire_token_for_client(scopes=GRAPH_SCOPES)
            except msal.exceptions.MsalServiceError as exc:  # msal raises on a 5xx answer
                raise ProviderUnavailable(
                    f"Microsoft's sign-in service failed while vcsafe asked for a token ({exc})."
                ) from exc
        token = result.get("access_token") if isinstance(result, dict) else None
        if token:
            return str(token)
        raise _token_error(result if isinstance(result, dict) else {})

    def drop_token(self) -> None:
        """Forget cached access tokens (Graph said 401), so the next call fetches a new one."""
        with self._lock:
            if self._app is None:
                return
            cache = self._app.token_cache
            for entry in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(entry)

    def _application(self) -> msal.ConfidentialClientApplication:
        # Built on first use: msal reads the tenant's OpenID configuration in its constructor.
        if self._app is None:
            try:
                self._app = msal.ConfidentialClientApplication(
                    self._credentials.client_id,
                    client_credential=self._credentials.client_secret,
                    authority=self._authority,
                    http_client=self.session,
                )
            except ValueError as exc:  # msal: the tenant's configuration could not be read
                raise ProviderAuthError(
                    f"{PROVIDER} does not know this account's tenant. Check the connected "
                    "account's tenant (directory) id."
                ) from exc
            except msal.exceptions.MsalServiceError as exc:
                raise ProviderUnavailable(
                    f"Microsoft's sign-in service failed while vcsafe connected ({exc})."
                ) from exc
        return self._app


def _token_error(result: dict[str, Any]) -> Exception:
    code = str(result.get("error") or "")
    # Entra's description starts with the AADSTS code and a sentence; trace ids follow.
    detail = str(result.get("error_description") or code or "no token in the answer")
    detail = detail.splitlines()[0][:300]
    if code in _TRANSIENT_ERRORS or not code:
        return ProviderUnavailable(f"Microsoft's sign-in service could not issue a token: {detail}")
    return ProviderAuthError(
        f"{PROVIDER} refused the account's credentials. Check the connected account's tenant id, "
        f"client id and client secret. Microsoft said: {detail}",
        status=401 if code == "invalid_client" else 400,
    )


def _body(response: requests.Response, what: str) -> dict[str, Any]:
    if response.status_code == 204 or not response.content:
        return {}
    try:
        data = response.json()
    except ValueError as exc:
        raise ProviderRejected(
            f"{PROVIDER} gave an unreadable answer while vcsafe tried to {what}."
        ) from exc
    return data if isinstance(data, dict) else {}
