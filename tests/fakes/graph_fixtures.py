"""Pytest fixtures for the Microsoft identity + Graph fake (registered in tests/conftest.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.fakes.graph import GraphFake
from vcsafe.providers.base import (
    InboundWebhook,
    ProviderCredentials,
    WebhookChallenge,
    WebhookEvent,
    WebhookRejected,
)
from vcsafe.providers.http import RetryPolicy
from vcsafe.providers.teams import TeamsProvider

#: Retries that keep fault tests fast: three tries, waits of a few milliseconds.
FAST_RETRIES = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, total_seconds=5.0)


@pytest.fixture
def graph_fake() -> Iterator[GraphFake]:
    """A running Graph fake; the test fails if it sent a request Graph would refuse as
    malformed (a spec violation), even when the test itself passed."""
    fake = GraphFake().start()
    try:
        yield fake
    finally:
        fake.stop()
    if fake.violations:
        pytest.fail(
            "requests broke Microsoft Graph's description:\n" + "\n".join(fake.violations),
            pytrace=False,
        )


@pytest.fixture
def teams_credentials(graph_fake: GraphFake) -> ProviderCredentials:
    """A connected Teams account on the fake: tenant, app registration, organiser."""
    return graph_fake.provision_account()


@pytest.fixture
def teams_provider(teams_credentials: ProviderCredentials) -> TeamsProvider:
    """The real Teams adapter pointed at the fake, with fast retries."""
    return TeamsProvider(teams_credentials, policy=FAST_RETRIES)


@dataclass
class NotificationReceiver:
    """A live HTTP endpoint standing in for vcsafe's webhook URL.

    With no `handler` it echoes validation tokens (unless `echo` is False) and accepts
    everything else; with one, it answers as vcsafe does: the handler's challenge, 202 for
    events, 401 for a WebhookRejected.
    """

    url: str = ""
    echo: bool = True
    handler: Callable[[InboundWebhook], WebhookChallenge | list[WebhookEvent]] | None = None
    deliveries: list[InboundWebhook] = field(default_factory=list)
    events: list[WebhookEvent] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def answer(self, request: Request) -> Response:
        """Handle one POST the way the configured receiver should."""
        inbound = InboundWebhook(
            headers={k.lower(): v for k, v in request.headers.items()},
            body=request.get_data(),
            query=request.args.to_dict(),
        )
        self.deliveries.append(inbound)
        if self.handler is None:
            token = inbound.query.get("validationToken")
            if token is not None and self.echo:
                return Response(token, content_type="text/plain")
            return Response(status=202)
        try:
            result = self.handler(inbound)
        except WebhookRejected as exc:
            self.rejected.append(str(exc))
            return Response(str(exc), status=401)
        if isinstance(result, WebhookChallenge):
            return Response(result.body, content_type=result.content_type)
        self.events.extend(result)
        return Response(status=202)


@pytest.fixture
def notification_receiver() -> Iterator[NotificationReceiver]:
    """A running NotificationReceiver on 127.0.0.1."""
    receiver = NotificationReceiver()

    @Request.application
    def app(request: Request) -> Response:
        return receiver.answer(request)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="receiver", daemon=True
    )
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_port}/webhooks/teams/1"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
