"""The registrant's private link: see, download, withdraw, accept, cancel, erase."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.fakes.zoom import ZoomFake
from tests.public import manage_link, register
from vcsafe.app import providers_of, secrets_of
from vcsafe.db import db
from vcsafe.formatting import local_time
from vcsafe.jobs.worker import run_cleanup, run_push
from vcsafe.models import (
    AuditEvent,
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    Contact,
    Meeting,
    OutboundEmail,
    RecordingPolicy,
    Registrant,
    RegistrantStatus,
    utcnow,
)
from vcsafe.services import registrant_push


def _registered(client: FlaskClient, session: Session, meeting: Meeting, **kw: str) -> Registrant:
    assert register(client, meeting, **kw).status_code == 302
    session.expire_all()
    return session.scalars(select(Registrant).order_by(Registrant.id.desc())).first()


def _open(client: FlaskClient, session: Session, registrant: Registrant) -> str:
    """Follow the private link; return the manage page."""
    arrive = client.get(manage_link(session, registrant.id))
    assert arrive.status_code == 302 and arrive.headers["Location"] == "/manage"
    assert arrive.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/manage")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_link_shows_everything_held(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    person = _registered(client, session, public_meeting)
    page = _open(client, session, person)
    assert "Ada Lovelace" in page and "ada@example.org" in page
    # Each decision in words, at the time the meeting's own zone gives it.
    when = local_time(person.created_at, public_meeting.timezone)
    assert f"Code of conduct: granted</strong> on {when}." in " ".join(page.split())

    download = client.get("/manage/data.json")
    data = json.loads(download.get_data(as_text=True))
    assert data["registrant"]["email"] == "ada@example.org"
    assert {c["purpose"] for c in data["consents"]} >= {"code_of_conduct", "recording"}
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_the_personal_join_link_is_shown_once_issued(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting, zoom_fake: ZoomFake
) -> None:
    """The link is stored encrypted; the person sees it in their download as Zoom issued it."""
    person = _registered(client, session, public_meeting)
    assert "Not issued yet" in _open(client, session, person)
    assert json.loads(client.get("/manage/data.json").data)["registrant"]["join_link"] is None

    report = registrant_push.push_due(
        db.factory(app), providers_of(app), box=secrets_of(app), now=utcnow()
    )

    assert report.pushed == 1
    [at_zoom] = zoom_fake.registrants(public_meeting.provider_meeting_id or "")
    assert "Issued" in client.get("/manage").get_data(as_text=True)
    held = json.loads(client.get("/manage/data.json").data)
    assert held["registrant"]["join_link"] == at_zoom["join_url"]
    session.expire_all()
    stored = session.get(Registrant, person.id)
    assert stored is not None and stored.join_url_encrypted is not None
    assert at_zoom["join_url"].encode() not in stored.join_url_encrypted


def test_wrong_or_expired_links_show_nothing(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    assert client.get("/manage/not-a-real-token").status_code == 404
    assert client.get("/manage").status_code == 404
    person = _registered(client, session, public_meeting)
    person.manage_token_expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert client.get(manage_link(session, person.id)).status_code == 404


def test_withdrawing_recording_adds_to_the_ledger(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    person = _registered(client, session, public_meeting)
    _open(client, session, person)
    response = client.post(
        "/manage/withdraw-recording",
        data={"csrf_token": csrf_token(client, "/manage")},
        follow_redirects=True,
    )
    assert "Your consent to recording is withdrawn." in response.get_data(as_text=True)
    decisions = session.scalars(
        select(ConsentRecord.decision)
        .where(
            ConsentRecord.registrant_id == person.id,
            ConsentRecord.purpose == ConsentPurpose.RECORDING,
        )
        .order_by(ConsentRecord.id)
    ).all()
    assert decisions == [ConsentDecision.GRANTED, ConsentDecision.WITHDRAWN]


def test_a_withdrawal_while_the_provider_is_down_still_switches_recording_off(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting, zoom_fake: ZoomFake
) -> None:
    zoom_id = public_meeting.provider_meeting_id or ""
    person = _registered(client, session, public_meeting)
    _open(client, session, person)
    assert run_push(app).pushed == 1  # she has her link: the push has nothing more to do
    with zoom_fake.down():
        response = client.post(
            "/manage/withdraw-recording",
            data={"csrf_token": csrf_token(client, "/manage")},
            follow_redirects=True,
        )
    assert "Your consent to recording is withdrawn." in response.get_data(as_text=True)
    assert zoom_fake.meeting(zoom_id)["settings"]["auto_recording"] == "cloud"

    run_push(app)  # the worker's next run, Zoom back
    assert zoom_fake.meeting(zoom_id)["settings"]["auto_recording"] == "none"
    session.expire_all()
    assert session.get(Meeting, public_meeting.id).safety_settings["auto_recording"] is False
    run_push(app)  # and only once
    assert (
        len(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == "meeting.auto_recording_off")
            ).all()
        )
        == 1
    )


def test_someone_who_said_no_can_agree_to_recording_later(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    person = _registered(client, session, public_meeting, recording="no")
    assert person.refused_recording
    page = _open(client, session, person)
    assert "I agree to be recorded after all" in page
    assert "Withdraw my consent to recording" not in page

    response = client.post(
        "/manage/give-recording-consent",
        data={"csrf_token": csrf_token(client, "/manage")},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "your consent to recording is on record" in page
    assert "Withdraw my consent to recording" in page  # and back again, if they wish
    session.expire_all()
    assert not person.refused_recording  # the organiser's count of refusals goes down
    records = session.scalars(
        select(ConsentRecord)
        .where(
            ConsentRecord.registrant_id == person.id,
            ConsentRecord.purpose == ConsentPurpose.RECORDING,
        )
        .order_by(ConsentRecord.id)
    ).all()
    assert [r.decision for r in records] == [ConsentDecision.REFUSED, ConsentDecision.GRANTED]
    assert records[1].text_sha256 == records[0].text_sha256  # the same notice, agreed to now

    again = client.post(
        "/manage/give-recording-consent",
        data={"csrf_token": csrf_token(client, "/manage")},
        follow_redirects=True,
    )
    assert "You have already agreed to be recorded." in again.get_data(as_text=True)


def _future_contact_decisions(session: Session, registrant_id: int) -> list[ConsentDecision]:
    return list(
        session.scalars(
            select(ConsentRecord.decision)
            .where(
                ConsentRecord.registrant_id == registrant_id,
                ConsentRecord.purpose == ConsentPurpose.FUTURE_CONTACT,
            )
            .order_by(ConsentRecord.id)
        )
    )


def test_an_opt_in_to_future_events_can_be_withdrawn_and_nothing_is_kept(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    person = _registered(client, session, public_meeting, future_contact="y")
    person_id = person.id
    page = _open(client, session, person)
    assert "Stop emails about future events" in page
    done = client.post(
        "/manage/stop-future-contact",
        data={"csrf_token": csrf_token(client, "/manage")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "you will not be emailed about future events" in done
    assert "Email me about future events" in done  # and the page offers the way back
    session.expire_all()
    assert _future_contact_decisions(session, person_id) == [
        ConsentDecision.GRANTED,
        ConsentDecision.WITHDRAWN,
    ]
    hashes = set(
        session.scalars(
            select(ConsentRecord.text_sha256).where(
                ConsentRecord.registrant_id == person_id,
                ConsentRecord.purpose == ConsentPurpose.FUTURE_CONTACT,
            )
        )
    )
    assert len(hashes) == 1  # the same opt-in text, now withdrawn

    # Cancelled and cleaned up: nothing of her is kept for future events.
    client.post("/manage/cancel", data={"csrf_token": csrf_token(client, "/manage")})
    run_cleanup(app)
    session.expire_all()
    assert session.get(Registrant, person_id) is None
    assert session.scalars(select(Contact)).all() == []


def test_someone_who_said_no_to_future_events_can_say_yes_later(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    person = _registered(client, session, public_meeting)
    assert not person.future_contact
    _open(client, session, person)
    done = client.post(
        "/manage/start-future-contact",
        data={"csrf_token": csrf_token(client, "/manage")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "you may be emailed about future events" in done
    session.expire_all()
    assert person.future_contact
    assert _future_contact_decisions(session, person.id) == [
        ConsentDecision.REFUSED,
        ConsentDecision.GRANTED,
    ]
    again = client.post(
        "/manage/start-future-contact",
        data={"csrf_token": csrf_token(client, "/manage")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "You are already on the list for emails about future events." in again


def test_a_cancelled_registration_cannot_agree_to_recording(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    person = _registered(client, session, public_meeting, recording="no")
    _open(client, session, person)
    client.post("/manage/cancel", data={"csrf_token": csrf_token(client, "/manage")})
    page = client.post(
        "/manage/give-recording-consent",
        data={"csrf_token": csrf_token(client, "/manage")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Your registration is cancelled, so there is nothing to agree to." in page
    session.expire_all()
    assert person.refused_recording


def test_withdrawing_a_required_consent_cancels(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    public_meeting.recording_policy = RecordingPolicy.REQUIRED
    session.commit()
    person = _registered(client, session, public_meeting, recording_required="y")
    _open(client, session, person)
    client.post("/manage/withdraw-recording", data={"csrf_token": csrf_token(client, "/manage")})
    session.expire_all()
    assert person.status is RegistrantStatus.CANCELLED
    assert person.purge_due_at is not None


def test_cancel_makes_the_data_due_for_deletion(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    person = _registered(client, session, public_meeting)
    _open(client, session, person)
    answer = client.post(
        "/manage/cancel", data={"csrf_token": csrf_token(client, "/manage")}, follow_redirects=True
    )
    # The default worker cleans up every 15 minutes (config/default.toml).
    assert "deleted at the next cleanup, within 15 minutes." in answer.get_data(as_text=True)
    session.expire_all()
    assert person.status is RegistrantStatus.CANCELLED
    assert person.purge_due_at is not None and person.purge_due_at <= utcnow()


def test_erase_now_leaves_nothing(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    person = _registered(client, session, public_meeting)
    person_id = person.id
    _open(client, session, person)
    response = client.post("/manage/erase", data={"csrf_token": csrf_token(client, "/manage")})
    assert "Your data is erased" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Registrant, person_id) is None
    assert session.scalars(select(ConsentRecord)).all() == []
    assert session.scalars(select(OutboundEmail)).all() == []
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "registrant.erased"))
    assert "ada@example.org" not in repr([e.details for e in events])
    assert client.get("/manage").status_code == 404  # the link is dead


def test_erase_while_the_provider_is_down_is_finished_by_the_cleanup(
    app: Flask, client: FlaskClient, session: Session, public_meeting: Meeting, zoom_fake: ZoomFake
) -> None:
    zoom_id = public_meeting.provider_meeting_id or ""
    person = _registered(client, session, public_meeting)
    person_id = person.id
    link = manage_link(session, person_id)
    _open(client, session, person)
    assert run_push(app).pushed == 1
    assert len(zoom_fake.registrants(zoom_id)) == 1

    with zoom_fake.down():
        response = client.post("/manage/erase", data={"csrf_token": csrf_token(client, "/manage")})
    page = " ".join(response.get_data(as_text=True).split())
    assert response.status_code == 200
    assert "Your data will be erased shortly" in page
    assert "it tries again every 15 minutes until the provider answers" in page
    assert client.get("/manage").status_code == 404
    assert client.get(link).status_code == 404  # the link is dead already, as the page says
    session.expire_all()
    assert session.get(Registrant, person_id).status is RegistrantStatus.ERASURE_REQUESTED

    run_cleanup(app)  # the worker's next cleanup, Zoom back
    session.expire_all()
    assert session.get(Registrant, person_id) is None
    assert zoom_fake.registrants(zoom_id) == []


def test_a_new_code_version_is_accepted_through_the_link(
    client: FlaskClient, session: Session, public_meeting: Meeting, admin_client: FlaskClient
) -> None:
    from tests.integration.test_manage_helpers import publish_v2_and_move

    person = _registered(client, session, public_meeting)
    publish_v2_and_move(admin_client, public_meeting)
    page = _open(client, session, person)  # the newest email carries a fresh link
    assert "The code of conduct was updated" in page
    client.post("/manage/accept-code", data={"csrf_token": csrf_token(client, "/manage")})
    assert "The code of conduct was updated" not in client.get("/manage").get_data(as_text=True)
