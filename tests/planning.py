"""Connecting accounts and planning meetings through vcsafe's own services, on the fakes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from vcsafe.app import providers_of, secrets_of
from vcsafe.models import (
    Audience,
    Meeting,
    Organisation,
    ProviderAccount,
    ProviderKind,
    RecordingPolicy,
    User,
    utcnow,
)
from vcsafe.providers.base import ProviderCredentials
from vcsafe.services import meetings, provider_accounts


def connect(
    app: Flask,
    session: Session,
    organisation: Organisation,
    credentials: ProviderCredentials,
    kind: ProviderKind,
    label: str = "Parish Teams",
) -> ProviderAccount:
    """An account connected as the console does it, pointed at a local fake."""
    return provider_accounts.connect_account(
        session,
        organisation,
        provider_accounts.AccountDetails(
            kind=kind,
            label=label,
            tenant=credentials.tenant,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            host_user=credentials.host_user,
            webhook_secret=credentials.webhook_secret,
            api_base_url=credentials.api_base_url,
            auth_base_url=credentials.auth_base_url,
        ),
        box=secrets_of(app),
        actor=None,
    )


def plan(
    app: Flask,
    session: Session,
    organisation: Organisation,
    account: ProviderAccount,
    actor: User | None,
    **choices: Any,
) -> Meeting:
    """A meeting planned through the service and created at the provider; committed.
    `choices` override MeetingChoices fields (`starts_in` gives the start as a timedelta)."""
    starts_in: timedelta = choices.pop("starts_in", timedelta(days=5))
    zone = choices.get("timezone", "UTC")
    starts = (utcnow() + starts_in).astimezone(ZoneInfo(zone))
    values: dict[str, Any] = {
        "title": "Parish council open meeting",
        "provider_account_id": account.id,
        "starts_local": starts.replace(tzinfo=None, second=0, microsecond=0),
        "timezone": zone,
        "duration_minutes": 60,
        "capacity": 100,
        "audience": Audience.ADULTS,
        "recording_policy": RecordingPolicy.WITH_CONSENT,
        "code_of_conduct_version_id": None,
        "registrant_retention_days": 0,
        "recording_retention_days": 30,
        "offer_future_contact": False,
    } | choices
    if actor is None:
        actor = session.scalars(
            select(User).where(User.organisation_id == organisation.id).limit(1)
        ).first() or factories.user(session, organisation)
    meeting = meetings.plan_meeting(
        session,
        organisation,
        meetings.MeetingChoices(**values),
        provider_for=providers_of(app),
        box=secrets_of(app),
        actor=actor,
        now=utcnow(),
    )
    session.commit()
    assert meeting.provider_meeting_id, meeting.provider_error
    return meeting
