"""Registering on the public page: consents recorded, nothing lost, nothing duplicated."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import app_overrides
from tests.factories import BOX
from tests.mail import Inbox
from tests.public import register
from vcsafe.app import create_app
from vcsafe.db import db
from vcsafe.models import (
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    Meeting,
    OutboundEmail,
    PushState,
    RecordingPolicy,
    Registrant,
    RegistrantStatus,
    utcnow,
)
from vcsafe.services import notices, outbox


def _registrants(session: Session) -> list[Registrant]:
    session.expire_all()
    return list(session.scalars(select(Registrant)))


def _decisions(session: Session, registrant: Registrant) -> dict[ConsentPurpose, ConsentRecord]:
    records = session.scalars(
        select(ConsentRecord).where(ConsentRecord.registrant_id == registrant.id)
    )
    return {r.purpose: r for r in records}


def test_page_shows_everything_before_anyone_types(
    client: FlaskClient, public_meeting: Meeting
) -> None:
    response = client.get(f"/m/{public_meeting.public_slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Harbour history talk" in page
    assert "Be kind.\nNo harassment." in page  # the pinned code of conduct, in full
    assert "deleted permanently 30 days after it is made" in page  # recording notice
    assert "deleted 7 days after the meeting ends" in page  # privacy notice from the settings
    assert "This page sets one cookie, only to protect the form against forgery" in page
    # One cookie, as the notice says, for the browser's session only; then nothing more.
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("vcsafe_session=")
    assert "Expires" not in cookies[0]
    again = client.get(f"/m/{public_meeting.public_slug}")
    assert again.status_code == 200 and again.headers.getlist("Set-Cookie") == []
    assert "checked" not in page  # every choice starts unticked
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_privacy_notice_reads_as_short_paragraphs_in_plain_words(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    public_meeting.registrant_retention_days = 0
    session.commit()
    page = client.get(f"/m/{public_meeting.public_slug}").get_data(as_text=True)
    notice = page.split('<div id="privacy-text">')[1].split("</div>")[0]
    assert notice.count("<p>") >= 5  # one subject per paragraph, not one block of text
    assert "Your details are deleted at the first cleanup after the meeting ends" in notice


def test_unknown_address_is_404(client: FlaskClient) -> None:
    assert client.get("/m/not-a-meeting").status_code == 404


def test_adult_registers_and_every_decision_is_on_the_ledger(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    response = register(client, public_meeting, recording="no")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/m/{public_meeting.public_slug}/registered"

    [person] = _registrants(session)
    assert (person.name, person.email) == ("Ada Lovelace", "ada@example.org")
    assert person.push_state is PushState.PENDING  # stored first; the worker pushes it
    decisions = _decisions(session, person)
    coc = decisions[ConsentPurpose.CODE_OF_CONDUCT]
    assert coc.decision is ConsentDecision.GRANTED
    assert coc.text_sha256 == public_meeting.code_of_conduct_version.sha256
    assert decisions[ConsentPurpose.RECORDING].decision is ConsentDecision.REFUSED
    assert (
        decisions[ConsentPurpose.RECORDING].text_sha256
        == notices.recording_notice(public_meeting).sha256
    )
    assert decisions[ConsentPurpose.FUTURE_CONTACT].decision is ConsentDecision.REFUSED
    assert decisions[ConsentPurpose.PRIVACY_NOTICE].decision is ConsentDecision.GRANTED
    [mail] = session.scalars(select(OutboundEmail)).all()
    assert mail.kind == "confirmation" and mail.to_address == "ada@example.org"
    body = BOX.decrypt(mail.body_encrypted or b"")
    assert "/manage/" in body and "Be kind." in body


def test_a_registration_writes_complete_rows(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    """On PostgreSQL the rows are written by one hand-written statement: each must come out
    as the models describe it, with every column the worker, the purge and the pages read."""
    before = utcnow()
    assert register(client, public_meeting, recording="yes", future_contact="y").status_code == 302
    [person] = _registrants(session)
    assert person.status is RegistrantStatus.ACTIVE
    assert (person.join_url_encrypted, person.push_attempts, person.purge_attempts) == (None, 0, 0)
    assert (person.provider_registrant_id, person.purge_due_at, person.purge_error) == (
        None,
        None,
        "",
    )
    assert person.future_contact and not person.refused_recording
    assert person.accepted_code_sha256 == public_meeting.code_of_conduct_version.sha256
    assert person.manage_token_hash and person.manage_token_expires_at > before
    assert before <= person.created_at <= utcnow() and person.next_push_at == person.created_at
    decisions = _decisions(session, person)
    assert set(decisions) == {
        ConsentPurpose.PRIVACY_NOTICE,
        ConsentPurpose.CODE_OF_CONDUCT,
        ConsentPurpose.RECORDING,
        ConsentPurpose.FUTURE_CONTACT,
    }
    assert {d.decision for d in decisions.values()} == {ConsentDecision.GRANTED}
    assert {d.given_by for d in decisions.values()} == {"registrant"}
    assert {d.recorded_at for d in decisions.values()} == {person.created_at}
    assert decisions[ConsentPurpose.PRIVACY_NOTICE].text_version == "privacy notice 3"
    [mail] = session.scalars(select(OutboundEmail)).all()
    assert (mail.registrant_id, mail.organisation_id) == (person.id, public_meeting.organisation_id)
    assert (mail.attempts, mail.sent_at, mail.last_error) == (0, None, "")
    assert mail.next_attempt_at == mail.created_at == person.created_at
    assert mail.subject == "You are registered: Harbour history talk"
    # The private link is in the body, which is kept encrypted until it is sent.
    assert mail.body_encrypted is not None and b"/manage/" not in mail.body_encrypted
    assert "/manage/" in BOX.decrypt(mail.body_encrypted)


def test_code_of_conduct_must_be_accepted(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    response = register(client, public_meeting, accept_code=None, name="Grace")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "You can only register if you accept the code of conduct." in page
    assert 'value="Grace"' in page
    assert _registrants(session) == []


def test_every_problem_is_named_on_the_first_try(
    client: FlaskClient, session: Session, children_meeting: Meeting
) -> None:
    response = register(
        client,
        children_meeting,
        name="",
        email="not an email",
        age_band="child",
        guardian_email="parent@example.org",
        accept_code=None,
        recording=None,
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for message in (
        "Enter your name.",
        "Enter an email address like name@example.org.",
        "You can only register if you accept the code of conduct.",
        "Enter the parent or guardian&#39;s name.",
        "a parent or guardian must give their consent.",
    ):
        assert message in page, message
    # The field's own check and the meeting's rule agree on a blank name: said once per place.
    assert page.count("Enter your name.") == 2  # the summary at the top, and by the field
    assert _registrants(session) == []


def test_recording_choice_must_be_made(client: FlaskClient, public_meeting: Meeting) -> None:
    response = register(client, public_meeting, recording=None)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose whether you agree to be recorded." in page
    # The summary's link leads to the question's group of choices.
    assert 'href="#recording"' in page and '<fieldset id="recording"' in page


def test_recording_as_a_condition_is_said_up_front_and_enforced(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    public_meeting.recording_policy = RecordingPolicy.REQUIRED
    session.commit()
    page = client.get(f"/m/{public_meeting.public_slug}").get_data(as_text=True)
    assert page.index("condition of joining") < page.index('name="name"')
    refused = register(client, public_meeting, recording=None)
    assert refused.status_code == 400
    assert "Recording is a condition of joining" in refused.get_data(as_text=True)
    assert register(client, public_meeting, recording_required="y").status_code == 302


def test_child_needs_a_guardian_who_gets_the_email(
    client: FlaskClient, session: Session, children_meeting: Meeting
) -> None:
    page = client.get(f"/m/{children_meeting.public_slug}").get_data(as_text=True)
    assert "Under 13" in page and "not recorded" in page
    response = register(client, children_meeting, age_band="child", recording=None)
    assert response.status_code == 400
    assert "Enter the parent or guardian&#39;s name." in response.get_data(as_text=True)

    response = register(
        client,
        children_meeting,
        age_band="child",
        recording=None,
        name="Tom",
        email="tom@example.org",
        guardian_name="Jane",
        guardian_email="jane@example.org",
    )
    assert response.status_code == 400
    assert "a parent or guardian must give their consent" in response.get_data(as_text=True)

    response = register(
        client,
        children_meeting,
        age_band="child",
        recording=None,
        name="Tom",
        email="tom@example.org",
        guardian_name="Jane",
        guardian_email="jane@example.org",
        guardian_consent="y",
    )
    assert response.status_code == 302
    [child] = _registrants(session)
    assert child.guardian_email == "jane@example.org"
    decisions = _decisions(session, child)
    assert decisions[ConsentPurpose.GUARDIAN].given_by == "guardian"
    assert ConsentPurpose.RECORDING not in decisions  # a children's meeting is never recorded
    [mail] = session.scalars(select(OutboundEmail)).all()
    assert mail.to_address == "jane@example.org"


def test_adults_only_meeting_refuses_a_child(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    assert "Your age" not in client.get(f"/m/{public_meeting.public_slug}").get_data(as_text=True)
    response = register(
        client,
        public_meeting,
        age_band="child",
        guardian_name="J",
        guardian_email="j@example.org",
        guardian_consent="y",
    )
    assert response.status_code == 400
    assert "This meeting is for people aged 13 and over." in response.get_data(as_text=True)


def test_same_email_twice_creates_no_duplicate(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    assert register(client, public_meeting).status_code == 302
    first_hash = _registrants(session)[0].manage_token_hash
    again = register(client, public_meeting, email="ADA@Example.org", name="Ada again")
    assert again.status_code == 302  # the same page: nothing tells a stranger who registered
    [person] = _registrants(session)
    assert person.name == "Ada Lovelace"
    assert person.manage_token_hash != first_hash  # a fresh private link was sent
    kinds = session.scalars(select(OutboundEmail.kind).order_by(OutboundEmail.id)).all()
    assert kinds == ["confirmation", "already_registered"]


def test_registration_closes_at_capacity_and_at_the_start(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    public_meeting.capacity = 1
    session.commit()
    assert register(client, public_meeting).status_code == 302
    full = register(client, public_meeting, email="late@example.org")
    assert full.status_code == 409
    assert "the meeting is full" in full.get_data(as_text=True)

    public_meeting.capacity = 10
    public_meeting.starts_at = utcnow() - timedelta(minutes=1)
    session.commit()
    page = client.get(f"/m/{public_meeting.public_slug}").get_data(as_text=True)
    assert "the meeting has started" in page
    assert 'name="name"' not in page


def test_honeypot_stores_nothing(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    response = register(client, public_meeting, website="http://spam.example")
    assert response.status_code == 302
    assert _registrants(session) == []


def test_oversized_and_malformed_fields_get_messages(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    response = register(client, public_meeting, name="x" * 5000, email="not-an-email")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Field cannot be longer than 200 characters." in page
    assert "Enter an email address like name@example.org." in page
    assert _registrants(session) == []


def test_script_in_a_name_is_shown_as_text(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    response = register(client, public_meeting, name="<script>alert(1)</script>", accept_code=None)
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_submissions_from_one_address_are_rate_limited(
    database_url: str, tmp_path: Path, session: Session, public_meeting: Meeting
) -> None:
    app = create_app(
        app_overrides(database_url, tmp_path, registration_limit_per_address="3 per minute")
    )
    client = app.test_client()
    answers = [register(client, public_meeting, email=f"p{n}@example.org") for n in range(4)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert "Please wait" in answers[3].get_data(as_text=True)
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 60  # the window is a minute
    db.factory(app).kw["bind"].dispose()


def test_confirmation_goes_out_through_smtp(
    database_url: str,
    tmp_path: Path,
    session: Session,
    public_meeting: Meeting,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    app = create_app(app_overrides(database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port))
    client = app.test_client()
    said = register(client, public_meeting, recording="no", future_contact="y")
    assert said.status_code == 302
    from vcsafe.app import mailer_of, secrets_of

    report = outbox.send_due(db.factory(app), mailer_of(app), secrets_of(app), now=utcnow())
    assert report.sent == 1
    [message] = inbox.to("ada@example.org")
    assert message["Subject"] == "You are registered: Harbour history talk"
    body = Inbox.body(message)
    assert "/manage/" in body
    # The email repeats what the person chose, as a receipt of their decisions.
    choices = body.split("Your choices:")[1].split("Your private link")[0].split()
    assert " ".join(choices) == (
        "- Being recorded: no, so automatic recording is switched off before your joining link "
        "is sent "
        "- Emails about future events: yes"
    )
    session.expire_all()
    sent = session.scalars(select(OutboundEmail)).one()
    assert sent.sent_at is not None and sent.body_encrypted is None and sent.to_address == ""
    db.factory(app).kw["bind"].dispose()


def test_registrations_keep_coming_while_nothing_is_pushed(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    for n in range(20):
        assert register(client, public_meeting, email=f"rush{n}@example.org").status_code == 302
    count = session.scalar(select(func.count(Registrant.id)))
    assert count == 20
