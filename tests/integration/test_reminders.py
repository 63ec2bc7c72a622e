"""The day-before reminder: each person who has their joining link is emailed it again with
the code of conduct, once, about a day before the meeting."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.conftest import app_overrides, csrf_token, sign_in
from tests.mail import Inbox
from tests.public import manage_link, register, register_child
from vcsafe.app import create_app, secrets_of
from vcsafe.db import db
from vcsafe.jobs.worker import run_push, run_reminders
from vcsafe.models import AuditEvent, Meeting, OutboundEmail, Registrant, User, utcnow
from vcsafe.services import reminders


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reminders(session: Session) -> list[OutboundEmail]:
    session.expire_all()
    query = select(OutboundEmail).where(OutboundEmail.kind == "reminder")
    return list(session.scalars(query))


def test_people_with_a_link_are_reminded_once_the_day_before(
    database_url: str,
    tmp_path: Path,
    session: Session,
    admin: User,
    public_meeting: Meeting,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    app = create_app(app_overrides(database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port))
    people = {
        "ada@example.org": {"name": "Ada Lovelace"},
        "bob@example.org": {"name": "Bob Baker"},
        "cy@example.org": {"name": "Cy Twombly"},
    }
    for email, fields in people.items():
        answer = register(app.test_client(), public_meeting, email=email, **fields)
        assert answer.status_code == 302
    session.expire_all()
    cy = session.scalars(select(Registrant).where(Registrant.email == "cy@example.org")).one()
    visitor = app.test_client()
    visitor.get(manage_link(session, cy.id))
    visitor.post("/manage/cancel", data={"csrf_token": csrf_token(visitor, "/manage")})
    run_push(app)  # the others have their own joining links from Zoom

    # Three days before: nothing yet, and the organiser's page says when.
    assert run_reminders(app).meetings == 0
    console = app.test_client()
    sign_in(console, admin)
    url = f"/console/meetings/{public_meeting.id}"
    assert (
        "a day before the meeting, everyone who has their joining link and registered"
        in _one_line(console.get(url).get_data(as_text=True))
    )

    # A day before: they registered two days ago, and someone registers now.
    session.execute(update(Registrant).values(created_at=utcnow() - timedelta(days=2)))
    session.execute(
        update(Meeting)
        .where(Meeting.id == public_meeting.id)
        .values(starts_at=utcnow() + timedelta(hours=23))
    )
    session.commit()
    late = register(app.test_client(), public_meeting, name="Dee", email="dee@example.org")
    assert late.status_code == 302
    run_push(app)

    report = run_reminders(app)
    assert (report.meetings, report.emails) == (1, 2)
    run_push(app)  # sends what is due
    links = {}
    for email in ("ada@example.org", "bob@example.org"):
        [joining] = [m for m in inbox.to(email) if m["Subject"].startswith("Your link to join")]
        links[email] = re.findall(r"https://\S+", Inbox.body(joining))[0]
        [reminder] = [m for m in inbox.to(email) if m["Subject"].startswith("Reminder")]
        assert reminder["Subject"] == "Reminder: Harbour history talk"
        body = _one_line(Inbox.body(reminder))
        assert f"Hello {people[email]['name']}," in body
        assert '"Harbour history talk" is on' in body
        assert f"Your own link to join (please do not share it): {links[email]}" in body
        assert "Please read the code of conduct again before joining" in body
        assert "Be kind. No harassment." in body
        assert "Cancel with the private link in the confirmation email" in body
    assert links["ada@example.org"] != links["bob@example.org"]  # each their own
    for email in ("cy@example.org", "dee@example.org"):  # cancelled; registered just now
        assert not [m for m in inbox.to(email) if m["Subject"].startswith("Reminder")]

    # Once only.
    assert run_reminders(app).meetings == 0
    session.expire_all()
    assert (
        len(session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "reminder")).all())
        == 2
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.reminded")).one()
    assert event.details == {"registrants_told": 2}
    page = _one_line(console.get(url).get_data(as_text=True))
    assert "the code of conduct was emailed to 2 people on" in page
    db.factory(app).kw["bind"].dispose()


def test_a_childs_reminder_goes_to_their_guardian(
    app: Flask, session: Session, children_meeting: Meeting
) -> None:
    child = register_child(app.test_client(), children_meeting)
    assert child.status_code == 302
    run_push(app)
    session.execute(update(Registrant).values(created_at=utcnow() - timedelta(days=2)))
    session.execute(update(Meeting).values(starts_at=utcnow() + timedelta(hours=20)))
    session.commit()
    assert run_reminders(app).emails == 1
    session.expire_all()
    [reminder] = _reminders(session)
    assert reminder.to_address == "ann@example.org"
    body = _one_line(secrets_of(app).decrypt(reminder.body_encrypted))
    assert "Hello Ann Young," in body
    assert "and Tom Young is registered for it." in body
    assert "Tom Young's own link to join" in body


def test_two_workers_remind_a_meeting_once(
    app: Flask, session: Session, public_meeting: Meeting
) -> None:
    assert register(app.test_client(), public_meeting).status_code == 302
    run_push(app)
    session.execute(update(Registrant).values(created_at=utcnow() - timedelta(days=2)))
    session.commit()
    box = secrets_of(app)
    with db.factory(app)() as first, db.factory(app)() as second:
        one = first.get(Meeting, public_meeting.id)
        other = second.get(Meeting, public_meeting.id)
        assert one is not None and other is not None
        assert reminders.remind(first, box, one, now=utcnow()) == 1
        first.commit()
        assert reminders.remind(second, box, other, now=utcnow()) is None
        second.rollback()
    session.expire_all()
    assert (
        len(session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "reminder")).all())
        == 1
    )
