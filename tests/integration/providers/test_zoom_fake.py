"""The Zoom fake itself answers as Zoom does: its sign-in, its error shapes and limits, its
faults, and its check of every request against Zoom's description. Plain requests here, so
what is tested is the fake, not the adapter."""

from __future__ import annotations

import pytest
import requests

from tests.fakes.server import SPECS_MISSING_REASON, specs_available
from tests.fakes.zoom import ZoomFake
from vcsafe.providers.base import ProviderCredentials

RATE_LIMITED = "You have reached the maximum per-second rate limit for this API. Try again later."


def _token(creds: ProviderCredentials, secret: str | None = None) -> requests.Response:
    return requests.post(
        creds.auth_base_url,
        params={"grant_type": "account_credentials", "account_id": creds.tenant},
        auth=(creds.client_id, secret or creds.client_secret),
        timeout=5,
    )


def _session(creds: ProviderCredentials) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {_token(creds).json()['access_token']}"
    return session


def test_sign_in_gives_an_hour_long_token_and_refuses_a_wrong_secret(
    zoom_credentials: ProviderCredentials,
) -> None:
    good = _token(zoom_credentials)
    assert good.status_code == 200
    assert good.json()["token_type"] == "bearer" and 3500 < good.json()["expires_in"] <= 3600

    wrong = _token(zoom_credentials, secret="not-the-secret")
    assert wrong.status_code == 400
    assert wrong.json() == {
        "reason": "Invalid client_id or client_secret",
        "error": "invalid_client",
    }


def test_calls_without_a_valid_token_are_refused_as_zoom_does(
    zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    api = zoom_credentials.api_base_url
    assert requests.get(f"{api}/users/me", timeout=5).json()["code"] == 124
    session = _session(zoom_credentials)
    assert session.get(f"{api}/users/me", timeout=5).status_code == 200

    zoom_fake.expire_tokens()
    expired = session.get(f"{api}/users/me", timeout=5)
    assert expired.status_code == 401 and expired.json()["code"] == 124


def test_a_missing_meeting_is_answered_with_zooms_error(
    zoom_credentials: ProviderCredentials,
) -> None:
    answer = _session(zoom_credentials).get(
        f"{zoom_credentials.api_base_url}/meetings/85746065432", timeout=5
    )
    assert answer.status_code == 404
    assert answer.json() == {"code": 3001, "message": "Meeting does not exist: 85746065432."}


def test_a_dropped_connection_reaches_the_client_as_a_connection_error(
    zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    session = _session(zoom_credentials)
    zoom_fake.inject("drop", path_contains="/v2/")
    with pytest.raises(requests.ConnectionError):
        session.get(f"{zoom_credentials.api_base_url}/users/me", timeout=5)
    assert session.get(f"{zoom_credentials.api_base_url}/users/me", timeout=5).status_code == 200


def test_the_rate_limit_answers_429_with_zooms_message_and_a_retry_after(
    zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    session = _session(zoom_credentials)
    zoom_fake.rate_limit(3, path_contains="/users/")
    answers = [
        session.get(f"{zoom_credentials.api_base_url}/users/me", timeout=5) for _ in range(5)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[3].json() == {"code": 429, "message": RATE_LIMITED}
    assert float(answers[3].headers["Retry-After"]) >= 1
    zoom_fake.rate_limit(None)
    assert session.get(f"{zoom_credentials.api_base_url}/users/me", timeout=5).ok


@pytest.mark.skipif(not specs_available(), reason=SPECS_MISSING_REASON)
def test_a_request_that_breaks_zooms_description_is_refused_and_recorded(
    zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    session = _session(zoom_credentials)
    answer = session.post(
        f"{zoom_credentials.api_base_url}/users/me/meetings",
        json={"topic": "Talk", "type": 2, "settings": {"auto_recording": "sometimes"}},
        timeout=5,
    )

    assert answer.status_code == 400 and answer.json()["code"] == 300
    [violation] = zoom_fake.take_violations()  # taken: the fixture fails a test that has any
    assert "POST /v2/users/me/meetings" in violation and "auto_recording" in violation
    assert zoom_fake.meeting_ids() == []
