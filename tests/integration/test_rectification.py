"""A registrant corrects their name with their private link: hosts admit people from the
waiting room by the names they expect, and Zoom holds the name with each personal link."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token, sign_in
from tests.fakes.zoom import ZoomFake
from tests.public import manage_link, register, register_child
from vcsafe.app import secrets_of
from vcsafe.jobs.worker import run_push
from vcsafe.models import AuditEvent, Meeting, OutboundEmail, PushState, Registrant, User


def _newest(session: Session) -> Registrant:
    session.expire_all()
    person = session.scalars(select(Registrant).order_by(Registrant.id.desc())).first()
    assert person is not None
    return person


def _signed_in(app: Flask, session: Session, registrant: Registrant) -> FlaskClient:
    """A browser that followed the person's private link."""
    visitor = app.test_client()
    assert visitor.get(manage_link(session, registrant.id)).status_code == 302
    return visitor


def _correct(visitor: FlaskClient, **names: str) -> tuple[int, str]:
    """Submit the correction form; the status and the page that follows, on one line."""
    answer = visitor.post(
        "/manage/correct",
        data={"csrf_token": csrf_token(visitor, "/manage"), **names},
        follow_redirects=True,
    )
    return answer.status_code, " ".join(answer.get_data(as_text=True).split())


def _zoom_people(zoom_fake: ZoomFake, meeting: Meeting) -> list[tuple[str, str, str]]:
    return [
        (r["first_name"], r["last_name"], r["join_url"])
        for r in zoom_fake.registrants(meeting.provider_meeting_id or "")
    ]


def test_a_corrected_name_gets_a_new_zoom_link_and_the_old_one_stops_working(
    app: Flask,
    session: Session,
    admin: User,
    public_meeting: Meeting,
    zoom_fake: ZoomFake,
) -> None:
    assert register(app.test_client(), public_meeting, name="Ada Lovelce").status_code == 302
    ada = _newest(session)
    visitor = _signed_in(app, session, ada)
    assert run_push(app).pushed == 1
    [(first, last, old_link)] = _zoom_people(zoom_fake, public_meeting)
    assert (first, last) == ("Ada", "Lovelce")

    page = " ".join(visitor.get("/manage").get_data(as_text=True).split())
    assert 'value="Ada Lovelce"' in page
    assert (
        "Zoom cannot change the name on a joining link, so you will be emailed a new link and "
        "the old one will stop working."
    ) in page

    status, page = _correct(visitor, name="Ada Lovelace")
    assert status == 200
    assert (
        "Your name is corrected. A new joining link is on its way by email; the old one no "
        "longer works."
    ) in page
    assert "<dt>Name</dt><dd>Ada Lovelace</dd>" in page.replace("> <", "><")
    # The old registration is gone at Zoom at once; the worker registers her anew.
    assert _zoom_people(zoom_fake, public_meeting) == []
    assert run_push(app).pushed == 1
    [(first, last, new_link)] = _zoom_people(zoom_fake, public_meeting)
    assert (first, last) == ("Ada", "Lovelace") and new_link != old_link
    session.expire_all()
    person = session.get(Registrant, ada.id)
    assert person is not None and person.push_state is PushState.PUSHED
    assert secrets_of(app).decrypt(person.join_url_encrypted or b"") == new_link
    kinds = session.scalars(
        select(OutboundEmail.kind).where(OutboundEmail.registrant_id == ada.id)
    ).all()
    assert kinds == ["confirmation", "join_link", "join_link"]

    # On record without the names; the organisers' list shows the corrected one.
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "registrant.corrected")
    ).one()
    assert event.details == {"fields": "name", "new_link": True}
    console = app.test_client()
    sign_in(console, admin)
    listing = console.get(f"/console/meetings/{public_meeting.id}").get_data(as_text=True)
    assert "Ada Lovelace" in listing and "Lovelce" not in listing


def test_nothing_changes_while_zoom_cannot_be_reached(
    app: Flask, session: Session, public_meeting: Meeting, zoom_fake: ZoomFake
) -> None:
    assert register(app.test_client(), public_meeting, name="Ada Lovelce").status_code == 302
    ada = _newest(session)
    visitor = _signed_in(app, session, ada)
    run_push(app)
    with zoom_fake.down():
        status, page = _correct(visitor, name="Ada Lovelace")
    assert status == 400
    assert "Zoom could not be reached, so nothing was changed: please try again in a few" in page
    assert 'value="Ada Lovelace"' in page  # what she typed is kept for the next try
    person = _newest(session)
    assert person.name == "Ada Lovelce" and person.push_state is PushState.PUSHED
    assert [p[:2] for p in _zoom_people(zoom_fake, public_meeting)] == [("Ada", "Lovelce")]


def test_bad_corrections_are_refused_with_a_message_on_the_page(
    app: Flask, session: Session, public_meeting: Meeting, zoom_fake: ZoomFake
) -> None:
    assert register(app.test_client(), public_meeting).status_code == 302
    ada = _newest(session)
    visitor = _signed_in(app, session, ada)
    for name, message in (
        ("", "Enter your name."),
        ("   ", "Enter your name."),
        ("A" * 201, "Field cannot be longer than 200 characters."),
        ("Ada Lovelace", "Those are the names we hold already: nothing was changed."),
    ):
        status, page = _correct(visitor, name=name)
        assert status == 400, name
        assert "Please correct the following" in page and message in page
    assert visitor.post("/manage/correct", data={"name": "Eve"}).status_code == 400  # no CSRF
    assert _newest(session).name == "Ada Lovelace"
    assert zoom_fake.calls("DELETE", "/registrants") == []

    # A cancelled registration has nothing left to correct.
    visitor.post("/manage/cancel", data={"csrf_token": csrf_token(visitor, "/manage")})
    assert "Correct my name" not in visitor.get("/manage").get_data(as_text=True)
    status, page = _correct(visitor, name="Ada King")
    assert status == 200  # back to the page, which says why
    assert "Only a registration that is still active can be corrected." in page


def test_a_guardian_corrects_both_names_before_the_push_without_asking_zoom(
    app: Flask, session: Session, children_meeting: Meeting, zoom_fake: ZoomFake
) -> None:
    assert register_child(app.test_client(), children_meeting).status_code == 302
    tom = _newest(session)
    visitor = _signed_in(app, session, tom)
    page = visitor.get("/manage").get_data(as_text=True)
    assert 'value="Ann Young"' in page and "will stop working" not in page  # no link yet

    status, page = _correct(visitor, name="Tom Young", guardian_name="")
    assert status == 400 and "Enter the parent or guardian&#39;s name." in page
    status, page = _correct(visitor, name="Thomas Young", guardian_name="Anne Young")
    assert status == 200 and "Your name is corrected." in page
    assert "new joining link" not in page
    assert zoom_fake.calls("DELETE", "/registrants") == []
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "registrant.corrected")
    ).one()
    assert event.details == {"fields": "name, guardian_name", "new_link": False}

    # The push registers him at Zoom under the corrected name.
    assert run_push(app).pushed == 1
    assert [p[:2] for p in _zoom_people(zoom_fake, children_meeting)] == [("Thomas", "Young")]
    person = _newest(session)
    assert (person.name, person.guardian_name) == ("Thomas Young", "Anne Young")
