"""Health check, security headers and error pages."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import app_overrides
from vcsafe.app import create_app


def test_healthz_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": True}


def test_healthz_says_when_the_database_is_unreachable(tmp_path: Path) -> None:
    app = create_app(
        app_overrides("postgresql://nobody@127.0.0.1:9/none?connect_timeout=1", tmp_path)
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": False}


def test_security_headers_on_pages(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    h = response.headers
    assert "script-src 'self'" in h["Content-Security-Policy"]
    assert "unsafe-inline" not in h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert h["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in h


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing here" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_no_internals(app: Flask, client: FlaskClient) -> None:
    def broken() -> str:
        raise RuntimeError("secret internals: password=hunter2")

    app.add_url_rule("/broken-for-test", view_func=broken)
    response = client.get("/broken-for-test")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert "hunter2" not in page and "Traceback" not in page


def test_json_clients_get_json_errors(client: FlaskClient) -> None:
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_static_assets_are_served_locally(client: FlaskClient) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert "/static/vcsafe.css" in page
    assert "http" not in page.split("<body")[0].replace('name="viewport"', "")
    assert client.get("/static/vcsafe.css").status_code == 200
