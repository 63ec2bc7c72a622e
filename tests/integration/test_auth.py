"""Signing in and out: hashed passwords, CSRF, throttling, safe redirects, cookie flags."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.conftest import app_overrides, csrf_token, sign_in
from tests.factories import PASSWORD
from vcsafe.app import create_app
from vcsafe.models import User


def _post_sign_in(client: FlaskClient, email: str, password: str, **kw: object) -> TestResponse:
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_token(client, "/sign-in")},
        **kw,  # type: ignore[arg-type]
    )


def test_console_asks_signed_out_visitors_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/console/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_sign_in_and_out(client: FlaskClient, organiser: User) -> None:
    sign_in(client, organiser)
    page = client.get("/console/")
    assert page.status_code == 200
    assert "Harbour Heritage Trust" in page.get_data(as_text=True)

    token = csrf_token(client, "/console/")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/").status_code == 302


def test_wrong_password_shows_a_clear_message(client: FlaskClient, organiser: User) -> None:
    response = _post_sign_in(client, organiser.email, "not the password")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "The email or password is not right." in page
    assert 'value="organiser@harbour.example"' in page  # what they typed is kept
    assert client.get("/console/").status_code == 302


def test_unknown_email_gets_the_same_message(client: FlaskClient, organiser: User) -> None:
    response = _post_sign_in(client, "nobody@harbour.example", PASSWORD)
    assert response.status_code == 401
    assert "The email or password is not right." in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client: FlaskClient, organiser: User) -> None:
    response = client.post("/sign-in", data={"email": organiser.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "did not come from vcsafe" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_deactivated_user_cannot_sign_in(
    client: FlaskClient, session: Session, organiser: User
) -> None:
    organiser.active = False
    session.commit()
    assert _post_sign_in(client, organiser.email, PASSWORD).status_code == 401


def test_repeated_failures_are_refused_even_with_the_right_password(
    client: FlaskClient, organiser: User
) -> None:
    for _ in range(5):
        assert _post_sign_in(client, organiser.email, "guess").status_code == 401
    response = _post_sign_in(client, organiser.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_one_account_is_protected_across_many_addresses(
    client: FlaskClient, organiser: User
) -> None:
    for n in range(5):
        response = _post_sign_in(
            client, organiser.email, "guess", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
        )
        assert response.status_code == 401
    response = _post_sign_in(
        client, organiser.email, PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.99"}
    )
    assert response.status_code == 429


def test_successful_sign_ins_do_not_count_as_failures(client: FlaskClient, organiser: User) -> None:
    for _ in range(7):
        sign_in(client, organiser)
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/console/")})


def test_next_only_redirects_within_the_site(client: FlaskClient, organiser: User) -> None:
    token = csrf_token(client, "/sign-in")
    data = {"email": organiser.email, "password": PASSWORD, "csrf_token": token}
    response = client.post("/sign-in?next=https://evil.example/phish", data=data)
    assert response.headers["Location"] == "/console/"
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/console/")})
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in?next=/console/account/password", data=data | {"csrf_token": token}
    )
    assert response.headers["Location"] == "/console/account/password"


def test_session_cookie_flags(client: FlaskClient, organiser: User) -> None:
    response = _post_sign_in(client, organiser.email, PASSWORD)
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("vcsafe_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_served_over_https(
    database_url: str, tmp_path: Path, organiser: User
) -> None:
    app: Flask = create_app(app_overrides(database_url, tmp_path / "i", https=True))
    client = app.test_client()
    response = client.post(
        "/sign-in",
        base_url="https://localhost",
        data={
            "email": organiser.email,
            "password": PASSWORD,
            "csrf_token": _https_token(client),
        },
        headers={"Referer": "https://localhost/sign-in"},
    )
    assert response.status_code == 302
    session_cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("vcsafe_session=")
    )
    assert "Secure" in session_cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def _https_token(client: FlaskClient) -> str:
    import re

    page = client.get("/sign-in", base_url="https://localhost").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match
    return match.group(1)
