"""An organiser cancels a meeting: the people still registered are told by email, then their
data is deleted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.conftest import app_overrides, csrf_token, sign_in
from tests.mail import Inbox
from tests.public import manage_link, register
from vcsafe.app import create_app
from vcsafe.db import db
from vcsafe.jobs.worker import run_cleanup, run_push
from vcsafe.models import AuditEvent, Meeting, OutboundEmail, Registrant, User, utcnow


def test_registrants_are_told_before_their_data_is_deleted(
    database_url: str,
    tmp_path: Path,
    session: Session,
    admin: User,
    public_meeting: Meeting,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    app = create_app(app_overrides(database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port))
    for name, email in (("Ada Lovelace", "ada@example.org"), ("Bob Baker", "bob@example.org")):
        answer = register(app.test_client(), public_meeting, name=name, email=email)
        assert answer.status_code == 302
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
        [notice] = [m for m in inbox.to(address) if m["Subject"].startswith("Cancelled")]
        assert notice["Subject"] == "Cancelled: Harbour history talk"
        body = " ".join(Inbox.body(notice).split())
        assert '"Harbour history talk" on' in body
        assert "is cancelled: it will not take place." in body
        assert (
            "The registration for it made with this email address is cancelled too, and its "
            "joining link no longer works."
        ) in body
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
    child = register(
        app.test_client(),
        children_meeting,
        name="Tom Young",
        email="tom@example.org",
        age_band="child",
        guardian_name="Ann Young",
        guardian_email="ann@example.org",
        guardian_consent="y",
    )
    assert child.status_code == 302
    page = f"/console/meetings/{children_meeting.id}"
    admin_client.post(f"{page}/cancel", data={"csrf_token": csrf_token(admin_client, page)})
    session.expire_all()
    notices = session.scalars(
        select(OutboundEmail.to_address).where(OutboundEmail.kind == "meeting_cancelled")
    ).all()
    assert notices == ["ann@example.org"]
