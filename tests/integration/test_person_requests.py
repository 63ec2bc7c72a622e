"""A person asks the organisation itself what it holds about them, or to erase it: an admin
finds everything under the email address, then emails them their private links or erases it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import app_overrides, csrf_token, sign_in
from tests.fakes.zoom import ZoomFake
from tests.mail import Inbox
from tests.public import manage_link, register, register_child
from vcsafe.app import create_app
from vcsafe.db import db
from vcsafe.jobs.worker import run_cleanup, run_outbox, run_push
from vcsafe.models import (
    AuditEvent,
    Contact,
    Meeting,
    Organisation,
    Registrant,
    RegistrantStatus,
    Role,
    User,
    utcnow,
)

PAGE = "/console/requests"


@pytest.fixture
def mailing_app(
    database_url: str, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> Iterator[Flask]:
    _, port = smtp_server
    app = create_app(app_overrides(database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port))
    yield app
    db.factory(app).kw["bind"].dispose()


def _ask(console: FlaskClient, email: str, action: str = "find", **extra: str) -> tuple[int, str]:
    """Post the request page's form; the status and the page, on one line."""
    answer = console.post(
        PAGE,
        data={"csrf_token": csrf_token(console, PAGE), "email": email, "action": action, **extra},
    )
    return answer.status_code, " ".join(answer.get_data(as_text=True).split())


def _ann_everywhere(
    app: Flask, session: Session, public_meeting: Meeting, children_meeting: Meeting
) -> None:
    """Ann registered for the talk herself and her son Tom for the rock pooling, and is on the
    contact list."""
    assert (
        register(app.test_client(), public_meeting, name="Ann Young", email="ann@example.org")
    ).status_code == 302
    assert register_child(app.test_client(), children_meeting).status_code == 302
    session.add(
        Contact(
            organisation_id=public_meeting.organisation_id,
            name="Ann Young",
            email="Ann@Example.org",
            consent_sha256="0" * 64,
            consent_version="future contact 1",
            consented_at=utcnow(),
            withdraw_token_hash="f" * 64,
        )
    )
    session.commit()


def _to_ann(inbox: Inbox) -> list[EmailMessage]:
    """Everything sent to Ann, whichever way her address was written."""
    return [m for m in inbox.messages if str(m["To"]).lower() == "ann@example.org"]


def test_an_admin_finds_everything_held_under_an_address_and_sends_the_private_links(
    mailing_app: Flask,
    session: Session,
    admin: User,
    public_meeting: Meeting,
    children_meeting: Meeting,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp_server
    app = mailing_app
    _ann_everywhere(app, session, public_meeting, children_meeting)
    tom = session.scalars(select(Registrant).where(Registrant.name == "Tom Young")).one()
    old_link = manage_link(session, tom.id)
    console = app.test_client()
    sign_in(console, admin)

    status, page = _ask(console, "ANN@example.org")
    assert status == 200
    assert "<caption>2 registrations</caption>" in page
    assert "Harbour history talk" in page and "Rock pooling for families" in page
    assert "parent or guardian of Tom Young" in page
    assert "On the contact list as Ann Young" in page

    run_outbox(app)  # the confirmations
    before = len(_to_ann(inbox))
    status, page = _ask(console, "ann@example.org", "send_links")
    assert "3 emails queued to this address, each with a fresh private link" in page
    run_outbox(app)
    sent = _to_ann(inbox)[before:]
    assert sorted(m["Subject"] for m in sent) == [
        "You asked to hear about future events from Harbour Heritage Trust",
        "Your data held by Harbour Heritage Trust: Harbour history talk",
        "Your data held by Harbour Heritage Trust: Rock pooling for families",
    ]
    [about_tom] = [m for m in sent if m["Subject"].endswith("Rock pooling for families")]
    body = Inbox.body(about_tom)
    assert "made for Tom Young with your consent as their parent or guardian" in body
    link = re.search(r"https?://[^/\s]+(/manage/\S+)", body)
    assert link is not None
    # The new link opens Tom's registration; the old one no longer does.
    visitor = app.test_client()
    assert visitor.get(link.group(1)).status_code == 302
    assert "Tom Young" in visitor.get("/manage").get_data(as_text=True)
    assert app.test_client().get(old_link).status_code == 404
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.links_sent")
    ).one()
    assert event.details == {"emails": 3}


def test_an_admin_erases_everything_at_zoom_and_here(
    app: Flask,
    session: Session,
    admin_client: FlaskClient,
    public_meeting: Meeting,
    children_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    _ann_everywhere(app, session, public_meeting, children_meeting)
    assert register(app.test_client(), public_meeting).status_code == 302  # Ada stays
    assert run_push(app).pushed == 3
    talk_id = public_meeting.provider_meeting_id or ""
    assert len(zoom_fake.registrants(talk_id)) == 2

    # Not without saying the request was checked.
    status, page = _ask(admin_client, "ann@example.org", "erase")
    assert status == 400
    assert "Check that the request comes from the person before erasing their data." in page
    assert session.scalars(select(Registrant)).all() != []

    status, page = _ask(admin_client, "ann@example.org", "erase", checked="y")
    assert status == 200
    assert (
        "2 registrations erased, here and at the provider; the contact-list entry deleted."
    ) in page
    assert "Nothing: no registration for any of the organisation" in page
    session.expire_all()
    assert session.scalars(select(Registrant.name)).all() == ["Ada Lovelace"]
    assert session.scalars(select(Contact)).all() == []
    assert [r["email"] for r in zoom_fake.registrants(talk_id)] == ["ada@example.org"]
    assert zoom_fake.registrants(children_meeting.provider_meeting_id or "") == []
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.erased")).one()
    assert event.details == {"registrations": 2, "pending": 0, "contact": True}


def test_while_zoom_is_down_the_erasure_is_on_record_and_the_cleanup_finishes_it(
    app: Flask,
    session: Session,
    admin_client: FlaskClient,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    assert register(app.test_client(), public_meeting).status_code == 302
    ada = session.scalars(select(Registrant)).one()
    link = manage_link(session, ada.id)
    run_push(app)
    with zoom_fake.down():
        status, page = _ask(admin_client, "ada@example.org", "erase", checked="y")
    assert status == 200
    assert "1 registration could not be erased at the provider yet" in page
    assert "erasure requested" in page
    assert app.test_client().get(link).status_code == 404  # the private link is dead at once
    run_cleanup(app)
    session.expire_all()
    assert session.scalars(select(Registrant)).all() == []
    assert zoom_fake.registrants(public_meeting.provider_meeting_id or "") == []


def test_bad_input_and_other_organisations_and_organisers(
    app: Flask,
    session: Session,
    admin_client: FlaskClient,
    organiser: User,
    public_meeting: Meeting,
) -> None:
    assert register(app.test_client(), public_meeting).status_code == 302
    for email, message in (
        ("", "Enter the email address the request is about."),
        ("not an address", "Enter an email address like name@example.org."),
        ("a" * 320 + "@example.org", "Field cannot be longer than 320 characters."),
    ):
        status, page = _ask(admin_client, email)
        assert status == 400 and message in page
    assert admin_client.post(PAGE, data={"email": "ada@example.org"}).status_code == 400  # CSRF
    status, page = _ask(admin_client, "nobody@example.org", "send_links")
    assert "Nothing is held under this address: nothing was sent or erased." in page

    # Another organisation's admin finds nothing of Ada.
    other_org: Organisation = factories.organisation(session, name="Other Trust")
    other_admin = factories.user(session, other_org, email="admin@other.example", role=Role.ADMIN)
    session.commit()
    other = app.test_client()
    sign_in(other, other_admin)
    status, page = _ask(other, "ada@example.org", "erase", checked="y")
    assert "Nothing is held under this address" in page
    session.expire_all()
    assert session.scalars(select(Registrant.status)).all() == [RegistrantStatus.ACTIVE]

    # Organisers are not admins.
    console = app.test_client()
    sign_in(console, organiser)
    assert console.get(PAGE).status_code == 403
