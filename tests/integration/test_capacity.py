"""How full a meeting is follows every way people come and go (kept by triggers, 0012)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.public import manage_link, register
from vcsafe.app import mail_eraser_of, providers_of, secrets_of
from vcsafe.db import db
from vcsafe.models import Meeting, Registrant, RegistrantStatus, utcnow
from vcsafe.services import lifecycle, purge


def _page(client: FlaskClient, meeting: Meeting) -> str:
    return client.get(f"/m/{meeting.public_slug}").get_data(as_text=True)


def _is_full(client: FlaskClient, meeting: Meeting) -> bool:
    page = _page(client, meeting)
    return "the meeting is full" in page and 'name="name"' not in page


def _counted(session: Session, meeting: Meeting) -> tuple[int, int]:
    """(what the meeting row says, what counting its active registrants says)."""
    session.expire_all()
    kept = session.scalar(select(Meeting.active_registrants).where(Meeting.id == meeting.id))
    counted = session.scalar(
        select(func.count(Registrant.id)).where(
            Registrant.meeting_id == meeting.id, Registrant.status == RegistrantStatus.ACTIVE
        )
    )
    return kept or 0, counted or 0


def _through_manage_link(app: Flask, session: Session, email: str, action: str) -> None:
    """The registrant with `email` opens their private link and presses `action`."""
    person = session.scalars(select(Registrant).where(Registrant.email == email)).one()
    with app.test_client() as own_browser:
        assert own_browser.get(manage_link(session, person.id)).status_code == 302
        answer = own_browser.post(
            f"/manage/{action}", data={"csrf_token": csrf_token(own_browser, "/manage")}
        )
        assert answer.status_code in (200, 302)


def test_places_freed_by_cancelling_or_erasing_open_the_meeting_again(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    public_meeting.capacity = 2
    session.commit()
    for email in ("ada@example.org", "grace@example.org"):
        assert register(client, public_meeting, email=email).status_code == 302
    assert _is_full(client, public_meeting)
    assert register(client, public_meeting, email="late@example.org").status_code == 409
    assert _counted(session, public_meeting) == (2, 2)

    _through_manage_link(app, session, "ada@example.org", "cancel")
    assert _counted(session, public_meeting) == (1, 1)
    assert not _is_full(client, public_meeting)
    assert register(client, public_meeting, email="late@example.org").status_code == 302
    assert _is_full(client, public_meeting)

    _through_manage_link(app, session, "grace@example.org", "erase")
    assert _counted(session, public_meeting) == (1, 1)
    assert not _is_full(client, public_meeting)


def test_the_purge_and_a_deleted_meeting_leave_the_numbers_right(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    for n in range(5):
        assert register(client, public_meeting, email=f"p{n}@example.org").status_code == 302
    assert _counted(session, public_meeting) == (5, 5)
    lifecycle.meeting_ended(
        session, public_meeting, ended_at=utcnow() - timedelta(days=8), source="test"
    )
    session.commit()

    report = purge.run(
        db.factory(app),
        providers_of(app),
        now=utcnow(),
        erase_mail_copies=mail_eraser_of(app),
        base_url="http://vcsafe.test",
        box=secrets_of(app),
    )

    assert report.registrants == 5
    assert _counted(session, public_meeting) == (0, 0)


def test_a_meeting_can_be_deleted_with_its_registrants(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    for n in range(3):
        assert register(client, public_meeting, email=f"p{n}@example.org").status_code == 302
    session.execute(delete(Meeting).where(Meeting.id == public_meeting.id))
    session.commit()  # the count's trigger meets a meeting row that is already gone
    assert session.scalar(select(func.count(Registrant.id))) == 0
