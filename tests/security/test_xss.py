"""Stored-XSS probes in every text field that is shown back, checked in a real browser: the
markup must arrive as text, never as elements, and no script may run."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.browser_checks import sign_in
from tests.public import manage_link, register
from vcsafe.models import IncidentKind, Organisation, Registrant, User

PROBES = [
    '<img class="xss-probe" src="x" onerror="window.__xss=1">',
    '"><script class="xss-probe">window.__xss=1</script>',
    '</pre><svg class="xss-probe" onload="window.__xss=1"></svg>',
    '</textarea><iframe class="xss-probe" srcdoc="<script>parent.__xss=1</script>">',
]


def _assert_inert(page: Any, probe: str, where: str) -> None:
    assert page.locator(".xss-probe").count() == 0, f"{where}: markup became elements"
    assert page.evaluate("window.__xss === undefined"), f"{where}: a script ran"
    # Shown back to the person as the text they typed (whitespace may be folded).
    assert "xss-probe" in page.content(), f"{where}: the text was not shown at all"


@pytest.mark.parametrize("probe", PROBES)
def test_console_shows_stored_markup_as_text(
    page: Any,
    live_server: str,
    client: Any,
    session: Session,
    organisation: Organisation,
    admin: User,
    probe: str,
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    version = factories.code_of_conduct(session, organisation, body=f"Be kind. {probe}")
    meeting = factories.meeting(
        session,
        organisation,
        title=f"Talk {probe}"[:200],
        code_of_conduct_version_id=version.id,
    )
    factories.registrant(session, meeting, name=f"Eve {probe}"[:200])
    incident = factories.incident(
        session,
        organisation,
        kind=IncidentKind.BREACH,
        summary=f"Leak {probe}"[:300],
        actions_taken=f"Told everyone {probe}",
        meeting_id=meeting.id,
    )
    organisation.incident_contact = "safe@example.org"
    session.commit()

    sign_in(page, live_server, admin.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server}/console/")
    for path in (
        "/console/",
        "/console/meetings",
        f"/console/meetings/{meeting.id}",
        f"/console/meetings/{meeting.id}/edit",
        f"/console/codes/{version.code_of_conduct_id}",
        f"/console/codes/versions/{version.id}",
        "/console/incidents",
        f"/console/incidents/{incident.id}",
        f"/m/{meeting.public_slug}",
    ):
        page.goto(f"{live_server}{path}")
        _assert_inert(page, probe, path)
    assert dialogs == []


def test_registrant_name_is_inert_on_their_own_page(
    page: Any, live_server: str, client: Any, session: Session, public_meeting: Any
) -> None:
    probe = PROBES[0]
    register(client, public_meeting, name=f"Mallory {probe}")
    registrant_id = session.scalars(select(Registrant.id)).one()
    page.goto(f"{live_server}{manage_link(session, registrant_id)}")
    page.wait_for_url(f"{live_server}/manage")
    _assert_inert(page, probe, "/manage")
