"""Fuzzing the webhook receivers: whatever arrives, signed or not, the answer is clear (200,
or 401 for what fails verification, 400 for a NUL character; never a 500 or a trace), and
nothing is written for a refused delivery."""

from __future__ import annotations

import json
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.fakes.zoom import sign
from tests.planning import connect, plan
from tests.security.fuzz import FUZZ, any_text, assert_handled
from vcsafe.models import Meeting, Organisation, ProviderKind, User, WebhookDelivery
from vcsafe.providers.base import ProviderCredentials

ZOOM_EVENTS = [
    "meeting.ended",
    "meeting.started",
    "meeting.updated",
    "meeting.deleted",
    "recording.completed",
    "recording.deleted",
    "recording.trashed",
    "endpoint.url_validation",
    "meeting.participant_joined",
]
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)


def _deliveries(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(WebhookDelivery.id))) or 0


@pytest.fixture
def zoom_setup(
    app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    zoom_credentials: ProviderCredentials,
) -> tuple[Meeting, str]:
    account = connect(app, session, organisation, zoom_credentials, ProviderKind.ZOOM, "Zoom")
    meeting = plan(app, session, organisation, account, admin)
    return meeting, zoom_credentials.webhook_secret


def test_zoom_receiver(
    client: FlaskClient, session: Session, zoom_setup: tuple[Meeting, str]
) -> None:
    meeting, secret = zoom_setup
    url = f"/webhooks/zoom/{meeting.provider_account_id}"
    real_id = meeting.provider_meeting_id

    @FUZZ
    @given(
        event=st.sampled_from(ZOOM_EVENTS) | any_text,
        obj=st.fixed_dictionaries(
            {},
            optional={
                "id": st.sampled_from([real_id, "1", 0, None, "x" * 300]) | json_value,
                "uuid": any_text | json_value,
                "end_time": st.sampled_from(["2031-01-01T10:00:00Z", "yesterday", ""]),
                "recording_files": json_value,
            },
        ),
        extra=json_value,
        signing=st.sampled_from(["good", "good", "good", "wrong", "none", "stale"]),
        raw=st.booleans(),
    )
    def case(event: str, obj: dict[str, object], extra: object, signing: str, raw: bool) -> None:
        body_data: object = {"event": event, "event_ts": 1, "payload": {"object": obj}}
        if raw:
            body_data = extra
        body = json.dumps(body_data).encode()
        now = int(time.time()) - (600 if signing == "stale" else 0)
        headers = {"x-zm-request-timestamp": str(now), "Content-Type": "application/json"}
        if signing != "none":
            headers["x-zm-signature"] = sign(secret if signing != "wrong" else "x", str(now), body)
        before = _deliveries(session)
        response = client.post(url, data=body, headers=headers)
        assert_handled(response, "POST /webhooks/zoom")
        assert response.status_code in (200, 401), response.status_code
        if response.status_code == 401:
            assert _deliveries(session) == before, "a refused delivery left a row"

    case()


def test_teams_receiver(
    app: Flask,
    client: FlaskClient,
    session: Session,
    organisation: Organisation,
    admin: User,
    graph_fake: object,
    teams_credentials: ProviderCredentials,
) -> None:
    account = connect(app, session, organisation, teams_credentials, ProviderKind.TEAMS)
    meeting = plan(app, session, organisation, account, admin)
    url = f"/webhooks/teams/{account.id}"
    state = teams_credentials.webhook_secret
    resources = [
        f"communications/onlineMeetings/{meeting.provider_meeting_id}/recordings",
        "communications/onlineMeetings(joinWebUrl='x')/meetingCallEvents",
    ]

    @FUZZ
    @given(
        token=st.none() | any_text,
        items=st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "clientState": st.sampled_from([state, state, "guess", None]),
                    "resource": st.sampled_from(resources) | any_text,
                    "changeType": st.sampled_from(["created", "updated"]) | any_text,
                    "subscriptionId": any_text,
                    "resourceData": json_value,
                    "lifecycleEvent": st.sampled_from(["reauthorizationRequired", "missed"]),
                },
            ),
            max_size=3,
        ),
        raw=st.none() | json_value,
    )
    def case(token: str | None, items: list[dict[str, object]], raw: object) -> None:
        query = {"validationToken": token} if token is not None else {}
        body = json.dumps({"value": items} if raw is None else raw).encode()
        before = _deliveries(session)
        response = client.post(url, query_string=query, data=body, content_type="application/json")
        assert_handled(response, "POST /webhooks/teams")
        assert response.status_code in (200, 400, 401, 503), response.status_code
        if token and "\x00" not in token:  # Graph's handshake: echoed as text/plain
            assert response.status_code == 200 and response.mimetype == "text/plain"
            assert response.get_data(as_text=True) == token
        if response.status_code != 200:
            assert _deliveries(session) == before, "a refused delivery left a row"

    case()
