"""Demo mode: local Zoom and Teams fakes beside the app, a demo organisation and two meetings.

The fakes are the test suite's own (tests/fakes): real zoomus, msal and requests code talks to
them over loopback, and every request is checked against the official API descriptions.
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask

from vcsafe.app import providers_of, secrets_of
from vcsafe.db import db
from vcsafe.models import (
    CodeOfConduct,
    CodeOfConductVersion,
    Meeting,
    Organisation,
    ProviderAccount,
    ProviderKind,
    RecordingPolicy,
    utcnow,
)
from vcsafe.providers.base import ProviderCredentials
from vcsafe.services import accounts, planning, provider_accounts
from vcsafe.settings import PROJECT_ROOT

DEMO_ADMIN_EMAIL = "demo@vcsafe.invalid"
DEMO_CODE_OF_CONDUCT = """\
We want this meeting to be welcoming and safe for everyone.

1. Be kind and respectful. Harassment, hate speech and discrimination are not tolerated.
2. Do not share offensive, illegal or explicit content, in video, chat or screen share.
3. Do not record or photograph the meeting yourself.
4. Follow the host's instructions; the host may remove anyone who breaks this code.
5. If something worries you, tell the host or write to the incident contact.
"""


class DemoUnavailable(RuntimeError):
    """Demo mode needs the source checkout (its fakes live in tests/fakes)."""


@dataclass
class DemoStack:
    """The running fakes; stop() them when the app stops."""

    zoom: Any
    graph: Any

    def stop(self) -> None:
        self.zoom.stop()
        self.graph.stop()


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def start_fakes() -> DemoStack:
    """Start the Zoom and Microsoft fakes on free loopback ports."""
    if not (PROJECT_ROOT / "tests" / "fakes").is_dir():
        raise DemoUnavailable(
            "demo mode needs vcsafe's source checkout: its Zoom and Teams fakes are in tests/fakes"
        )
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    from tests.fakes.graph import GraphFake
    from tests.fakes.zoom import ZoomFake

    return DemoStack(zoom=ZoomFake().start(), graph=GraphFake().start())


def seed(app: Flask, stack: DemoStack) -> DemoLogin:
    """Create the demo organisation, its admin, both accounts and one sample meeting on each."""
    password = secrets.token_urlsafe(12)
    box = secrets_of(app)
    with db.begin(app) as session:
        admin = accounts.create_organisation(
            session,
            organisation_name="Demo Community Heritage Trust",
            email=DEMO_ADMIN_EMAIL,
            name="Demo Admin",
            password=password,
        )
        org = session.get(Organisation, admin.organisation_id)
        assert org is not None
        org.incident_contact = "safeguarding@demo.invalid"
        version = _code_of_conduct(session, org, admin.id)
        for kind, label, credentials in (
            (ProviderKind.ZOOM, "Demo Zoom", stack.zoom.provision_account()),
            (ProviderKind.TEAMS, "Demo Teams", stack.graph.provision_account()),
        ):
            account = _connect(session, org, kind, label, credentials, box)
            provider_accounts.check_connection(
                session, account, provider_for=providers_of(app), now=utcnow()
            )
            meeting = Meeting(
                organisation_id=org.id,
                provider_account_id=account.id,
                created_by_id=admin.id,
                title=f"Local history talk on {'Zoom' if kind is ProviderKind.ZOOM else 'Teams'}",
                starts_at=(utcnow() + timedelta(days=7)).replace(second=0, microsecond=0),
                duration_minutes=60,
                timezone="Europe/London",
                capacity=50,
                recording_policy=RecordingPolicy.WITH_CONSENT,
                code_of_conduct_version_id=version.id,
                public_slug=planning.new_public_slug(),
            )
            session.add(meeting)
            session.flush()
            planning.create_at_provider(
                session, meeting, providers_of(app)(account), box=box, actor=admin
            )
    return DemoLogin(email=DEMO_ADMIN_EMAIL, password=password)


def _code_of_conduct(session: Any, org: Organisation, admin_id: int) -> CodeOfConductVersion:
    coc = CodeOfConduct(organisation_id=org.id, title="Community code of conduct")
    session.add(coc)
    session.flush()
    version = CodeOfConductVersion(
        code_of_conduct_id=coc.id,
        number=1,
        body=DEMO_CODE_OF_CONDUCT,
        sha256=CodeOfConductVersion.hash_text(DEMO_CODE_OF_CONDUCT),
        published_by_id=admin_id,
    )
    session.add(version)
    session.flush()
    org.default_code_of_conduct_id = coc.id
    return version


def _connect(
    session: Any,
    org: Organisation,
    kind: ProviderKind,
    label: str,
    credentials: ProviderCredentials,
    box: Any,
) -> ProviderAccount:
    account = provider_accounts.connect_account(
        session,
        org,
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
        box=box,
        actor=None,
    )
    return account
