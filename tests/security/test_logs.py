"""No token, password, secret or registrant email reaches the logs, at any level: a whole
life cycle runs with vcsafe logging at DEBUG, and every record is searched."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import app_overrides, csrf_token, sign_in
from tests.factories import PASSWORD
from tests.fakes.graph import GraphFake
from tests.fakes.zoom import ZoomFake
from tests.planning import connect, plan
from tests.public import manage_link, register
from vcsafe.app import create_app
from vcsafe.jobs.worker import run_cleanup, run_outbox, run_push
from vcsafe.models import Organisation, ProviderKind, Registrant, RegistrantStatus, User, utcnow
from vcsafe.providers.base import ProviderCredentials
from vcsafe.services import lifecycle


def test_a_whole_life_cycle_logs_no_personal_data_or_secrets(
    database_url: str,
    tmp_path: Path,
    session: Session,
    organisation: Organisation,
    admin: User,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    graph_fake: GraphFake,
    teams_credentials: ProviderCredentials,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Logging is process-wide: this app, made last, sets vcsafe to DEBUG for the whole test.
    app = create_app(app_overrides(database_url, tmp_path / "debug", log_level="DEBUG"))
    assert logging.getLogger("vcsafe").getEffectiveLevel() == logging.DEBUG
    caplog.set_level(logging.DEBUG)
    console = app.test_client()
    # A wrong password, then the right one.
    console.post(
        "/sign-in",
        data={
            "email": admin.email,
            "password": "wrong horse",
            "csrf_token": csrf_token(console, "/sign-in"),
        },
    )
    sign_in(console, admin)
    zoom = connect(app, session, organisation, zoom_credentials, ProviderKind.ZOOM, "Zoom")
    teams = connect(app, session, organisation, teams_credentials, ProviderKind.TEAMS, "Teams")
    session.commit()
    for account in (zoom, teams):
        url = f"/console/accounts/{account.id}"
        console.post(f"{url}/test", data={"csrf_token": csrf_token(console, url)})
    meeting = plan(app, session, organisation, zoom, admin, title="Harbour history talk")
    plan(app, session, organisation, teams, admin, title="Parish council")

    visitor = app.test_client()
    assert (
        register(
            visitor, meeting, name="Imogen Secretname", email="imogen.s@example.org"
        ).status_code
        == 302
    )
    person = session.scalars(select(Registrant)).one()
    link = manage_link(session, person.id)
    visitor.get(link)
    visitor.post("/manage/withdraw-recording", data={"csrf_token": csrf_token(visitor, "/manage")})
    # Someone the organiser removes, then who tries to register again.
    other = app.test_client()
    register(other, meeting, name="Zed Removedname", email="zed.r@example.org")
    run_push(app)  # pushes to Zoom (the email goes to Zoom), sends the emails
    zed = session.scalars(select(Registrant).where(Registrant.email == "zed.r@example.org")).one()
    removal = f"/console/meetings/{meeting.id}/registrants/{zed.id}/remove"
    console.post(removal, data={"csrf_token": csrf_token(console, removal)})
    register(other, meeting, name="Zed Removedname", email="zed.r@example.org")
    session.expire_all()
    assert zed.status is RegistrantStatus.REMOVED
    console.get(f"/console/meetings/{meeting.id}")  # live checklist, registrant list
    console.get(f"/console/meetings/{meeting.id}/consents.csv")

    headers, body = zoom_fake.webhook(
        "meeting.ended", meeting.provider_meeting_id or "", secret=zoom_credentials.webhook_secret
    )
    visitor.post(f"/webhooks/zoom/{zoom.id}", data=body, headers=headers)
    visitor.post(f"/webhooks/zoom/{zoom.id}", data=body, headers=headers)  # a replay
    session.expire_all()
    lifecycle.meeting_ended(session, meeting, ended_at=utcnow() - timedelta(days=30), source="t")
    session.commit()
    run_cleanup(app)
    run_outbox(app)

    secrets = {
        "the admin's password": PASSWORD,
        "the wrong password": "wrong horse",
        "the registrant's email": "imogen.s@example.org",
        "the registrant's name": "Secretname",
        "the removed registrant's email": "zed.r@example.org",
        "the removed registrant's name": "Removedname",
        "the manage link's token": link.rsplit("/", 1)[1],
        "the Zoom client secret": zoom_credentials.client_secret,
        "the Zoom webhook secret": zoom_credentials.webhook_secret,
        "the Teams client secret": teams_credentials.client_secret,
        "the Teams clientState": teams_credentials.webhook_secret,
        "the host's start link": "zak=",
    }
    secrets |= {f"a Zoom access token {n}": t for n, t in enumerate(zoom_fake._tokens)}
    secrets |= {f"a Graph access token {n}": t for n, t in enumerate(graph_fake._tokens)}
    assert len(secrets) > 11, "the flows above must have fetched tokens"
    records = [r for r in caplog.records if not r.name.startswith("tests.")]
    assert len(records) >= 15, "vcsafe logged what it did"
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records).lower()
    leaked = [what for what, value in secrets.items() if value.lower() in text]
    assert leaked == []
