"""Security headers on every response: pages, downloads, errors, static files, webhooks."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.conftest import app_overrides, sign_in
from tests.public import manage_link, register
from tests.security.routes import console_rules, fill, objects_for
from vcsafe.app import create_app
from vcsafe.models import Meeting, Organisation, Registrant, User


def assert_secure_headers(response: TestResponse, what: str, *, https: bool = False) -> None:
    h = response.headers
    csp = h.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in csp.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert directives.get("script-src") == "'self'", f"{what}: script-src in {csp!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{what}: {csp!r}"
    assert directives.get("frame-ancestors") == "'none'", f"{what}: {csp!r}"
    assert h.get("X-Content-Type-Options") == "nosniff", what
    assert h.get("Referrer-Policy") in ("same-origin", "no-referrer"), what
    if https:
        assert h.get("Strict-Transport-Security", "").startswith("max-age="), what
    else:
        assert "Strict-Transport-Security" not in h, what


def test_every_console_page_sends_the_headers(
    app: Flask, client: FlaskClient, session: Session, organisation: Organisation, admin: User
) -> None:
    sign_in(client, admin)
    checked = 0
    for rule in console_rules(app):
        if "GET" not in rule.methods:
            continue
        url = fill(rule, objects_for(app, session, organisation, rule))
        session.commit()
        response = client.get(url)
        assert response.status_code == 200, f"GET {url}: {response.status_code}"
        assert_secure_headers(response, url)
        if response.mimetype == "text/html":
            assert response.headers["Cache-Control"] == "no-store", url
        checked += 1
    assert checked >= 20


def test_public_pages_errors_and_assets_send_the_headers(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    register(client, public_meeting)
    registrant = session.query(Registrant).one()
    link = manage_link(session, registrant.id)
    responses = {
        "registration page": client.get(f"/m/{public_meeting.public_slug}"),
        "confirmation": client.get(f"/m/{public_meeting.public_slug}/registered"),
        "manage link": client.get(link),
        "manage page": client.get("/manage"),
        "manage download": client.get("/manage/data.json"),
        "sign-in": client.get("/sign-in"),
        "health": client.get("/healthz"),
        "static": client.get("/static/vcsafe.css"),
        "404": client.get("/no/such/page"),
        "json 404": client.get("/nowhere", headers={"Accept": "application/json"}),
        "405": client.get("/sign-out"),
        "400 csrf": client.post("/sign-in", data={"email": "a@b.c"}),
        "webhook 404": client.post("/webhooks/zoom/999999", data=b"{}"),
    }
    for what, response in responses.items():
        assert_secure_headers(response, what)
    # Private links never leak through the Referer header.
    for what in ("manage link", "manage page", "manage download", "registration page"):
        assert responses[what].headers["Referrer-Policy"] == "no-referrer", what


def test_hsts_when_served_over_https(database_url: str, tmp_path: Path) -> None:
    app = create_app(app_overrides(database_url, tmp_path / "i", https=True))
    client = app.test_client()
    for url in ("/sign-in", "/healthz", "/no/such/page", "/static/vcsafe.css"):
        assert_secure_headers(client.get(url, base_url="https://localhost"), url, https=True)
