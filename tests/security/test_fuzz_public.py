"""Fuzzing the public pages: registration, the manage page, the contact withdrawal link.
Whatever arrives, the answer is clear, never a 500, and nothing is half-written."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import app_overrides, csrf_token
from tests.public import manage_link, register
from tests.security.fuzz import FUZZ, any_text, assert_handled, form_of
from vcsafe.app import create_app
from vcsafe.models import ConsentRecord, Meeting, Registrant

REGISTRATION_FIELDS = [
    "name",
    "email",
    "age_band",
    "guardian_name",
    "guardian_email",
    "guardian_consent",
    "accept_code",
    "recording",
    "recording_required",
    "future_contact",
    "website",
]


@pytest.fixture
def unthrottled(database_url: str, tmp_path: Path) -> Flask:
    """The app with registration limits high enough for thousands of cases to reach the form."""
    app = create_app(
        app_overrides(
            database_url,
            tmp_path / "fuzz",
            registration_limit_per_address="100000 per minute",
            registration_limit_per_meeting="100000 per minute",
        )
    )
    return app


def _counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    registrants = session.scalar(select(func.count(Registrant.id))) or 0
    consents = session.scalar(select(func.count(ConsentRecord.id))) or 0
    return registrants, consents


def test_registration_form(unthrottled: Flask, session: Session, public_meeting: Meeting) -> None:
    client = unthrottled.test_client()
    url = f"/m/{public_meeting.public_slug}"
    token = csrf_token(client, url)
    stored = 0

    @FUZZ
    @given(
        n=st.integers(min_value=0, max_value=10**9),
        changes=form_of(REGISTRATION_FIELDS),
        dropped=st.sets(st.sampled_from(REGISTRATION_FIELDS), max_size=3),
    )
    def case(n: int, changes: dict[str, str], dropped: set[str]) -> None:
        nonlocal stored
        # A good registration with hostile changes, so cases reach every rule, not just the first.
        good = {"name": f"Person {n}", "email": f"p{n}@example.org", "accept_code": "y"}
        good["recording"] = "yes"
        form = {k: v for k, v in (good | changes).items() if k not in dropped}
        before = _counts(session)
        response = client.post(url, data=form | {"csrf_token": token})
        assert_handled(response, f"POST {url}")
        registrants, consents = _counts(session)
        if registrants == before[0]:
            assert consents == before[1], "consents written without their registrant"
        else:
            # A whole registration: the person, and at least the privacy notice and the code.
            assert response.status_code == 302
            assert registrants == before[0] + 1
            assert consents >= before[1] + 2
            stored += 1

    case()
    # Many cases must have been good enough to register, or the fuzzing proved little.
    assert stored >= 1


def test_manage_links_and_actions(
    unthrottled: Flask, session: Session, public_meeting: Meeting
) -> None:
    client = unthrottled.test_client()
    register(client, public_meeting)
    link = manage_link(session, session.scalars(select(Registrant.id)).one())
    addresses = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in itertools.count())

    @FUZZ
    @given(
        token=any_text,
        action=st.sampled_from(["withdraw-recording", "accept-code", "cancel", "data.json", ""]),
        form=form_of(["csrf_token", "confirm", "reason"]),
    )
    def case(token: str, action: str, form: dict[str, str]) -> None:
        # Each case from its own address: the per-address limit on link guesses stays out of it.
        stranger = unthrottled.test_client()
        stranger.environ_base["REMOTE_ADDR"] = next(addresses)
        answer = stranger.get(f"/manage/{token}")
        assert_handled(answer, "GET /manage/<token>")
        assert answer.status_code in (400, 404, 308, 301), answer.status_code
        # A stranger without the link's cookie sees nothing and changes nothing.
        method = stranger.get if action in ("data.json", "") else stranger.post
        answer = method(f"/manage/{action}".rstrip("/"), data=form)
        assert_handled(answer, f"/manage/{action}")
        assert answer.status_code in (400, 404, 405, 413), answer.status_code

    case()
    # The real link still works afterwards.
    assert client.get(link).status_code == 302
    assert client.get("/manage").status_code == 200


def test_contact_withdrawal_links(unthrottled: Flask) -> None:
    addresses = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in itertools.count())

    @FUZZ
    @given(token=any_text)
    def case(token: str) -> None:
        client = unthrottled.test_client()
        client.environ_base["REMOTE_ADDR"] = next(addresses)
        for method in (client.get, client.post):
            answer = method(f"/contacts/withdraw/{token}")
            assert_handled(answer, "/contacts/withdraw/<token>")
            assert answer.status_code in (400, 404, 308, 301)

    case()


def test_nul_characters_are_refused_before_the_database(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    # PostgreSQL cannot store NUL: without the guard this was a 500 there.
    response = register(client, public_meeting, name="Ada\x00Lovelace")
    assert response.status_code == 400
    assert client.get(f"/m/{public_meeting.public_slug}%00").status_code in (400, 404)
    assert client.get("/m/\x00").status_code in (400, 404)
    assert _counts(session) == (0, 0)
