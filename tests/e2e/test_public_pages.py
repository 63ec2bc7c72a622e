"""The public pages in a real browser: register, consent, and use the private link."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser_checks import (
    overflows_horizontally,
    serious_accessibility_violations,
    sideways_scrolling_parts,
)
from tests.conftest import csrf_token
from tests.public import manage_link
from vcsafe.formatting import local_time
from vcsafe.models import (
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    Meeting,
    Registrant,
)


def _fill_adult(page: Any, name: str, email: str, *, recording: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email").fill(email)
    page.get_by_label("I have read the code of conduct and I accept it (required)").check()
    page.get_by_label(
        "Yes, I agree to be recorded" if recording == "yes" else "No", exact=True
    ).check()


def _person(session: Session, email: str) -> Registrant:
    session.expire_all()
    return session.scalars(select(Registrant).where(Registrant.email == email)).one()


def test_register_refusing_recording_then_withdraw_download_and_erase(
    page: Any, live_server: str, session: Session, public_meeting: Meeting, app: Flask
) -> None:
    page.goto(f"{live_server}/m/{public_meeting.public_slug}")
    assert serious_accessibility_violations(page) == []
    assert page.get_by_text("Be kind.").is_visible()
    page.get_by_role("button", name="Register").click()
    assert page.get_by_text("Enter your name.").first.is_visible()  # errors on the same page

    _fill_adult(page, "Ada Lovelace", "ada@example.org", recording="yes")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{live_server}/m/{public_meeting.public_slug}/registered")
    assert page.get_by_role("heading", name="Thank you: check your email").is_visible()
    assert serious_accessibility_violations(page) == []

    page.goto(f"{live_server}/m/{public_meeting.public_slug}")
    _fill_adult(page, "Bob Refuser", "bob@example.org", recording="no")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{live_server}/m/{public_meeting.public_slug}/registered")
    bob = _person(session, "bob@example.org")
    latest = session.scalars(
        select(ConsentRecord).where(
            ConsentRecord.registrant_id == bob.id, ConsentRecord.purpose == ConsentPurpose.RECORDING
        )
    ).one()
    assert latest.decision is ConsentDecision.REFUSED

    ada = _person(session, "ada@example.org")
    page.goto(live_server + manage_link(session, ada.id))
    page.wait_for_url(f"{live_server}/manage")
    assert page.get_by_text("ada@example.org").is_visible()
    assert serious_accessibility_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Download all of it (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["registrant"]["email"] == "ada@example.org"

    # A wrong name is corrected on the same page; a blank one is refused there, with a message.
    page.get_by_role("textbox", name="Your name").fill("")
    page.get_by_role("button", name="Correct my name").click()
    assert page.get_by_text("Enter your name.").first.is_visible()
    assert serious_accessibility_violations(page) == []
    page.get_by_role("textbox", name="Your name").fill("Ada King")
    page.get_by_role("button", name="Correct my name").click()
    assert page.get_by_text("Your name is corrected.").is_visible()
    assert _person(session, "ada@example.org").name == "Ada King"

    page.get_by_role("button", name="Withdraw my consent to recording").click()
    assert page.get_by_text("Your consent to recording is withdrawn.").is_visible()
    page.get_by_role("button", name="Erase my data now").click()
    assert page.get_by_role("heading", name="Your data is erased").is_visible()
    session.expire_all()
    assert (
        session.scalars(select(Registrant).where(Registrant.email == "ada@example.org")).all() == []
    )


def test_cancel_then_change_ones_mind_and_register_again(
    page: Any, live_server: str, session: Session, public_meeting: Meeting
) -> None:
    page.goto(f"{live_server}/m/{public_meeting.public_slug}")
    _fill_adult(page, "Cy Changeable", "cy@example.org", recording="yes")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{live_server}/m/{public_meeting.public_slug}/registered")
    page.goto(live_server + manage_link(session, _person(session, "cy@example.org").id))

    page.get_by_role("button", name="Cancel my registration").click()
    assert page.get_by_text("Your registration is cancelled.").is_visible()
    assert serious_accessibility_violations(page) == []
    page.get_by_role("link", name="register again").click()
    page.wait_for_url(f"{live_server}/m/{public_meeting.public_slug}")
    _fill_adult(page, "Cy Changeable", "cy@example.org", recording="no")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{live_server}/m/{public_meeting.public_slug}/registered")

    session.expire_all()
    rows = session.scalars(
        select(Registrant).where(Registrant.email == "cy@example.org").order_by(Registrant.id)
    ).all()
    assert [(r.status.value, r.refused_recording) for r in rows] == [
        ("cancelled", False),
        ("active", True),
    ]


def test_a_child_registers_with_a_guardian(
    page: Any, live_server: str, session: Session, children_meeting: Meeting
) -> None:
    page.goto(f"{live_server}/m/{children_meeting.public_slug}")
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Your name").fill("Tom")
    page.get_by_label("Your email").fill("tom@example.org")
    page.get_by_label("Under 13 (a parent or guardian consents)").check()
    page.get_by_label("Parent or guardian's name").fill("Jane")
    page.get_by_label("Parent or guardian's email").fill("jane@example.org")
    page.get_by_label(
        "I am the parent or guardian and I give my consent as described above"
    ).check()
    page.get_by_label("I have read the code of conduct and I accept it (required)").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{live_server}/m/{children_meeting.public_slug}/registered")
    tom = _person(session, "tom@example.org")
    assert tom.guardian_email == "jane@example.org"


def test_public_pages_work_on_a_phone_without_javascript(
    phone_page: Any, live_server: str, session: Session, public_meeting: Meeting
) -> None:
    phone_page.goto(f"{live_server}/m/{public_meeting.public_slug}")
    assert not overflows_horizontally(phone_page)
    _fill_adult(phone_page, "Phone User", "phone@example.org", recording="yes")
    phone_page.get_by_role("button", name="Register").click()
    phone_page.wait_for_url(f"{live_server}/m/{public_meeting.public_slug}/registered")
    assert not overflows_horizontally(phone_page)
    person = _person(session, "phone@example.org")
    phone_page.goto(live_server + manage_link(session, person.id))
    assert not overflows_horizontally(phone_page)
    assert sideways_scrolling_parts(phone_page) == []  # every decision readable as it is
    assert phone_page.get_by_text("phone@example.org").is_visible()


def test_the_meeting_time_is_also_given_in_the_visitors_own_zone(
    browser: Any, live_server: str, public_meeting: Meeting
) -> None:
    in_london = local_time(public_meeting.starts_at, "Europe/London")  # the meeting's zone
    in_tokyo = public_meeting.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    both = f"{in_tokyo:%H:%M} GMT+9 your time ({in_london} in the meeting's time zone)"
    for zone, expected in (
        ("Asia/Tokyo", both),
        ("Europe/London", in_london),  # the same clock as the meeting's: said once
    ):
        context = browser.new_context(timezone_id=zone, locale="en-GB")
        try:
            page = context.new_page()
            page.goto(f"{live_server}/m/{public_meeting.public_slug}")
            when = page.locator("time[data-local]").inner_text()
            assert when.endswith(expected), (zone, when)
        finally:
            context.close()


def test_someone_removed_by_the_organiser_sees_it_on_their_private_link(
    page: Any,
    live_server: str,
    session: Session,
    public_meeting: Meeting,
    admin_client: FlaskClient,
) -> None:
    page.goto(f"{live_server}/m/{public_meeting.public_slug}")
    _fill_adult(page, "Tess Troll", "tess@example.org", recording="yes")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{live_server}/m/{public_meeting.public_slug}/registered")
    tess = _person(session, "tess@example.org")
    link = manage_link(session, tess.id)
    removal = f"/console/meetings/{public_meeting.id}/registrants/{tess.id}/remove"
    token = csrf_token(admin_client, removal)
    assert admin_client.post(removal, data={"csrf_token": token}).status_code == 302

    page.goto(live_server + link)
    page.wait_for_url(f"{live_server}/manage")
    assert page.get_by_role("heading", name="Removed by the organiser").is_visible()
    assert page.get_by_text("Harbour Heritage Trust removed you from this meeting.").is_visible()
    assert page.get_by_role("button", name="Cancel my registration").count() == 0
    assert page.get_by_role("button", name="Erase my data now").is_visible()
    assert serious_accessibility_violations(page) == []

    # Registering again looks like any registration, and stores nothing.
    page.goto(f"{live_server}/m/{public_meeting.public_slug}")
    _fill_adult(page, "Tess Troll", "tess@example.org", recording="yes")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{live_server}/m/{public_meeting.public_slug}/registered")
    assert page.get_by_role("heading", name="Thank you: check your email").is_visible()
    session.expire_all()
    assert [r.status.value for r in session.scalars(select(Registrant))] == ["removed"]
