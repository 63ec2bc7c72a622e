"""A console session cannot outlive what ended it: sign-out, a new password, lost access,
twelve idle hours, or use from another browser."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD
from vcsafe.models import Role, User

COOKIE = "vcsafe_session"


def _copy(app: Flask, client: FlaskClient, **environ: str) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief.set_cookie(COOKIE, cookie.value)
    thief.environ_base.update(environ)
    return thief


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/console/").status_code == 200


def test_sign_out_ends_every_copy_of_the_session(
    app: Flask, client: FlaskClient, organiser: User
) -> None:
    sign_in(client, organiser)
    thief = _copy(app, client)
    assert _signed_in(thief)  # same address and browser: indistinguishable, until sign-out
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/console/")})
    assert not _signed_in(client)
    assert not _signed_in(thief)


def test_a_new_password_signs_out_other_sessions_but_not_this_one(
    app: Flask, client: FlaskClient, organiser: User
) -> None:
    sign_in(client, organiser)
    other = app.test_client()
    sign_in(other, organiser)
    url = "/console/account/password"
    new = "a completely new password"
    response = client.post(
        url,
        data={
            "current": PASSWORD,
            "new": new,
            "confirm": new,
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other)


def test_losing_access_applies_at_once(
    app: Flask, admin_client: FlaskClient, session: Session, organiser: User
) -> None:
    victim = app.test_client()
    sign_in(victim, organiser)
    url = f"/console/users/{organiser.id}"
    response = admin_client.post(
        url, data={"role": Role.ORGANISER.value, "csrf_token": csrf_token(admin_client, url)}
    )  # "active" unticked: deactivated
    assert response.status_code == 302
    assert not _signed_in(victim)


def test_a_cookie_used_from_another_browser_is_refused(
    app: Flask, client: FlaskClient, organiser: User
) -> None:
    sign_in(client, organiser)
    thief = _copy(app, client, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="curl/8.0")
    assert not _signed_in(thief)
    assert _signed_in(client)


def test_a_session_idle_for_twelve_hours_is_over(
    app: Flask, client: FlaskClient, organiser: User
) -> None:
    sign_in(client, organiser)
    with client.session_transaction() as browser_session:
        browser_session["seen"] -= 12 * 3600 - 120  # idle for 11 h 58 min: still fine
    assert _signed_in(client)
    with client.session_transaction() as browser_session:
        browser_session["seen"] -= 12 * 3600 + 1
    assert not _signed_in(client)
