"""The purge keeps the privacy notice's promise: due data goes, everywhere; nothing else does."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import JSON, LargeBinary, String, Text, select
from sqlalchemy.orm import Session

from tests.factories import BOX
from tests.public import register
from vcsafe.app import mail_eraser_of, mailer_of, providers_of, secrets_of
from vcsafe.db import db
from vcsafe.models import (
    Base,
    Contact,
    DeletionReceipt,
    Meeting,
    MeetingState,
    Registrant,
    utcnow,
)
from vcsafe.services import lifecycle, outbox, purge


def _purge(app: Flask) -> purge.PurgeReport:
    return purge.run(
        db.factory(app),
        providers_of(app),
        now=utcnow(),
        erase_mail_copies=mail_eraser_of(app),
        base_url="http://vcsafe.test",
        box=secrets_of(app),
    )


def _end(session: Session, meeting: Meeting, *, days_ago: int = 8) -> None:
    lifecycle.meeting_ended(
        session, meeting, ended_at=utcnow() - timedelta(days=days_ago), source="test"
    )
    session.commit()


def everywhere(session: Session, needle: str) -> list[str]:
    """Every column of every table whose value contains `needle`: text as it is, what is
    encrypted at rest as it decrypts."""
    hits = []
    for table in Base.metadata.sorted_tables:
        columns = [
            c
            for c in table.columns
            if isinstance(c.type, String | Text | JSON)
            or (isinstance(c.type, LargeBinary) and c.name.endswith("_encrypted"))
        ]
        for row in session.execute(select(*columns)) if columns else []:
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, bytes):
                    value = BOX.decrypt(value)
                if value is not None and needle.lower() in str(value).lower():
                    hits.append(f"{table.name}.{column.name}")
    return hits


def test_meeting_end_starts_the_clock(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    register(client, public_meeting)
    ended = utcnow() - timedelta(hours=1)
    assert lifecycle.meeting_ended(session, public_meeting, ended_at=ended, source="test")
    assert not lifecycle.meeting_ended(session, public_meeting, ended_at=ended, source="again")
    session.commit()
    person = session.scalars(select(Registrant)).one()
    assert person.purge_due_at == ended + timedelta(days=7)
    assert public_meeting.state is MeetingState.ENDED


def test_a_purged_registrant_leaves_no_trace(
    app: Flask,
    client: FlaskClient,
    session: Session,
    public_meeting: Meeting,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = uuid.uuid4().hex[:12]
    name, email = f"Zed {marker}", f"zed.{marker}@example.org"
    register(client, public_meeting, name=name, email=email, recording="no")
    outbox.send_due(
        db.factory(app), mailer_of(app), secrets_of(app), now=utcnow()
    )  # a copy in the mail folder
    mail_folder = Path(app.instance_path) / "mail"
    assert any(marker in p.read_text() for p in mail_folder.glob("*.eml"))
    _end(session, public_meeting)

    report = _purge(app)

    assert report.registrants == 1 and report.failed == 0
    session.expire_all()
    assert everywhere(session, marker) == []
    assert not any(marker in p.read_text() for p in mail_folder.glob("*.eml"))
    assert marker not in caplog.text
    receipt = session.scalars(select(DeletionReceipt)).one()
    assert receipt.registrants_deleted == 1
    assert receipt.meeting_title == "Harbour history talk"
    assert session.get(Meeting, public_meeting.id).state is MeetingState.PURGED


def test_opted_in_people_keep_only_name_and_email(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    marker = uuid.uuid4().hex[:12]
    register(
        client,
        public_meeting,
        name=f"Opt {marker}",
        email=f"opt.{marker}@example.org",
        future_contact="y",
    )
    _end(session, public_meeting)
    report = _purge(app)
    assert report.contacts_kept == 1
    session.expire_all()
    hits = everywhere(session, marker)
    # The contact row, and the email telling them how to withdraw (cleared once sent).
    assert set(hits) <= {
        "contact.name",
        "contact.email",
        "outbound_email.to_address",
        "outbound_email.body_encrypted",
    }
    contact = session.scalars(select(Contact)).one()
    assert contact.email == f"opt.{marker}@example.org"
    outbox.send_due(db.factory(app), mailer_of(app), secrets_of(app), now=utcnow())
    session.expire_all()
    assert set(everywhere(session, marker)) == {"contact.name", "contact.email"}


def test_the_contact_withdrawal_link_removes_them(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    register(client, public_meeting, future_contact="y")
    _end(session, public_meeting)
    _purge(app)
    body = BOX.decrypt(session.scalars(select(outbox.OutboundEmail.body_encrypted)).one() or b"")
    link = "/contacts/withdraw/" + body.split("/contacts/withdraw/")[1].split()[0]
    page = client.get(link)
    assert page.status_code == 200
    token = (
        page.get_data(as_text=True)
        .split('name="csrf_token" type="hidden" value="')[1]
        .split('"')[0]
    )
    assert client.post(link, data={"csrf_token": token}).status_code == 200
    session.expire_all()
    assert session.scalars(select(Contact)).all() == []
    assert client.get(link).status_code == 404


def test_nothing_not_yet_due_is_touched(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    register(client, public_meeting)
    _end(session, public_meeting, days_ago=6)  # due in a day
    assert _purge(app).registrants == 0
    assert len(session.scalars(select(Registrant)).all()) == 1


def test_a_legal_hold_pauses_the_clock(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    register(client, public_meeting)
    _end(session, public_meeting)
    public_meeting.legal_hold = True
    session.commit()
    assert purge.plan(session, now=utcnow()).registrants == 0
    assert _purge(app).registrants == 0
    public_meeting.legal_hold = False
    session.commit()
    assert _purge(app).registrants == 1


def test_cancelled_registration_is_due_at_once(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    register(client, public_meeting)
    person = session.scalars(select(Registrant)).one()
    person.purge_due_at = utcnow() - timedelta(seconds=1)  # as the manage page's cancel does
    session.commit()
    assert purge.plan(session, now=utcnow()).registrants == 1
    assert _purge(app).registrants == 1
