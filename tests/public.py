"""Fixtures for the public pages: a meeting open for registration, and a way to register."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests import factories
from tests.conftest import csrf_token
from tests.planning import connect, plan
from vcsafe.models import (
    Audience,
    Meeting,
    Organisation,
    OutboundEmail,
    ProviderKind,
    RecordingPolicy,
)
from vcsafe.providers.base import ProviderCredentials


@pytest.fixture
def public_meeting(
    app: Flask,
    session: Session,
    organisation: Organisation,
    zoom_credentials: ProviderCredentials,
) -> Meeting:
    """A Zoom meeting (on the Zoom fake, created there by vcsafe's planning service) with a code
    of conduct, recording by consent and a future-contact opt-in."""
    organisation.incident_contact = "safeguarding@harbour.example"
    version = factories.code_of_conduct(session, organisation, body="Be kind.\nNo harassment.")
    account = connect(
        app, session, organisation, zoom_credentials, ProviderKind.ZOOM, "Events Zoom"
    )
    return plan(
        app,
        session,
        organisation,
        account,
        None,
        title="Harbour history talk",
        code_of_conduct_version_id=version.id,
        recording_policy=RecordingPolicy.WITH_CONSENT,
        offer_future_contact=True,
        registrant_retention_days=7,
        capacity=50,
        starts_in=timedelta(days=3),
        timezone="Europe/London",
    )


@pytest.fixture
def children_meeting(app: Flask, session: Session, public_meeting: Meeting) -> Meeting:
    """A meeting that may include children, planned on the same Zoom account: the children's
    profile is forced whatever else was asked (here: recording by consent)."""
    account = public_meeting.provider_account
    assert account is not None
    return plan(
        app,
        session,
        public_meeting.organisation,
        account,
        None,
        title="Rock pooling for families",
        audience=Audience.MAY_INCLUDE_CHILDREN,
        code_of_conduct_version_id=public_meeting.code_of_conduct_version_id,
        recording_policy=RecordingPolicy.WITH_CONSENT,
        registrant_retention_days=7,
        starts_in=timedelta(days=3),
        timezone="Europe/London",
    )


def register(client: FlaskClient, meeting: Meeting, **fields: Any) -> TestResponse:
    """Submit the registration form as a browser would (with its CSRF token)."""
    url = f"/m/{meeting.public_slug}"
    # A closed meeting's page has no form: use the session's token as a page opened earlier had.
    page_has_form = 'name="csrf_token"' in client.get(url).get_data(as_text=True)
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "accept_code": "y",
        "recording": "yes",
        "csrf_token": csrf_token(client, url if page_has_form else "/sign-in"),
    } | fields
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def register_child(client: FlaskClient, meeting: Meeting) -> TestResponse:
    """Register Tom Young, a child, with his guardian Ann Young's consent (ann@example.org)."""
    return register(
        client,
        meeting,
        name="Tom Young",
        email="tom@example.org",
        age_band="child",
        guardian_name="Ann Young",
        guardian_email="ann@example.org",
        guardian_consent="y",
    )


def manage_link(session: Session, registrant_id: int) -> str:
    """The private link from the newest email queued for a registrant."""
    sealed = session.scalars(
        select(OutboundEmail.body_encrypted)
        .where(OutboundEmail.registrant_id == registrant_id)
        .order_by(OutboundEmail.id.desc())
    ).first()
    assert sealed, "no email was queued"
    body = factories.BOX.decrypt(sealed)
    match = re.search(r"https?://[^\s]+/manage/([A-Za-z0-9_\-]+)", body)
    assert match, body
    return f"/manage/{match.group(1)}"
