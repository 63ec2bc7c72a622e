"""Someone who cancelled, then changed their mind before the cleanup: they register afresh."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.fakes.zoom import ZoomFake
from tests.public import manage_link, register
from vcsafe.jobs.worker import run_cleanup, run_push
from vcsafe.models import (
    ConsentPurpose,
    ConsentRecord,
    Meeting,
    OutboundEmail,
    Registrant,
    RegistrantStatus,
)


def _people(session: Session) -> list[Registrant]:
    session.expire_all()
    return list(session.scalars(select(Registrant).order_by(Registrant.id)))


def _cancel(client: FlaskClient, session: Session, registrant_id: int) -> str:
    """Cancel through the private link; returns the manage page that follows."""
    assert client.get(manage_link(session, registrant_id)).status_code == 302
    answer = client.post(
        "/manage/cancel", data={"csrf_token": csrf_token(client, "/manage")}, follow_redirects=True
    )
    return " ".join(answer.get_data(as_text=True).split())


def test_registering_again_after_cancelling_is_a_new_registration(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    assert register(client, public_meeting).status_code == 302
    [first] = _people(session)
    page = _cancel(client, session, first.id)
    assert (
        "Registration for this meeting is still open: you can "
        f'<a href="/m/{public_meeting.public_slug}">register again</a>.'
    ) in page

    again = register(client, public_meeting, email="Ada@Example.org", recording="no")

    assert again.status_code == 302
    old, new = _people(session)
    assert (old.id, old.status) == (first.id, RegistrantStatus.CANCELLED)
    assert new.status is RegistrantStatus.ACTIVE and new.refused_recording
    kinds = session.scalars(select(OutboundEmail.kind).order_by(OutboundEmail.id)).all()
    assert kinds == ["confirmation", "confirmation"]  # not "you are already registered"
    # The new registration's own decisions, beside the cancelled one's.
    recording = session.scalars(
        select(ConsentRecord.decision)
        .where(ConsentRecord.purpose == ConsentPurpose.RECORDING)
        .order_by(ConsentRecord.id)
    )
    assert [r.value for r in recording] == ["granted", "refused"]
    # Their private link opens the new registration.
    assert client.get(manage_link(session, new.id)).status_code == 302
    assert "Not issued yet" in client.get("/manage").get_data(as_text=True)
    assert "register again" not in client.get("/manage").get_data(as_text=True)

    # Still only one active registration per email.
    twice = register(client, public_meeting, email="ada@example.org")
    assert twice.status_code == 302
    assert len(_people(session)) == 2
    kinds = session.scalars(select(OutboundEmail.kind).order_by(OutboundEmail.id)).all()
    assert kinds[-1] == "already_registered"


def test_a_cancelled_registration_offers_no_new_one_once_registration_has_closed(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    public_meeting.capacity = 1
    session.commit()
    assert register(client, public_meeting).status_code == 302
    [first] = _people(session)
    assert "register again" in _cancel(client, session, first.id)  # her place is free again
    assert register(client, public_meeting, email="grace@example.org").status_code == 302
    page = client.get("/manage").get_data(as_text=True)
    assert "status: <strong>cancelled</strong>" in page
    assert "register again" not in page  # the meeting is full


def test_the_new_registration_reaches_zoom_only_once_the_cancelled_one_is_gone(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting, zoom_fake: ZoomFake
) -> None:
    """Zoom answers a second registration of the same email with the first one's registrant.
    Pushed at once, the new registration would be given that registrant, and the purge of the
    cancelled one would then delete it at Zoom, and the new joining link with it."""
    zoom_id = public_meeting.provider_meeting_id or ""
    assert register(client, public_meeting).status_code == 302
    [first] = _people(session)
    first_id = first.id
    link = manage_link(session, first_id)
    assert run_push(app).pushed == 1
    [old_at_zoom] = zoom_fake.registrants(zoom_id)
    assert client.get(link).status_code == 302
    client.post("/manage/cancel", data={"csrf_token": csrf_token(client, "/manage")})
    assert register(client, public_meeting).status_code == 302

    assert run_push(app).pushed == 0  # the new one waits for the old one's deletion
    assert [r["id"] for r in zoom_fake.registrants(zoom_id)] == [old_at_zoom["id"]]

    run_cleanup(app)  # the cancelled registration is deleted, here and at Zoom
    [new] = _people(session)
    assert new.id != first_id and new.provider_registrant_id is None
    assert zoom_fake.registrants(zoom_id) == []

    assert run_push(app).pushed == 1
    [at_zoom] = zoom_fake.registrants(zoom_id)
    assert at_zoom["id"] != old_at_zoom["id"] and at_zoom["email"] == "ada@example.org"
    [new] = _people(session)
    assert new.provider_registrant_id == at_zoom["id"]
    sent = session.scalars(
        select(OutboundEmail.kind)
        .where(OutboundEmail.registrant_id == new.id)
        .order_by(OutboundEmail.id)
    ).all()
    assert sent == ["confirmation", "join_link"]

    run_cleanup(app)  # nothing of the new registration is due
    assert [p.id for p in _people(session)] == [new.id]
    assert [r["id"] for r in zoom_fake.registrants(zoom_id)] == [at_zoom["id"]]
