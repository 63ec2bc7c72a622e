"""Every console page, filled with realistic data, in a real browser: no serious or critical
axe-core finding, nothing wider than a 375 px phone, usable from the keyboard, and the forms
work with JavaScript off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.browser_checks import overflows_horizontally, serious_accessibility_violations, sign_in
from tests.factories import PASSWORD
from tests.fakes.zoom import ZoomFake
from tests.planning import connect, plan
from vcsafe.crypto import new_link_token
from vcsafe.models import (
    AccountStatus,
    AgeBand,
    Audience,
    ConsentDecision,
    ConsentPurpose,
    Contact,
    IncidentKind,
    Meeting,
    MeetingState,
    Organisation,
    ProviderKind,
    PushState,
    Recording,
    RecordingPolicy,
    RegistrantStatus,
    Role,
    User,
    utcnow,
)
from vcsafe.providers.base import ProviderCredentials
from vcsafe.services import audit, codes


@dataclass(frozen=True)
class World:
    """Ids of what the pages show."""

    meeting: int
    draft: int
    past: int
    cancelled: int  # deleted in Zoom's own app; its people were told
    code: int
    old_version: int
    incident: int
    organiser: int
    account: int
    receipt: int
    email: int
    registrant: int  # "Registrant 58 …", waiting for their joining link

    def meeting_paths(self) -> list[str]:
        """The dashboard and the meeting pages, in the states worth seeing."""
        m = f"/console/meetings/{self.meeting}"
        return [
            "/console/",
            "/console/meetings",
            "/console/meetings?when=past",
            "/console/meetings?q=harbour",
            "/console/meetings?q=nothing+matches+this",
            m,
            f"{m}?q=Registrant+05&page=1",
            f"/console/meetings/{self.draft}",
            f"/console/meetings/{self.past}",
            f"/console/meetings/{self.cancelled}",
            "/console/meetings/new",
            f"{m}/edit",
            f"{m}/briefing",
            f"{m}/registrants/{self.registrant}/remove",
        ]

    def other_paths(self) -> list[str]:
        """Codes, incidents, the organisation's pages and the signed-in person's own."""
        return [
            "/console/codes",
            f"/console/codes/{self.code}",
            f"/console/codes/versions/{self.old_version}",
            "/console/incidents",
            "/console/incidents/new",
            f"/console/incidents/{self.incident}",
            "/console/organisation",
            "/console/users",
            f"/console/users/{self.organiser}",
            "/console/accounts",
            f"/console/accounts/{self.account}",
            "/console/audit",
            "/console/receipts",
            f"/console/receipts/{self.receipt}",
            "/console/contacts",
            "/console/requests",
            "/console/mail",
            f"/console/mail/{self.email}",
            "/console/account/password",
        ]

    def paths(self) -> list[str]:
        """Every page of the console an admin can open."""
        return self.meeting_paths() + self.other_paths()


@pytest.fixture
def world(
    app: Flask,
    session: Session,
    organisation: Organisation,
    admin: User,
    zoom_fake: ZoomFake,
    zoom_credentials: ProviderCredentials,
) -> World:
    """An organisation in full swing: a Zoom meeting with registrants (one refused recording,
    one a child, all on an older code-of-conduct version), a recording, a draft the provider
    refused, a past meeting, a failing Teams account, incidents, receipts, contacts, emails."""
    organisation.incident_contact = "safeguarding@harbour.example"
    organiser = factories.user(
        session, organisation, role=Role.ORGANISER, email="organiser@harbour.example"
    )
    account = connect(
        app, session, organisation, zoom_credentials, ProviderKind.ZOOM, "Events Zoom"
    )
    account.status = AccountStatus.OK
    factories.provider_account(
        session,
        organisation,
        kind=ProviderKind.TEAMS,
        label="Parish Teams",
        status=AccountStatus.FAILING,
        last_error="Microsoft Teams refused the account's credentials or permissions.",
    )
    old = factories.code_of_conduct(session, organisation, body="Be kind.\nNo harassment.")
    code = old.code_of_conduct
    new = codes.publish_version(
        session, code, "Be kind.\nNo harassment.\nNo recording by attendees.", actor=admin
    )
    organisation.default_code_of_conduct_id = code.id
    meeting = plan(
        app,
        session,
        organisation,
        account,
        admin,
        title="Harbour history talk: the waterfront in the 1890s",
        code_of_conduct_version_id=new.id,
        recording_policy=RecordingPolicy.WITH_CONSENT,
        offer_future_contact=True,
        registrant_retention_days=7,
        timezone="Europe/London",
    )
    people = {}
    for n in range(60):  # more than a page
        person = people[n] = factories.registrant(
            session,
            meeting,
            name=f"Registrant {n:02d} Longfellow-Fairweather",
            email=f"registrant.{n:02d}.with-a-long-address@community-heritage.example.org",
            age_band=AgeBand.CHILD if n == 1 else AgeBand.ADULT,
            push_state=PushState.PUSHED if n % 2 else PushState.PENDING,
            status=RegistrantStatus.CANCELLED if n == 59 else RegistrantStatus.ACTIVE,
        )
        factories.consent(
            session,
            person,
            ConsentPurpose.CODE_OF_CONDUCT,
            text_sha256=old.sha256,
            text_version="Code of conduct v1",
        )
        factories.consent(
            session,
            person,
            ConsentPurpose.RECORDING,
            ConsentDecision.REFUSED if n == 0 else ConsentDecision.GRANTED,
        )
        factories.consent(session, person, ConsentPurpose.FUTURE_CONTACT, ConsentDecision.REFUSED)
    session.add(
        Recording(
            meeting_id=meeting.id,
            provider_recording_id="rec-1",
            completed_at=utcnow() - timedelta(days=1),
            purge_due_at=utcnow() + timedelta(days=29),
        )
    )
    draft = factories.meeting(
        session,
        organisation,
        title="Family rock pooling morning",
        provider_account_id=account.id,
        audience=Audience.MAY_INCLUDE_CHILDREN,
        state=MeetingState.DRAFT,
        provider_error="Saved in vcsafe, but not yet at Events Zoom: Zoom had a problem on its "
        "side while vcsafe tried to create the meeting; vcsafe will try again. "
        "Use “Try again” on the meeting page.",
    )
    past = factories.meeting(
        session,
        organisation,
        title="Harbour volunteers' annual meeting",
        provider_account_id=account.id,
        starts_at=utcnow() - timedelta(days=30),
        state=MeetingState.ENDED,
        ended_at=utcnow() - timedelta(days=30),
    )
    cancelled = factories.meeting(
        session,
        organisation,
        title="Lighthouse tour (cancelled)",
        provider_account_id=account.id,
        state=MeetingState.CANCELLED,
        ended_at=utcnow(),
    )
    session.flush()
    audit.record(
        session,
        organisation.id,
        "meeting.deleted_at_provider",
        subject=cancelled,
        registrants_told=3,
    )
    incident = factories.incident(
        session,
        organisation,
        kind=IncidentKind.BREACH,
        summary="Registrant list emailed to the wrong group",
        affected_count=40,
        meeting_id=meeting.id,
        actions_taken="Asked the recipients to delete it.\nChecked the mail server's logs.",
    )
    factories.incident(session, organisation, meeting_id=past.id)
    receipt = factories.receipt(
        session,
        organisation,
        meeting_title="Harbour walk (spring)",
        recordings_deleted=1,
        contacts_kept=2,
        details={"registrants": {"deleted": 3}, "recordings": {"deleted": 1}},
        sha256="ab" * 32,
    )
    _token, token_hash = new_link_token()
    session.add(
        Contact(
            organisation_id=organisation.id,
            name="Grace Hopper",
            email="grace.hopper.with-a-long-address@community-heritage.example.org",
            consent_sha256="0" * 64,
            consent_version="future_contact 1",
            consented_at=utcnow(),
            withdraw_token_hash=token_hash,
        )
    )
    email = factories.sent_email(session, organisation, app)
    session.commit()
    return World(
        meeting=meeting.id,
        draft=draft.id,
        past=past.id,
        cancelled=cancelled.id,
        code=code.id,
        old_version=old.id,
        incident=incident.id,
        organiser=organiser.id,
        account=account.id,
        receipt=receipt.id,
        email=email.id,
        registrant=people[58].id,
    )


def _signed_in(page: Any, base: str, user: User) -> None:
    sign_in(page, base, user.email, PASSWORD)
    page.wait_for_url(f"{base}/console/")


@pytest.mark.parametrize("pages", ["meetings", "others"])
def test_every_console_page_is_accessible(
    page: Any, live_server: str, admin: User, world: World, pages: str
) -> None:
    # Two halves keep each test short: axe takes a second or more on a full page.
    _signed_in(page, live_server, admin)
    found = {}
    for path in world.meeting_paths() if pages == "meetings" else world.other_paths():
        answer = page.goto(f"{live_server}{path}")
        assert answer is not None and answer.status == 200, path
        problems = serious_accessibility_violations(page)
        if problems:
            found[path] = problems
    assert found == {}


def test_the_meeting_page_counts_its_registrants(
    page: Any, live_server: str, admin: User, world: World
) -> None:
    _signed_in(page, live_server, admin)
    page.goto(f"{live_server}/console/meetings/{world.meeting}")
    stats = page.get_by_role("region", name="Registrations")
    figures = {
        term.inner_text(): term.locator("xpath=following-sibling::dd[1]").inner_text()
        for term in stats.get_by_role("term").all()
    }
    assert figures == {
        "Registered": "59 / 100",  # one of the 60 cancelled
        "Refused recording": "1",
        "Waiting for their join link": "30",  # the even ones (the cancelled one is odd)
        "Yet to accept the current code of conduct": "59",  # all accepted version 1 only
    }
    assert page.get_by_text("60 registrants").is_visible()  # the list shows everyone
    assert page.get_by_role("link", name="Next page").is_visible()
    # The meeting list says the same (from the number triggers keep; migration 0012).
    page.goto(f"{live_server}/console/meetings")
    row = page.get_by_role("row").filter(has_text="Harbour history talk: the waterfront")
    assert row.get_by_role("cell").nth(3).inner_text() == "59 / 100"


def test_forms_with_errors_are_accessible(
    page: Any, live_server: str, admin: User, world: World
) -> None:
    _signed_in(page, live_server, admin)
    found = {}
    for path, button in (
        ("/console/meetings/new", "Plan the meeting"),
        ("/console/accounts", "Connect"),
        ("/console/codes", "Publish version 1"),
        ("/console/incidents/new", "Log the incident"),
        ("/console/users", "Add user"),
        ("/console/account/password", "Change password"),
        ("/console/requests", "Find what is held"),
    ):
        page.goto(f"{live_server}{path}")
        for box in page.locator("main input[type=text], main input[type=number]").all():
            box.fill("")
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()
        assert page.get_by_role("alert").first.is_visible(), path
        problems = serious_accessibility_violations(page)
        if problems:
            found[path] = problems
    assert found == {}


def test_what_is_held_under_an_address_is_accessible(
    page: Any, live_server: str, admin: User, world: World
) -> None:
    _signed_in(page, live_server, admin)
    page.goto(f"{live_server}/console/requests")
    page.get_by_label("Their email address").fill(
        "registrant.01.with-a-long-address@community-heritage.example.org"
    )
    page.get_by_role("button", name="Find what is held").click()
    assert page.get_by_role("heading", name="Held under this address").is_visible()
    assert serious_accessibility_violations(page) == []


def test_an_admin_answers_a_persons_request_on_a_phone_without_javascript(
    phone_page: Any, live_server: str, session: Session, admin: User, world: World
) -> None:
    page = phone_page
    _signed_in(page, live_server, admin)
    page.goto(f"{live_server}/console/organisation")
    page.get_by_role("link", name="A person's request about their data").click()
    page.get_by_label("Their email address").fill(
        "REGISTRANT.02.with-a-long-address@community-heritage.example.org"
    )
    page.get_by_role("button", name="Find what is held").click()
    assert page.get_by_role("heading", name="Held under this address").is_visible()
    assert page.get_by_text("1 registration", exact=True).is_visible()  # the table's caption
    assert page.get_by_role("cell", name="Registrant 02 Longfellow-Fairweather").is_visible()
    assert not overflows_horizontally(page)  # axe checks this page with JavaScript on
    # Erasing asks for the check first, on the same page.
    page.get_by_role("button", name="Erase all of it now").click()
    assert page.get_by_text(
        "Check that the request comes from the person before erasing their data."
    ).first.is_visible()
    page.get_by_role("button", name="Email them their private links").click()
    assert page.get_by_text("1 email queued to this address").is_visible()


def test_every_console_page_fits_a_phone_without_javascript(
    phone_page: Any, live_server: str, admin: User, world: World
) -> None:
    _signed_in(phone_page, live_server, admin)
    too_wide = []
    for path in world.paths():
        phone_page.goto(f"{live_server}{path}")
        assert phone_page.get_by_role("heading", level=1).is_visible(), path
        if overflows_horizontally(phone_page):
            too_wide.append(path)
    assert too_wide == []


def test_an_organiser_plans_searches_and_fixes_on_a_phone_without_javascript(
    phone_page: Any,
    live_server: str,
    session: Session,
    organisation: Organisation,
    world: World,
    zoom_fake: ZoomFake,
) -> None:
    page, base = phone_page, live_server
    organiser = session.get(User, world.organiser)
    assert organiser is not None
    _signed_in(page, base, organiser)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    page.get_by_role("search").get_by_label("Search titles").fill("history")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=history"))
    assert page.get_by_role("link", name="Harbour history talk").is_visible()
    assert page.get_by_text("1 upcoming meeting matching “history”").is_visible()

    page.get_by_role("link", name="Plan a meeting").click()
    page.wait_for_url(f"{base}/console/meetings/new")
    page.get_by_label("Title").fill("Phone-planned talk")
    starts = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Starts").fill(starts)
    page.get_by_label("Time zone").select_option("UTC")
    page.get_by_role("button", name="Plan the meeting").click()
    page.wait_for_url(re.compile(r"/console/meetings/\d+$"))
    assert page.get_by_text("The meeting was planned with safe settings.").is_visible()
    assert not overflows_horizontally(page)
    planned = session.scalars(select(Meeting).where(Meeting.title == "Phone-planned talk")).one()
    assert planned.provider_meeting_id in zoom_fake.meeting_ids()

    zoom_fake.set_setting(str(planned.provider_meeting_id), "join_before_host", True)
    page.reload()
    host = page.get_by_role("listitem").filter(has_text="Is the host in control")
    host.get_by_role("button", name="Apply the safe settings again").click()
    page.wait_for_url(re.compile(r"#checklist$"))
    settings = zoom_fake.meeting(str(planned.provider_meeting_id))["settings"]
    assert settings["join_before_host"] is False

    page.get_by_role("link", name="Log an incident").click()
    page.get_by_label("What happened").fill("Someone shared offensive images")
    page.get_by_role("button", name="Log the incident").click()
    page.wait_for_url(re.compile(r"/console/incidents/\d+$"))
    assert page.get_by_text("The incident is logged.").is_visible()


def test_keyboard_focus_is_always_visible_on_the_meeting_page(
    page: Any, live_server: str, admin: User, world: World
) -> None:
    _signed_in(page, live_server, admin)
    page.goto(f"{live_server}/console/meetings/{world.meeting}")
    unseen, seen = [], 0
    for _ in range(100):
        page.keyboard.press("Tab")
        html, outline, width, shadow = page.evaluate(
            """() => {
                const el = document.activeElement;
                const s = getComputedStyle(el);
                return [el.outerHTML.slice(0, 80), s.outlineStyle, s.outlineWidth, s.boxShadow];
            }"""
        )
        if html.startswith("<body"):
            break  # past the last control
        seen += 1
        if (outline == "none" or width == "0px") and shadow == "none":
            unseen.append(html)
    assert seen > 20
    assert unseen == []


def test_an_organiser_removes_someone_on_a_phone_without_javascript(
    phone_page: Any, live_server: str, session: Session, world: World
) -> None:
    page, base = phone_page, live_server
    organiser = session.get(User, world.organiser)
    assert organiser is not None
    _signed_in(page, base, organiser)
    page.goto(f"{base}/console/meetings/{world.meeting}")
    people = page.get_by_role("region", name="Registrants")
    people.get_by_role("link", name="Remove Registrant 58 Longfellow-Fairweather").click()
    page.wait_for_url(
        f"{base}/console/meetings/{world.meeting}/registrants/{world.registrant}/remove"
    )
    assert page.get_by_role(
        "heading", name="Remove Registrant 58 Longfellow-Fairweather from Harbour history talk"
    ).is_visible()
    assert not overflows_horizontally(page)
    page.get_by_role("button", name="Remove Registrant 58 Longfellow-Fairweather").click()
    page.wait_for_url(re.compile(r"#people$"))
    assert page.get_by_text(
        "The registrant was removed from the meeting and cannot register for it again. "
        "They had not been sent a joining link, and will not be."
    ).is_visible()
    row = page.get_by_role("row").filter(has_text="Registrant 58 Longfellow-Fairweather")
    assert row.get_by_text("removed", exact=True).is_visible()
    assert row.get_by_role("link", name=re.compile("Remove")).count() == 0
    stats = page.get_by_role("region", name="Registrations")
    registered = stats.get_by_role("term").filter(has_text="Registered")
    assert registered.locator("xpath=following-sibling::dd[1]").inner_text() == "58 / 100"
