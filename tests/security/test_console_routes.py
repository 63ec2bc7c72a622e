"""Every console route, walked three ways: signed out, without a CSRF token, as another
organisation. A new route is covered as soon as it is registered."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.security.routes import console_rules, fill, methods, objects_for
from vcsafe.models import Organisation, Role, User


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/sign-in")  # a real browser's token, so CSRF is not the reason
    checked = 0
    for rule in console_rules(app):
        url = fill(rule, dict.fromkeys(rule.arguments, 1))
        for method in methods(rule):
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == 302, f"{method} {url}: {response.status_code}"
            assert response.headers["Location"].startswith("/sign-in"), f"{method} {url}"
            checked += 1
    assert checked >= 40


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ORGANISER])
def test_every_post_without_a_csrf_token_is_refused(
    app: Flask, client: FlaskClient, session: Session, organisation: Organisation, role: Role
) -> None:
    me = factories.user(session, organisation, role=role)
    session.commit()
    sign_in(client, me)
    checked = 0
    for rule in console_rules(app):
        if "POST" not in rule.methods:
            continue
        url = fill(rule, objects_for(app, session, organisation, rule))
        session.commit()
        response = client.post(url, data={"title": "x", "reason": "x", "fix": "recording_off"})
        assert response.status_code == 400, f"POST {url}: {response.status_code}"
        assert "did not come from vcsafe" in response.get_data(as_text=True)
        checked += 1
    # Still signed in and nothing changed hands: the refusals were CSRF, not a sign-out.
    assert client.get("/console/").status_code == 200
    assert checked >= 15


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ORGANISER])
def test_other_organisations_objects_answer_404(
    app: Flask, client: FlaskClient, session: Session, role: Role
) -> None:
    mine = factories.organisation(session, name="Mine")
    me = factories.user(session, mine, role=role)
    theirs = factories.organisation(session, name="Theirs")
    session.commit()
    sign_in(client, me)

    checked = 0
    for rule in console_rules(app):
        if not rule.arguments:
            continue
        url = fill(rule, objects_for(app, session, theirs, rule))
        session.commit()
        # Admin-only routes answer 403 to organisers before looking anything up.
        allowed = {404} if role is Role.ADMIN else {403, 404}
        if "GET" in rule.methods:
            response = client.get(url)
            assert response.status_code in allowed, f"GET {url} answered {response.status_code}"
        if "POST" in rule.methods:
            response = client.post(url, data={"csrf_token": csrf_token(client, "/console/")})
            assert response.status_code in allowed, f"POST {url} answered {response.status_code}"
        checked += 1
    assert checked >= 15


def test_organisers_cannot_reach_admin_pages(
    app: Flask, organiser_client: FlaskClient, organiser: User
) -> None:
    for url in ("/console/users", "/console/accounts", "/console/audit", "/console/receipts"):
        assert organiser_client.get(url).status_code == 403, url
