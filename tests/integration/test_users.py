"""Admins manage users and roles; everyone can change their own password."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD
from vcsafe.models import AuditEvent, Role, User


def test_admin_adds_an_organiser_who_can_sign_in(
    admin_client: FlaskClient, session: Session, app: object
) -> None:
    response = admin_client.post(
        "/console/users",
        data={
            "name": "Grace Hopper",
            "email": "grace@harbour.example",
            "role": "organiser",
            "password": "a first password 1",
            "csrf_token": csrf_token(admin_client, "/console/users"),
        },
    )
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "grace@harbour.example"))
    assert user is not None and user.role is Role.ORGANISER
    assert user.password_hash.startswith("scrypt:")
    assert "a first password 1" not in user.password_hash
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.added")).all()
    assert any(e.subject_id == user.id for e in events)

    admin_client.post("/sign-out", data={"csrf_token": csrf_token(admin_client, "/console/")})
    sign_in(admin_client, user, "a first password 1")
    assert admin_client.get("/console/").status_code == 200


def test_add_user_form_errors_keep_the_input(admin_client: FlaskClient) -> None:
    response = admin_client.post(
        "/console/users",
        data={
            "name": "Short Password",
            "email": "not-an-email",
            "role": "organiser",
            "password": "short",
            "csrf_token": csrf_token(admin_client, "/console/users"),
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please correct the following" in page
    assert "Enter an email address like name@example.org." in page
    assert "Use at least 12 characters" in page
    assert 'value="Short Password"' in page


def test_duplicate_email_is_refused_with_a_message(
    admin_client: FlaskClient, organiser: User
) -> None:
    response = admin_client.post(
        "/console/users",
        data={
            "name": "Again",
            "email": organiser.email.upper(),
            "role": "organiser",
            "password": "another long password",
            "csrf_token": csrf_token(admin_client, "/console/users"),
        },
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_organisers_cannot_manage_users(organiser_client: FlaskClient) -> None:
    assert organiser_client.get("/console/users").status_code == 403


def test_admin_changes_a_role_and_deactivates(
    admin_client: FlaskClient, organiser: User, session: Session
) -> None:
    url = f"/console/users/{organiser.id}"
    response = admin_client.post(
        url, data={"role": "admin", "csrf_token": csrf_token(admin_client, url)}
    )
    assert response.status_code == 302
    session.refresh(organiser)
    assert organiser.role is Role.ADMIN
    assert organiser.active is False


def test_admin_cannot_lock_themselves_out(
    admin_client: FlaskClient, admin: User, session: Session
) -> None:
    url = f"/console/users/{admin.id}"
    response = admin_client.post(
        url, data={"role": "organiser", "active": "y", "csrf_token": csrf_token(admin_client, url)}
    )
    assert response.status_code == 400
    assert "cannot remove your own admin rights" in response.get_data(as_text=True)
    session.refresh(admin)
    assert admin.role is Role.ADMIN


def test_change_own_password(organiser_client: FlaskClient, organiser: User) -> None:
    url = "/console/account/password"
    bad = organiser_client.post(
        url,
        data={
            "current": "wrong",
            "new": "a brand new password",
            "confirm": "a brand new password",
            "csrf_token": csrf_token(organiser_client, url),
        },
    )
    assert "The current password is not right." in bad.get_data(as_text=True)
    good = organiser_client.post(
        url,
        data={
            "current": PASSWORD,
            "new": "a brand new password",
            "confirm": "a brand new password",
            "csrf_token": csrf_token(organiser_client, url),
        },
    )
    assert good.status_code == 302
    organiser_client.post(
        "/sign-out", data={"csrf_token": csrf_token(organiser_client, "/console/")}
    )
    sign_in(organiser_client, organiser, "a brand new password")
