"""Admins connect, test and disconnect Zoom and Teams accounts; secrets stay encrypted."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import csrf_token
from vcsafe.models import AccountStatus, MeetingState, Organisation, ProviderAccount
from vcsafe.providers.base import ProviderCredentials


def _connect(client: FlaskClient, kind: str, label: str, creds: ProviderCredentials, **kw: str):
    data = {
        "kind": kind,
        "label": label,
        "tenant": creds.tenant,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "host_user": creds.host_user,
        "webhook_secret": creds.webhook_secret,
        "csrf_token": csrf_token(client, "/console/accounts"),
    } | kw
    return client.post("/console/accounts", data=data)


def _point_at_fake(session: Session, label: str, creds: ProviderCredentials) -> ProviderAccount:
    # The console form has no field for a provider's address (real accounts use the real one);
    # tests point the stored account at the local fake, as demo mode does.
    account = session.scalars(select(ProviderAccount).where(ProviderAccount.label == label)).one()
    account.api_base_url = creds.api_base_url
    account.auth_base_url = creds.auth_base_url
    session.commit()
    return account


def test_connect_and_test_a_zoom_account(
    admin_client: FlaskClient, session: Session, zoom_credentials: ProviderCredentials
) -> None:
    response = _connect(admin_client, "zoom", "Events Zoom", zoom_credentials)
    assert response.status_code == 302
    account = _point_at_fake(session, "Events Zoom", zoom_credentials)

    url = f"/console/accounts/{account.id}"
    page = admin_client.post(
        f"{url}/test", data={"csrf_token": csrf_token(admin_client, url)}, follow_redirects=True
    ).get_data(as_text=True)
    assert "The connection works" in page
    session.refresh(account)
    assert account.status is AccountStatus.OK


def test_connect_and_test_a_teams_account(
    admin_client: FlaskClient, session: Session, teams_credentials: ProviderCredentials
) -> None:
    assert _connect(admin_client, "teams", "Parish Teams", teams_credentials).status_code == 302
    account = _point_at_fake(session, "Parish Teams", teams_credentials)
    url = f"/console/accounts/{account.id}"
    page = admin_client.post(
        f"{url}/test", data={"csrf_token": csrf_token(admin_client, url)}, follow_redirects=True
    ).get_data(as_text=True)
    assert "The connection works" in page
    assert "one shared join link per meeting" in page


def test_wrong_secret_shows_what_failed(
    admin_client: FlaskClient, session: Session, zoom_credentials: ProviderCredentials
) -> None:
    _connect(admin_client, "zoom", "Typo Zoom", zoom_credentials, client_secret="not-the-secret")
    account = _point_at_fake(session, "Typo Zoom", zoom_credentials)
    url = f"/console/accounts/{account.id}"
    page = admin_client.post(
        f"{url}/test", data={"csrf_token": csrf_token(admin_client, url)}, follow_redirects=True
    ).get_data(as_text=True)
    assert "The connection failed." in page
    assert "credentials" in page
    session.refresh(account)
    assert account.status is AccountStatus.FAILING


def test_secrets_are_not_readable_in_the_database(
    admin_client: FlaskClient, session: Session, zoom_credentials: ProviderCredentials
) -> None:
    _connect(admin_client, "zoom", "Secret Zoom", zoom_credentials)
    row = session.execute(text("SELECT * FROM provider_account")).one()
    dumped = repr(tuple(row)).encode()
    assert zoom_credentials.client_secret.encode() not in dumped
    assert zoom_credentials.webhook_secret.encode() not in dumped
    page = admin_client.get("/console/accounts").get_data(as_text=True)
    assert zoom_credentials.client_secret not in page


def test_form_errors_keep_input_but_not_the_secret(admin_client: FlaskClient) -> None:
    response = admin_client.post(
        "/console/accounts",
        data={
            "kind": "zoom",
            "label": "Half filled",
            "client_secret": "typed-secret-value",
            "csrf_token": csrf_token(admin_client, "/console/accounts"),
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter the account or tenant ID." in page
    assert "Enter the client ID." in page
    assert 'value="Half filled"' in page
    assert "typed-secret-value" not in page


def test_disconnect_is_refused_while_data_remains_at_the_provider(
    admin_client: FlaskClient, session: Session, organisation: Organisation
) -> None:
    account = factories.provider_account(session, organisation)
    meeting = factories.meeting(session, organisation, provider_account_id=account.id)
    session.commit()
    account_id = account.id
    url = f"/console/accounts/{account_id}"
    page = admin_client.post(
        f"{url}/disconnect",
        data={"csrf_token": csrf_token(admin_client, url)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "still holds 1 meeting and 0 recordings" in page
    assert session.get(ProviderAccount, account.id) is not None

    meeting.state = MeetingState.PURGED
    session.commit()
    response = admin_client.post(
        f"{url}/disconnect", data={"csrf_token": csrf_token(admin_client, url)}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(ProviderAccount, account_id) is None


def test_organisers_cannot_manage_accounts(organiser_client: FlaskClient) -> None:
    assert organiser_client.get("/console/accounts").status_code == 403
