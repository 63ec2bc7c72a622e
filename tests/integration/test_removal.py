"""An organiser removes someone from a meeting: their link stops working at Zoom, and they
cannot register again."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.fakes.zoom import ZoomFake
from tests.planning import connect, plan
from tests.public import manage_link, register
from vcsafe.crypto import hash_token
from vcsafe.jobs.worker import run_cleanup, run_push
from vcsafe.models import (
    AuditEvent,
    Meeting,
    Organisation,
    OutboundEmail,
    ProviderKind,
    Registrant,
    RegistrantStatus,
    RegistrationBlock,
    User,
    utcnow,
)
from vcsafe.providers.base import ProviderCredentials
from vcsafe.services import lifecycle


def _registered(app: Flask, session: Session, meeting: Meeting, **fields: str) -> int:
    assert register(app.test_client(), meeting, **fields).status_code == 302
    session.expire_all()
    newest = session.scalars(select(Registrant.id).order_by(Registrant.id.desc())).first()
    assert newest is not None
    return newest


def _remove(console: FlaskClient, meeting: Meeting, registrant_id: int) -> str:
    """Open the confirmation page from the meeting page, confirm; return the page that follows."""
    meeting_page = console.get(f"/console/meetings/{meeting.id}").get_data(as_text=True)
    url = f"/console/meetings/{meeting.id}/registrants/{registrant_id}/remove"
    assert f'href="{url}"' in meeting_page
    answer = console.post(url, data={"csrf_token": csrf_token(console, url)}, follow_redirects=True)
    assert answer.status_code == 200
    return " ".join(answer.get_data(as_text=True).split())


def _kinds(session: Session, registrant_id: int) -> list[str]:
    return list(
        session.scalars(
            select(OutboundEmail.kind)
            .where(OutboundEmail.registrant_id == registrant_id)
            .order_by(OutboundEmail.id)
        )
    )


def test_a_removed_person_loses_their_zoom_link_and_cannot_register_again(
    app: Flask,
    session: Session,
    admin_client: FlaskClient,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    zoom_id = public_meeting.provider_meeting_id or ""
    troll = _registered(app, session, public_meeting, name="Troll", email="troll@example.org")
    troll_link = manage_link(session, troll)  # before the worker sends (and forgets) the email
    _registered(app, session, public_meeting)  # Ada stays
    assert run_push(app).pushed == 2
    assert len(zoom_fake.registrants(zoom_id)) == 2
    page = admin_client.get(f"/console/meetings/{public_meeting.id}").get_data(as_text=True)
    assert "<dt>Registered</dt><dd>2" in " ".join(page.split()).replace("> <", "><")

    page = _remove(admin_client, public_meeting, troll)

    assert (
        "The registrant was removed from the meeting and cannot register for it again. "
        "Their personal joining link no longer works."
    ) in page
    # Gone at Zoom; Ada is still there.
    assert [r["email"] for r in zoom_fake.registrants(zoom_id)] == ["ada@example.org"]
    assert "<dt>Registered</dt><dd>1" in page.replace("> <", "><")
    session.expire_all()
    person = session.get(Registrant, troll)
    assert person is not None
    assert person.status is RegistrantStatus.REMOVED
    assert person.provider_registrant_id is None and person.join_url_encrypted is None
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "meeting.registrant_removed")
    ).one()
    assert event.details == {"link_deleted": True}
    assert "troll" not in repr(event.details).lower()

    # Registering the same email again stores nothing; the page says what it says to everyone,
    # and the address's owner is told why by email.
    again = register(app.test_client(), public_meeting, name="Troll", email="TROLL@example.org")
    assert again.status_code == 302 and again.headers["Location"].endswith("/registered")
    session.expire_all()
    assert session.query(Registrant).count() == 2
    assert _kinds(session, troll) == ["confirmation", "join_link", "registration_refused"]
    # Nothing goes back to Zoom for them.
    assert run_push(app).pushed == 0
    assert len(zoom_fake.registrants(zoom_id)) == 1

    # Their private link says what happened, and still lets them see and erase their data.
    visitor = app.test_client()
    assert visitor.get(troll_link).status_code == 302
    manage = " ".join(visitor.get("/manage").get_data(as_text=True).split())
    assert "status: <strong>removed by the organiser</strong>" in manage
    assert "Harbour Heritage Trust removed you from this meeting." in manage
    assert "Cancel my registration" not in manage and "Erase my data now" in manage
    assert "<dt>Joining link</dt><dd>Withdrawn by the organiser</dd>" in manage
    cancelled = visitor.post(
        "/manage/cancel",
        data={"csrf_token": csrf_token(visitor, "/manage")},
        follow_redirects=True,
    )
    assert "This registration was removed by the organiser." in cancelled.get_data(as_text=True)
    session.expire_all()
    assert person.status is RegistrantStatus.REMOVED

    # The removed registration is deleted on the meeting's schedule, with everyone's.
    lifecycle.meeting_ended(
        session, public_meeting, ended_at=utcnow() - timedelta(days=30), source="test"
    )
    session.commit()
    run_cleanup(app)
    session.expire_all()
    assert session.query(Registrant).count() == 0
    assert session.query(OutboundEmail).filter_by(registrant_id=troll).count() == 0


def test_a_removed_person_who_erases_their_data_still_cannot_register_again(
    app: Flask,
    session: Session,
    admin_client: FlaskClient,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    zoom_id = public_meeting.provider_meeting_id or ""
    troll = _registered(app, session, public_meeting, name="Troll", email="troll@example.org")
    troll_link = manage_link(session, troll)
    assert run_push(app).pushed == 1
    _remove(admin_client, public_meeting, troll)

    # They erase their data with their private link; the page warned them of what stays.
    visitor = app.test_client()
    assert visitor.get(troll_link).status_code == 302
    manage = " ".join(visitor.get("/manage").get_data(as_text=True).split())
    assert "Erasing it does not lift the block: until the meeting starts" in manage
    erased = visitor.post("/manage/erase", data={"csrf_token": csrf_token(visitor, "/manage")})
    assert erased.status_code == 200
    session.expire_all()
    assert session.get(Registrant, troll) is None
    # What is kept in place of their address is no plain hash of it, and names nobody.
    blocks = session.scalars(select(RegistrationBlock)).all()
    assert [b.meeting_id for b in blocks] == [public_meeting.id]
    assert blocks[0].address_digest != hash_token("troll@example.org")
    assert "troll" not in blocks[0].address_digest

    # Registering again, the address written another way: nothing stored, sent or pushed,
    # and the page is the one everyone gets.
    again = register(app.test_client(), public_meeting, name="Troll 2", email="Troll@Example.ORG")
    assert again.status_code == 302 and again.headers["Location"].endswith("/registered")
    session.expire_all()
    assert session.query(Registrant).count() == 0
    assert session.query(OutboundEmail).count() == 0
    assert run_push(app).pushed == 0
    assert zoom_fake.registrants(zoom_id) == []

    # Anyone else registers as before.
    ada = _registered(app, session, public_meeting)
    assert run_push(app).pushed == 1
    assert [r["email"] for r in zoom_fake.registrants(zoom_id)] == ["ada@example.org"]

    # The block lasts while anyone can register: the cleanup deletes it once the meeting has
    # started, not before.
    run_cleanup(app)
    assert session.query(RegistrationBlock).count() == 1
    public_meeting.starts_at = utcnow() - timedelta(minutes=1)
    session.commit()
    run_cleanup(app)
    session.expire_all()
    assert session.query(RegistrationBlock).count() == 0
    assert session.get(Registrant, ada) is not None


def test_nothing_changes_while_zoom_cannot_delete_the_link(
    app: Flask,
    session: Session,
    admin_client: FlaskClient,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    zoom_id = public_meeting.provider_meeting_id or ""
    troll = _registered(app, session, public_meeting, name="Troll", email="troll@example.org")
    assert run_push(app).pushed == 1
    url = f"/console/meetings/{public_meeting.id}/registrants/{troll}/remove"
    token = csrf_token(admin_client, url)
    with zoom_fake.down():
        answer = admin_client.post(url, data={"csrf_token": token}, follow_redirects=True)
    page = " ".join(answer.get_data(as_text=True).split())
    assert "did not delete their registration, so their joining link still works." in page
    assert "Nothing was changed: try again in a moment." in page
    session.expire_all()
    person = session.get(Registrant, troll)
    assert person is not None and person.status is RegistrantStatus.ACTIVE
    assert len(zoom_fake.registrants(zoom_id)) == 1
    assert session.query(AuditEvent).filter_by(action="meeting.registrant_removed").count() == 0

    # Once Zoom answers again, it works.
    assert "Their personal joining link no longer works." in _remove(
        admin_client, public_meeting, troll
    )
    assert zoom_fake.registrants(zoom_id) == []


def test_someone_not_yet_sent_to_zoom_is_never_sent(
    app: Flask,
    session: Session,
    admin_client: FlaskClient,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    troll = _registered(app, session, public_meeting, name="Troll", email="troll@example.org")
    page = _remove(admin_client, public_meeting, troll)
    assert "They had not been sent a joining link, and will not be." in page
    assert zoom_fake.calls("DELETE", "/registrants") == []
    assert run_push(app).pushed == 0
    assert zoom_fake.registrants(public_meeting.provider_meeting_id or "") == []
    assert _kinds(session, troll) == ["confirmation"]


def test_on_teams_the_organiser_is_told_the_shared_link_still_works(
    app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    admin_client: FlaskClient,
    teams_credentials: ProviderCredentials,
) -> None:
    account = connect(app, session, organisation, teams_credentials, ProviderKind.TEAMS)
    meeting = plan(app, session, organisation, account, admin)
    troll = _registered(app, session, meeting, name="Troll", email="troll@example.org")
    url = f"/console/meetings/{meeting.id}/registrants/{troll}/remove"
    confirm = " ".join(admin_client.get(url).get_data(as_text=True).split())
    assert "Teams gives everyone the same joining link" in confirm
    incident = f"/console/incidents/new?meeting_id={meeting.id}"
    assert f'<a href="{incident}">log an incident</a>' in confirm
    page = _remove(admin_client, meeting, troll)
    assert (
        "Teams gives everyone the same joining link, which vcsafe cannot withdraw from one "
        "person: if they come to the lobby, do not admit them."
    ) in page
    assert run_push(app).pushed == 0  # no shared link is sent to them
    assert _kinds(session, troll) == ["confirmation"]


def test_only_a_registered_person_of_an_open_meeting_can_be_removed(
    app: Flask,
    session: Session,
    admin_client: FlaskClient,
    public_meeting: Meeting,
) -> None:
    troll = _registered(app, session, public_meeting, name="Troll", email="troll@example.org")
    _remove(admin_client, public_meeting, troll)
    url = f"/console/meetings/{public_meeting.id}/registrants/{troll}/remove"
    # Twice: the second time says so, and the meeting page offers no second removal.
    token = csrf_token(admin_client, f"/console/meetings/{public_meeting.id}")
    page = admin_client.post(url, data={"csrf_token": token}, follow_redirects=True)
    text = " ".join(page.get_data(as_text=True).split())
    assert "Only someone still registered can be removed." in text
    assert "there is nothing to remove" in text
    meeting_page = admin_client.get(f"/console/meetings/{public_meeting.id}").get_data(as_text=True)
    assert f'href="{url}"' not in meeting_page
    # A registrant of another meeting, through this meeting's address: 404.
    other = plan(
        app,
        session,
        public_meeting.organisation,
        public_meeting.provider_account,
        None,
        title="Another talk",
    )
    stranger = _registered(app, session, other, email="grace@example.org")
    wrong = f"/console/meetings/{public_meeting.id}/registrants/{stranger}/remove"
    assert admin_client.get(wrong).status_code == 404
    token = csrf_token(admin_client, f"/console/meetings/{public_meeting.id}")
    assert admin_client.post(wrong, data={"csrf_token": token}).status_code == 404
