"""A meeting is cancelled, by an organiser here or by someone in Zoom's own app: the people
still registered are told by email, once, then their data is deleted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.conftest import app_overrides, csrf_token, sign_in
from tests.fakes.zoom import ZoomFake
from tests.mail import Inbox
from tests.public import manage_link, register, register_child
from vcsafe.app import create_app, interactive_providers_of, secrets_of
from vcsafe.db import db
from vcsafe.jobs.worker import run_cleanup, run_push
from vcsafe.models import (
    AuditEvent,
    Meeting,
    MeetingState,
    OutboundEmail,
    Registrant,
    User,
    utcnow,
)
from vcsafe.providers.base import ProviderCredentials
from vcsafe.services import meetings
from vcsafe.services.errors import DomainError


def _with_ada_and_bob(database_url: str, tmp_path: Path, port: int, meeting: Meeting) -> Flask:
    """An app sending its emails to the local SMTP server on `port`, with Ada and Bob
    registered for `meeting`."""
    app = create_app(app_overrides(database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port))
    for name, email in (("Ada Lovelace", "ada@example.org"), ("Bob Baker", "bob@example.org")):
        answer = register(app.test_client(), meeting, name=name, email=email)
        assert answer.status_code == 302
    return app


def _cancellation_notice(inbox: Inbox, address: str) -> str:
    """The one cancellation notice sent to `address`, its body on one line."""
    [notice] = [m for m in inbox.to(address) if m["Subject"].startswith("Cancelled")]
    assert notice["Subject"] == "Cancelled: Harbour history talk"
    body = " ".join(Inbox.body(notice).split())
    assert "is cancelled: it will not take place." in body
    assert (
        "The registration for it made with this email address is cancelled too, and its "
        "joining link no longer works."
    ) in body
    return body


def test_registrants_are_told_before_their_data_is_deleted(
    database_url: str,
    tmp_path: Path,
    session: Session,
    admin: User,
    public_meeting: Meeting,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    app = _with_ada_and_bob(database_url, tmp_path, port, public_meeting)
    visitor = app.test_client()
    assert register(visitor, public_meeting, name="Cy", email="cy@example.org").status_code == 302
    session.expire_all()
    cy = session.scalars(select(Registrant).where(Registrant.email == "cy@example.org")).one()
    visitor.get(manage_link(session, cy.id))
    visitor.post("/manage/cancel", data={"csrf_token": csrf_token(visitor, "/manage")})

    console = app.test_client()
    sign_in(console, admin)
    page = f"/console/meetings/{public_meeting.id}"
    answer = console.post(
        f"{page}/cancel", data={"csrf_token": csrf_token(console, page)}, follow_redirects=True
    )
    assert (
        "The meeting was cancelled at the provider. 2 registrants are emailed that it is "
        "cancelled; their data is deleted at the first cleanup after 60 minutes, once the "
        "emails have gone."
    ) in " ".join(answer.get_data(as_text=True).split())
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.cancelled"))
    assert event.one().details == {"registrants_told": 2}

    run_push(app)  # the worker's every-few-seconds job sends what is due
    for address in ("ada@example.org", "bob@example.org"):
        body = _cancellation_notice(inbox, address)
        assert '"Harbour history talk" on' in body
        assert "Ada" not in body and "Bob" not in body  # one text for all, naming no one
    # Cy had cancelled already: nothing more for her.
    assert [m["Subject"] for m in inbox.to("cy@example.org")] == [
        "You are registered: Harbour history talk"
    ]

    run_cleanup(app)  # Cy's data goes at once; the others' once the notice time is over
    session.expire_all()
    kept = session.scalars(select(Registrant.email).order_by(Registrant.email)).all()
    assert kept == ["ada@example.org", "bob@example.org"]
    stored = session.get(Meeting, public_meeting.id)
    assert stored is not None and stored.registrants_purge_due_at is not None
    assert timedelta(minutes=59) < stored.registrants_purge_due_at - utcnow() <= timedelta(hours=1)

    # An hour later, their time has come.
    session.execute(update(Registrant).values(purge_due_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    run_cleanup(app)
    session.expire_all()
    assert session.scalars(select(Registrant)).all() == []
    db.factory(app).kw["bind"].dispose()


def test_a_childs_notice_goes_to_their_guardian(
    app: Flask, session: Session, admin_client: FlaskClient, children_meeting: Meeting
) -> None:
    child = register_child(app.test_client(), children_meeting)
    assert child.status_code == 302
    page = f"/console/meetings/{children_meeting.id}"
    admin_client.post(f"{page}/cancel", data={"csrf_token": csrf_token(admin_client, page)})
    session.expire_all()
    notices = session.scalars(
        select(OutboundEmail.to_address).where(OutboundEmail.kind == "meeting_cancelled")
    ).all()
    assert notices == ["ann@example.org"]


def _zoom_deleted(
    client: FlaskClient,
    zoom_fake: ZoomFake,
    credentials: ProviderCredentials,
    meeting: Meeting,
    *,
    in_app: bool,
) -> None:
    """Zoom's signed `meeting.deleted` webhook about `meeting`, delivered to vcsafe; with
    `in_app`, the meeting is deleted in Zoom's own app first."""
    meeting_id = meeting.provider_meeting_id or ""
    headers, body = zoom_fake.webhook("meeting.deleted", meeting_id, secret=credentials)
    if in_app:
        zoom_fake.delete_in_app(meeting_id)
    answer = client.post(
        f"/webhooks/zoom/{meeting.provider_account_id}", data=body, headers=headers
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)


def _notices(session: Session) -> list[str]:
    session.expire_all()
    return sorted(
        session.scalars(
            select(OutboundEmail.to_address).where(OutboundEmail.kind == "meeting_cancelled")
        )
    )


def test_a_meeting_deleted_in_zooms_own_app_is_cancelled_and_its_people_told(
    database_url: str,
    tmp_path: Path,
    session: Session,
    admin: User,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    app = _with_ada_and_bob(database_url, tmp_path, port, public_meeting)
    run_push(app)  # at Zoom, with their own joining links
    assert len(zoom_fake.registrants(public_meeting.provider_meeting_id or "")) == 2

    _zoom_deleted(app.test_client(), zoom_fake, zoom_credentials, public_meeting, in_app=True)
    session.expire_all()
    stored = session.get(Meeting, public_meeting.id)
    assert stored is not None and stored.state is MeetingState.CANCELLED
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "meeting.deleted_at_provider")
    ).one()
    assert event.details == {"registrants_told": 2} and event.actor_id is None

    run_push(app)
    for address in ("ada@example.org", "bob@example.org"):
        _cancellation_notice(inbox, address)
    # The organisers hear of it too (no one planned it in vcsafe here: the admins).
    [told] = inbox.to(admin.email)
    assert told["Subject"] == "Deleted in Zoom: Harbour history talk"
    body = " ".join(Inbox.body(told).split())
    assert "was deleted in Zoom, outside vcsafe. Nobody can join it any more" in body
    assert "vcsafe has emailed the 2 people still registered that it is cancelled." in body
    assert f"/console/meetings/{public_meeting.id}" in body
    assert "Ada" not in body and "ada@" not in body

    # The organiser's page says what happened, in words, and reads nothing more at Zoom.
    console = app.test_client()
    sign_in(console, admin)
    url = f"/console/meetings/{public_meeting.id}"
    asked = len(zoom_fake.server.requests)
    page = " ".join(console.get(url).get_data(as_text=True).split())
    assert "Deleted in Zoom, outside vcsafe</strong> on" in page
    assert (
        "2 registrants were emailed that it is cancelled; their data is deleted once the "
        "emails have gone."
    ) in page
    for gone in (
        "Cancel the meeting",
        "Start the meeting as host",
        "Safety checklist",
        "Share this address",
    ):
        assert gone not in page
    assert len(zoom_fake.server.requests) == asked

    # Their data waits for the notice, then goes, as when an organiser cancels.
    run_cleanup(app)
    session.expire_all()
    assert len(session.scalars(select(Registrant)).all()) == 2
    session.execute(update(Registrant).values(purge_due_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    run_cleanup(app)
    session.expire_all()
    assert session.scalars(select(Registrant)).all() == []
    page = " ".join(console.get(url).get_data(as_text=True).split())
    assert "2 registrants were emailed that it is cancelled." in page
    db.factory(app).kw["bind"].dispose()


def test_zoom_reporting_an_organisers_cancellation_tells_nobody_twice(
    app: Flask,
    session: Session,
    admin: User,
    admin_client: FlaskClient,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
) -> None:
    assert register(app.test_client(), public_meeting).status_code == 302
    page = f"/console/meetings/{public_meeting.id}"
    admin_client.post(f"{page}/cancel", data={"csrf_token": csrf_token(admin_client, page)})
    assert _notices(session) == ["ada@example.org"]

    # Zoom then reports the deletion vcsafe made.
    _zoom_deleted(app.test_client(), zoom_fake, zoom_credentials, public_meeting, in_app=False)
    assert _notices(session) == ["ada@example.org"]
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "meeting.cancelled" in actions and "meeting.deleted_at_provider" not in actions
    text = " ".join(admin_client.get(page).get_data(as_text=True).split())
    assert f"Cancelled by {admin.name}</strong> on" in text
    assert "1 registrant was emailed that it is cancelled" in text


def test_an_organiser_cancelling_after_zoom_reported_the_deletion_tells_nobody_twice(
    app: Flask,
    session: Session,
    admin: User,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
) -> None:
    """The race: the organiser's cancel request read the meeting as scheduled, and Zoom's
    webhook about the deletion it made was applied before the request wrote anything."""
    assert register(app.test_client(), public_meeting).status_code == 302
    with db.factory(app)() as request_session:  # the organiser's request, reading first
        meeting = request_session.get(Meeting, public_meeting.id)
        assert meeting is not None and meeting.state is MeetingState.SCHEDULED
        actor = request_session.get(User, admin.id)
        assert actor is not None

        _zoom_deleted(app.test_client(), zoom_fake, zoom_credentials, meeting, in_app=True)
        assert _notices(session) == ["ada@example.org"]

        with pytest.raises(DomainError, match="already cancelled"):
            meetings.cancel_meeting(
                request_session,
                meeting,
                provider_for=interactive_providers_of(app),
                box=secrets_of(app),
                actor=actor,
                now=utcnow(),
            )
        request_session.rollback()
    assert _notices(session) == ["ada@example.org"]


def test_a_meeting_zoom_no_longer_has_is_shown_and_can_be_cancelled_here(
    app: Flask,
    session: Session,
    admin_client: FlaskClient,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    """Deleted in Zoom's own app with no webhook set up: the meeting page finds out when it
    reads the live settings, says so, and the organiser cancels it here to tell people."""
    assert register(app.test_client(), public_meeting).status_code == 302
    zoom_fake.delete_in_app(public_meeting.provider_meeting_id or "")
    page = f"/console/meetings/{public_meeting.id}"
    text = " ".join(admin_client.get(page).get_data(as_text=True).split())
    assert (
        "Zoom no longer has this meeting.</strong> It was deleted outside vcsafe, so nobody "
        "can join it, and the 1 person registered has not been told."
    ) in text
    assert _notices(session) == []

    answer = admin_client.post(
        f"{page}/cancel", data={"csrf_token": csrf_token(admin_client, page)}, follow_redirects=True
    )
    assert "1 registrant is emailed that it is cancelled" in " ".join(
        answer.get_data(as_text=True).split()
    )
    assert _notices(session) == ["ada@example.org"]
    text = " ".join(admin_client.get(page).get_data(as_text=True).split())
    assert "no longer has this meeting" not in text


def test_whoever_planned_a_meeting_hears_it_was_deleted_in_zoom(
    app: Flask,
    session: Session,
    admin: User,
    organiser: User,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
) -> None:
    session.execute(
        update(Meeting).where(Meeting.id == public_meeting.id).values(created_by_id=organiser.id)
    )
    session.commit()
    _zoom_deleted(app.test_client(), zoom_fake, zoom_credentials, public_meeting, in_app=True)
    session.expire_all()
    told = session.scalars(
        select(OutboundEmail.to_address).where(OutboundEmail.kind == "deleted_at_provider")
    ).all()
    assert told == [organiser.email]  # not the admins as well
