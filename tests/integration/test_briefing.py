"""The host briefing: what to check, say and do, written from the meeting's own settings and
the people registered, with the provider's controls."""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests import factories
from tests.public import register, register_child
from vcsafe.models import Meeting, Organisation, ProviderKind


def _briefing(client: FlaskClient, meeting: Meeting) -> str:
    answer = client.get(f"/console/meetings/{meeting.id}/briefing")
    assert answer.status_code == 200
    return html.unescape(" ".join(answer.get_data(as_text=True).split()))


def test_a_recorded_zoom_meeting(
    app: Flask, admin_client: FlaskClient, public_meeting: Meeting
) -> None:
    for n in range(2):
        answer = register(app.test_client(), public_meeting, email=f"p{n}@example.org")
        assert answer.status_code == 302
    meeting_page = " ".join(
        admin_client.get(f"/console/meetings/{public_meeting.id}").get_data(as_text=True).split()
    )
    assert f'href="/console/meetings/{public_meeting.id}/briefing">Host briefing</a>' in (
        meeting_page
    )

    text = _briefing(admin_client, public_meeting)
    assert "on Zoom." in text
    assert (
        "People wait in the waiting room until you admit them: admit only names you expect "
        "(the 2 people registered are listed on the meeting page)."
    ) in text
    assert "Automatic recording is on: nobody registered has said no to it." in text
    assert (
        "This meeting is recorded, as you agreed when you registered. The recording is kept "
        "for 30 days and then deleted."
    ) in text
    assert "The chat is for messages to the hosts only" in text
    assert "or write to safeguarding@harbour.example." in text
    assert "Stop the recording before a break" in text
    assert "remove their registration on the meeting page so their link stops working" in text
    assert "<td>Delete a chat message</td>" in text
    assert "<td>Stop everything at once</td><td>Security, then Suspend Participant" in text
    # The pinned code in full, and when the registrants' data goes.
    assert 'version 1)</h2> <pre class="code-text">Be kind. No harassment.</pre>' in text
    assert "vcsafe deletes the registrants' data on" in text and ", at Zoom too," in text


def test_someone_refusing_recording_changes_what_the_host_says(
    app: Flask, admin_client: FlaskClient, public_meeting: Meeting
) -> None:
    assert register(app.test_client(), public_meeting, recording="no").status_code == 302
    text = _briefing(admin_client, public_meeting)
    assert (
        "1 person said no to being recorded, so automatic recording is off. Do not record, "
        "unless each of them agrees during the meeting."
    ) in text
    assert "This meeting is not recorded." in text
    assert "Stop the recording before a break" not in text


def test_a_meeting_with_children(
    app: Flask, admin_client: FlaskClient, children_meeting: Meeting
) -> None:
    child = register_child(app.test_client(), children_meeting)
    assert child.status_code == 302
    text = _briefing(admin_client, children_meeting)
    assert "1 child under 13 registered, each with a parent's or guardian's consent." in text
    assert (
        "Do not record this meeting: meetings that may include children are never recorded."
    ) in text
    assert "The chat is switched off for this meeting." in text
    assert "Delete offensive chat messages" not in text
    assert "Tom" not in text and "Ann" not in text  # counts, never names


def test_a_teams_meeting_names_teams_controls(
    session: Session, organisation: Organisation, admin_client: FlaskClient
) -> None:
    account = factories.provider_account(
        session, organisation, kind=ProviderKind.TEAMS, label="Parish Teams"
    )
    meeting = factories.meeting(session, organisation, provider_account_id=account.id)
    session.commit()
    text = _briefing(admin_client, meeting)
    assert "on Microsoft Teams." in text
    assert "admit only names you expect (nobody has registered yet)." in text
    assert "Do not record this meeting: nobody was asked to agree to it." in text
    assert "People wait in the lobby until you admit them" in text
    assert "<td>Remove someone</td><td>People, More options (…) by their name" in text
    assert "Suspend Participant Activities" not in text
    # Teams has one link for everyone, and no chat for the hosts only (vcsafe turns it off).
    assert "should they come back, leave them in the lobby" in text
    assert "lock the meeting and mute everyone first" in text
    assert "The chat is switched off for this meeting." in text
    assert "Delete a chat message" not in text


def test_another_organisations_meeting_is_not_found(
    session: Session, admin_client: FlaskClient
) -> None:
    other = factories.organisation(session, name="Elsewhere")
    meeting = factories.meeting(session, other)
    session.commit()
    assert admin_client.get(f"/console/meetings/{meeting.id}/briefing").status_code == 404
