"""Fuzzing the console's forms as a signed-in admin: every answer is clear (never a 500 or a
stack trace), and a refused form writes nothing at all."""

from __future__ import annotations

import itertools

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.security.fuzz import FUZZ, assert_handled, form_of
from vcsafe.models import Base, Organisation, User

# Each console form, by URL template, with the fields it has and a good submission that the
# hostile changes are applied to (so cases get past the first check, into the services).
TARGETS: dict[str, tuple[list[str], dict[str, str]]] = {
    "/console/codes": (["title", "body"], {"title": "House rules", "body": "Be kind."}),
    "/console/codes/{code}": (["body"], {"body": "Be kinder."}),
    "/console/incidents/new": (
        [
            "kind",
            "meeting_id",
            "summary",
            "occurred_at",
            "discovered_at",
            "affected_count",
            "actions_taken",
        ],
        {
            "kind": "breach",
            "meeting_id": "0",
            "summary": "A list was emailed to all",
            "occurred_at": "2026-11-01T10:00",
            "discovered_at": "2026-11-01T11:00",
            "affected_count": "12",
            "actions_taken": "Recalled the email.",
        },
    ),
    "/console/incidents/{incident}": (["status"], {"status": "reported"}),
    "/console/organisation": (
        [
            "name",
            "age_threshold",
            "max_registrant_retention_days",
            "default_code_of_conduct_id",
            "incident_contact",
        ],
        {
            "name": "Harbour Heritage Trust",
            "age_threshold": "13",
            "max_registrant_retention_days": "90",
            "default_code_of_conduct_id": "0",
            "incident_contact": "safe@harbour.example",
        },
    ),
    "/console/users": (
        ["name", "email", "role", "password"],
        {
            "name": "New Person",
            "email": "new@harbour.example",
            "role": "organiser",
            "password": "a long enough password",
        },
    ),
    "/console/users/{user}": (["role", "active"], {"role": "organiser", "active": "y"}),
    "/console/accounts": (
        ["kind", "label", "tenant", "client_id", "client_secret", "host_user", "webhook_secret"],
        {
            "kind": "zoom",
            "label": "Events Zoom",
            "tenant": "acct",
            "client_id": "cid",
            "client_secret": "secret",
            "host_user": "me",
            "webhook_secret": "whs",
        },
    ),
    "/console/meetings/{meeting}/legal-hold": (
        ["action", "reason"],
        {"reason": "A complaint is being investigated"},
    ),
    "/console/account/password": (
        ["current", "new", "confirm"],
        {
            "current": factories.PASSWORD,
            "new": "another long password",
            "confirm": "another long password",
        },
    ),
}


def _row_counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def test_console_forms(
    app: Flask, client: FlaskClient, session: Session, organisation: Organisation, admin: User
) -> None:
    ids = {
        "code": factories.code_of_conduct(session, organisation).code_of_conduct_id,
        "incident": factories.incident(session, organisation).id,
        "user": factories.user(session, organisation).id,
        "meeting": factories.meeting(session, organisation).id,
    }
    session.commit()
    sign_in(client, admin)
    token = csrf_token(client, "/console/")
    unique = itertools.count()
    outcomes: dict[int, int] = {}

    @FUZZ
    @given(
        target=st.sampled_from(sorted(TARGETS)),
        changes=st.data(),
    )
    def case(target: str, changes: st.DataObject) -> None:
        fields, good = TARGETS[target]
        hostile = changes.draw(form_of(fields))
        n = next(unique)
        # Names that must be unique get a fresh one, so good cases can succeed again.
        fresh = {k: f"{v} {n}" for k, v in good.items() if k in ("label", "title")}
        if "email" in good:
            fresh["email"] = f"new{n}@harbour.example"
        url = target.format(**ids)
        before = _row_counts(session)
        response = client.post(url, data=good | fresh | hostile | {"csrf_token": token})
        assert_handled(response, f"POST {url}")
        outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1
        if response.status_code >= 400:
            assert _row_counts(session) == before, f"POST {url} refused but wrote something"

    case()
    # Both kinds of answer were reached: refusals with messages, and accepted forms.
    assert outcomes.get(302, 0) >= 10 and outcomes.get(400, 0) >= 10, outcomes
