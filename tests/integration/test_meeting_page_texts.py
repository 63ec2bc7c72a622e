"""What an organiser reads on a meeting's page: the checklist's reasons, the address to share."""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.fakes.zoom import ZoomFake
from tests.planning import connect, plan
from tests.public import register
from vcsafe.formatting import counted
from vcsafe.models import Organisation, ProviderKind, User
from vcsafe.providers.base import ProviderCredentials


def test_counted_says_one_and_many_in_words() -> None:
    assert counted(1, "registrant") == "1 registrant"
    assert counted(0, "recording") == "0 recordings"
    assert counted(3, "registrant has", "registrants have") == "3 registrants have"


def test_reasons_count_people_and_days_in_plain_words(
    app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    admin_client: FlaskClient,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
) -> None:
    account = connect(app, session, organisation, zoom_credentials, ProviderKind.ZOOM, "Zoom")
    meeting = plan(
        app,
        session,
        organisation,
        account,
        admin,
        registrant_retention_days=0,
        recording_retention_days=1,
    )
    visitor = app.test_client()
    assert register(visitor, meeting, recording="no").status_code == 302

    page = html.unescape(admin_client.get(f"/console/meetings/{meeting.id}").get_data(as_text=True))
    assert "1 registrant refused recording" in page
    # The address to share is a link the organiser can open.
    assert f'<a href="http://127.0.0.1:8000/m/{meeting.public_slug}">' in page
    assert (
        "Registrant data is deleted at the first cleanup after the meeting and recordings "
        "1 day after they are made." in page
    )
