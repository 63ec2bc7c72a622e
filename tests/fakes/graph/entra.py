"""Entra ID for the Graph fake: OpenID configuration, instance discovery and tokens."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from flask import Response, jsonify, request

from tests.fakes.graph.state import Answer, GraphState, _now

PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
TOKEN_SECONDS = 3599

# Entra ID's answers: AADSTS code -> (status, OAuth error, description).
_ENTRA = {
    90002: (
        400,
        "invalid_request",
        "Tenant '{tenant}' not found. Check to make sure you have "
        "the correct tenant ID and are signing into the correct cloud.",
    ),
    70003: (400, "unsupported_grant_type", "The app requested an unsupported grant type."),
    700016: (
        400,
        "unauthorized_client",
        "Application with identifier '{client}' was not found "
        "in the directory '{tenant}'. This can happen if the application has not been "
        "installed by the administrator of the tenant or consented to by any user.",
    ),
    7000215: (
        401,
        "invalid_client",
        "Invalid client secret provided. Ensure the secret being "
        "sent in the request is the client secret value, not the client secret ID, for a "
        "secret added to app '{client}'.",
    ),
    1002012: (
        400,
        "invalid_scope",
        "The provided value for scope {scope} is not valid. Client "
        "credential flows must have a scope value with /.default suffixed to the resource "
        "identifier (application ID URI).",
    ),
}


def _entra_error(code: int, **names: str) -> tuple[Response, int]:
    """Entra ID's OAuth error answer (AADSTS code and sentence first, trace ids after)."""
    status, error, text = _ENTRA[code]
    trace, correlation = uuid.uuid4(), uuid.uuid4()
    stamp = _now().strftime("%Y-%m-%d %H:%M:%SZ")
    description = (
        f"AADSTS{code}: {text.format(**names)}\r\nTrace ID: {trace}\r\n"
        f"Correlation ID: {correlation}\r\nTimestamp: {stamp}"
    )
    body = {"error": error, "error_description": description, "error_codes": [code]}
    body |= {"timestamp": stamp, "trace_id": str(trace), "correlation_id": str(correlation)}
    return jsonify(body | {"error_uri": f"{PUBLIC_AUTHORITY}/error?code={code}"}), status


def _openid_configuration(tenant: str) -> dict[str, Any]:
    base = f"{PUBLIC_AUTHORITY}/{tenant}"
    config: dict[str, Any] = {
        f"{name}_endpoint": f"{base}/oauth2/v2.0/{path}"
        for name, path in [
            ("token", "token"),
            ("authorization", "authorize"),
            ("device_authorization", "devicecode"),
            ("end_session", "logout"),
        ]
    }
    return config | {
        "issuer": f"{base}/v2.0",
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": "graph.microsoft.com",
    }


class EntraMixin(GraphState):
    """The identity routes (openid-configuration, instance discovery, the token endpoint) and
    access tokens as tests see them."""

    def access_token(self, tenant: str) -> str:
        """A valid access token for an account, for tests that send raw requests."""
        token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[token] = (self._accounts[tenant], time.time() + TOKEN_SECONDS)
        return token

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (Graph answers 401)."""
        with self._lock:
            self._tokens = {token: (acct, 0.0) for token, (acct, _) in self._tokens.items()}

    # --- identity --------------------------------------------------------------------------------
    def _openid(self, tenant: str) -> Answer:
        if tenant not in self._accounts:
            return _entra_error(90002, tenant=tenant)
        return jsonify(_openid_configuration(tenant))

    def _instance_discovery(self) -> Answer:
        names = ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com"]
        group = {"preferred_network": names[0], "preferred_cache": names[1], "aliases": names}
        endpoint = f"{PUBLIC_AUTHORITY}/common/v2.0/.well-known/openid-configuration"
        return jsonify(
            {"tenant_discovery_endpoint": endpoint, "api-version": "1.1", "metadata": [group]}
        )

    def _token(self, tenant: str) -> Answer:
        form = request.form
        client, secret = form.get("client_id", ""), form.get("client_secret", "")
        if request.authorization and request.authorization.type == "basic":
            client = request.authorization.username or client
            secret = request.authorization.password or secret
        account = self._accounts.get(tenant)
        if account is None:
            return _entra_error(90002, tenant=tenant)
        if form.get("grant_type") != "client_credentials":
            return _entra_error(70003)
        if client != account.client_id:
            return _entra_error(700016, client=client, tenant=tenant)
        if not secrets.compare_digest(secret.encode(), account.secret.encode()):
            return _entra_error(7000215, client=client)
        if form.get("scope", "").split() != [GRAPH_SCOPE]:
            return _entra_error(1002012, scope=form.get("scope", ""))
        token = self.access_token(tenant)
        lifetime = {"expires_in": TOKEN_SECONDS, "ext_expires_in": TOKEN_SECONDS}
        return jsonify({"token_type": "Bearer", "access_token": token} | lifetime)
