"""A provider outage during a rush delays join links; it never drops a registration."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.fakes.zoom import ZoomFake
from tests.public import register
from vcsafe.app import providers_of, secrets_of
from vcsafe.db import db
from vcsafe.jobs.worker import run_outbox
from vcsafe.models import AuditEvent, Meeting, OutboundEmail, PushState, Registrant, utcnow
from vcsafe.services import registrant_push

RUSH = 200


def _rush(client: FlaskClient, meeting: Meeting) -> list[int]:
    url = f"/m/{meeting.public_slug}"
    token = csrf_token(client, url)
    statuses = []
    for n in range(RUSH):
        # Each from their own address, as in a real rush (the per-address limit is for bots).
        response = client.post(
            url,
            data={
                "name": f"Person {n}",
                "email": f"person{n}@example.org",
                "accept_code": "y",
                "recording": "yes",
                "csrf_token": token,
            },
            environ_base={"REMOTE_ADDR": f"10.1.{n // 256}.{n % 256}"},
        )
        statuses.append(response.status_code)
    return statuses


def test_two_hundred_registrations_survive_an_outage_and_get_their_links_after(
    app: Flask,
    client: FlaskClient,
    session: Session,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    meeting_id = public_meeting.provider_meeting_id or ""
    public_meeting.capacity = 500
    session.commit()
    with zoom_fake.down():
        assert _rush(client, public_meeting) == [302] * RUSH
        report = registrant_push.push_due(
            db.factory(app), providers_of(app), box=secrets_of(app), now=utcnow()
        )
        # One registrant found Zoom down; the others wait for the next run, not for retries.
        assert (report.pushed, report.failed) == (0, 1)
        refused = len(zoom_fake.calls("POST", "/registrants"))
        assert 1 <= refused <= 5
    assert session.scalar(select(func.count(Registrant.id))) == RUSH
    assert zoom_fake.registrants(meeting_id) == []
    # Everyone is on record, waiting for their link.
    waiting = session.scalar(
        select(func.count(Registrant.id)).where(Registrant.push_state != PushState.PUSHED)
    )
    assert waiting == RUSH

    # Zoom is back: the next runs (after the backoff) push everyone, each once.
    later = utcnow() + timedelta(hours=1)
    report = registrant_push.push_due(
        db.factory(app), providers_of(app), box=secrets_of(app), now=later
    )
    assert (report.pushed, report.failed) == (RUSH, 0)
    held = zoom_fake.registrants(meeting_id)
    assert len(held) == RUSH and len({r["join_url"] for r in held}) == RUSH
    session.expire_all()
    box = secrets_of(app)
    stored = {
        r.email: box.decrypt(r.join_url_encrypted or b"")
        for r in session.scalars(select(Registrant))
    }
    assert stored == {r["email"]: r["join_url"] for r in held}

    # And their join-link emails go out, each with the person's own link.
    assert run_outbox(app).sent == 2 * RUSH  # the confirmations and the join links
    links = [
        re.search(r"https://zoom\.example/w/\S+", path.read_text())
        for path in (Path(app.instance_path) / "mail").glob("*-join_link.eml")
    ]
    assert len(links) == RUSH and all(links)
    assert (
        session.scalar(select(func.count(OutboundEmail.id)).where(OutboundEmail.sent_at.is_(None)))
        == 0
    )


def test_a_refusal_at_registration_switches_automatic_recording_off_before_any_link(
    app: Flask,
    client: FlaskClient,
    session: Session,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    """The recording notice promises that if anyone says no, automatic recording goes off:
    the worker does it when it pushes that person, without waiting for an organiser."""
    zoom_id = public_meeting.provider_meeting_id or ""
    assert zoom_fake.meeting(zoom_id)["settings"]["auto_recording"] == "cloud"

    def push(after: timedelta = timedelta(0)) -> registrant_push.PushReport:
        return registrant_push.push_due(
            db.factory(app), providers_of(app), box=secrets_of(app), now=utcnow() + after
        )

    assert register(client, public_meeting, email="yes@example.org").status_code == 302
    assert push().pushed == 1
    assert zoom_fake.meeting(zoom_id)["settings"]["auto_recording"] == "cloud"  # all agreed

    refusing = register(client, public_meeting, email="no@example.org", recording="no")
    assert refusing.status_code == 302
    # Zoom refuses to change the meeting's settings for now: this person is not sent in yet.
    zoom_fake.inject("status", status=503, times=20, method="PATCH", path_contains=zoom_id)
    assert push().pushed == 0
    assert zoom_fake.meeting(zoom_id)["settings"]["auto_recording"] == "cloud"
    assert len(zoom_fake.registrants(zoom_id)) == 1  # only the first person
    zoom_fake.server.clear_faults()
    links = select(func.count(OutboundEmail.id)).where(OutboundEmail.kind == "join_link")
    assert session.scalar(links) == 1  # only the first person's

    assert push(after=timedelta(hours=1)).pushed == 1  # once its backoff has run out
    assert zoom_fake.meeting(zoom_id)["settings"]["auto_recording"] == "none"
    session.expire_all()
    assert session.get(Meeting, public_meeting.id).safety_settings["auto_recording"] is False
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("meeting.auto_recording_off") == 1


def test_organisers_see_who_keeps_failing_to_get_a_link_and_why(
    app: Flask,
    client: FlaskClient,
    organiser_client: FlaskClient,
    session: Session,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    """A provider account that may not change the meeting's recording setting holds back the
    link of everyone who refused recording, for good: the organisers are told, and how to
    end it."""
    zoom_id = public_meeting.provider_meeting_id or ""
    meeting_page = f"/console/meetings/{public_meeting.id}"
    assert register(client, public_meeting, email="no@example.org", recording="no").status_code
    refusal = zoom_fake.inject(
        "status", status=403, times=10**6, method="PATCH", path_contains=zoom_id
    )
    for hours in range(3):  # three tries, each once the backoff has run out
        report = registrant_push.push_due(
            db.factory(app),
            providers_of(app),
            box=secrets_of(app),
            now=utcnow() + timedelta(hours=hours),
        )
        assert report.failed == 1
        dashboard = organiser_client.get("/console").get_data(as_text=True)
        page = " ".join(organiser_client.get(meeting_page).get_data(as_text=True).split())
        stuck = hours == 2
        assert ("still without a joining link" in page) is stuck
        assert ("without a joining link after repeated tries" in dashboard) is stuck
    assert (
        "<strong>1 registrant still without a joining link:</strong> passing them to the "
        "provider failed 3 times or more. vcsafe keeps retrying, with pauses of up to 30 minutes."
    ) in page
    assert "1 of them refused recording, and automatic recording could not be switched off" in page
    assert f'href="{meeting_page}#stuck">Harbour history talk</a>' in dashboard

    zoom_fake.server.clear_faults()
    assert refusal.times > 0
    report = registrant_push.push_due(
        db.factory(app), providers_of(app), box=secrets_of(app), now=utcnow() + timedelta(days=1)
    )
    assert report.pushed == 1
    assert zoom_fake.meeting(zoom_id)["settings"]["auto_recording"] == "none"
    assert "still without a joining link" not in organiser_client.get(meeting_page).get_data(
        as_text=True
    )
    assert "after repeated tries" not in organiser_client.get("/console").get_data(as_text=True)
