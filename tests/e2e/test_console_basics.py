"""Signing in to the console in a real browser: accessible, usable on a phone, no JavaScript."""

from __future__ import annotations

from typing import Any

from tests.browser_checks import overflows_horizontally, serious_accessibility_violations, sign_in
from tests.factories import PASSWORD
from vcsafe.models import User


def test_sign_in_in_a_browser(page: Any, live_server: str, admin: User) -> None:
    sign_in(page, live_server, admin.email, "wrong password")
    assert page.get_by_text("The email or password is not right.").first.is_visible()
    assert page.get_by_label("Email").input_value() == admin.email

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/console/")
    assert page.get_by_role("heading", level=1).inner_text() == "Harbour Heritage Trust"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/sign-in")
    assert page.get_by_text("You are signed out.").is_visible()


def test_console_pages_are_accessible(page: Any, live_server: str, admin: User) -> None:
    page.goto(f"{live_server}/sign-in")
    assert serious_accessibility_violations(page) == []
    sign_in(page, live_server, admin.email, PASSWORD)
    page.wait_for_url(f"{live_server}/console/")
    for path in (
        "/console/",
        "/console/users",
        f"/console/users/{admin.id}",
        "/console/account/password",
    ):
        page.goto(f"{live_server}{path}")
        assert serious_accessibility_violations(page) == [], path


def test_works_on_a_phone_without_javascript(
    phone_page: Any, live_server: str, admin: User
) -> None:
    sign_in(phone_page, live_server, admin.email, PASSWORD)
    phone_page.wait_for_url(f"{live_server}/console/")
    for path in ("/console/", "/console/users", "/console/account/password"):
        phone_page.goto(f"{live_server}{path}")
        assert not overflows_horizontally(phone_page), path


def test_keyboard_users_can_skip_to_the_content(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/sign-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
