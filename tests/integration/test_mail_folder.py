"""Without a mail server, emails go to a folder that admins read in the console."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.public import register
from vcsafe.crypto import SecretsBox
from vcsafe.jobs.worker import run_outbox
from vcsafe.models import AuditEvent, Meeting, Organisation, OutboundEmail


def test_admins_read_their_organisations_emails(
    app: Flask,
    admin_client: FlaskClient,
    client: FlaskClient,
    session: Session,
    organisation: Organisation,
    public_meeting: Meeting,
) -> None:
    register(app.test_client(), public_meeting, name="Grace Hopper", email="grace@example.org")
    other = factories.organisation(session, name="Elsewhere")
    theirs = factories.sent_email(session, other, app, to_address="secret@elsewhere.example")
    session.commit()
    assert run_outbox(app).sent == 1  # the registration's confirmation

    listing = admin_client.get("/console/mail").get_data(as_text=True)
    assert "grace@example.org" in listing
    assert "secret@elsewhere.example" not in listing
    assert admin_client.get(f"/console/mail/{theirs.id}").status_code == 404

    mine = session.scalars(select(AuditEvent.id).where(AuditEvent.action == "mail.viewed")).all()
    assert mine == []
    link = listing.split('href="/console/mail/')[1].split('"')[0]
    message = admin_client.get(f"/console/mail/{link}").get_data(as_text=True)
    assert "Harbour history talk" in message
    assert "/manage/" in message  # the private link the person would have received
    viewed = session.scalars(select(AuditEvent).where(AuditEvent.action == "mail.viewed")).one()
    assert viewed.details == {"email_id": int(link)}


def test_organisers_cannot_read_the_outbox(organiser_client: FlaskClient) -> None:
    assert organiser_client.get("/console/mail").status_code == 403


def test_with_a_mail_server_nothing_is_kept_to_show(
    database_url: str, tmp_path: object, admin: object
) -> None:
    from pathlib import Path

    from tests.conftest import app_overrides, sign_in
    from vcsafe.app import create_app

    app = create_app(app_overrides(database_url, Path(str(tmp_path)) / "i", smtp_host="127.0.0.1"))
    client = app.test_client()
    sign_in(client, admin)  # type: ignore[arg-type]
    page = client.get("/console/mail").get_data(as_text=True)
    assert "keeps no copies" in page


def test_an_email_no_key_can_read_waits_and_the_others_go(
    app: Flask, session: Session, organisation: Organisation, public_meeting: Meeting
) -> None:
    """A body encrypted under a key that was dropped (a rotation gone wrong) cannot be sent:
    that email waits with the reason on record; the rest of the queue is still sent."""
    stranded = OutboundEmail(
        organisation_id=organisation.id,
        kind="confirmation",
        to_address="lost@example.org",
        subject="You are registered",
        body_encrypted=SecretsBox("an-old-key-nobody-lists-any-more-0123456789").encrypt("Hi"),
    )
    session.add(stranded)
    session.commit()
    register(app.test_client(), public_meeting, email="grace@example.org")

    report = run_outbox(app)

    assert (report.sent, report.failed) == (1, 1)
    session.refresh(stranded)
    assert stranded.sent_at is None and stranded.attempts == 1
    assert "previous_secret_keys" in stranded.last_error
    assert stranded.to_address == "lost@example.org"  # kept for when the key is listed again
