"""What every end-to-end test checks on a page: accessibility and fitting a phone."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def serious_accessibility_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the current page, as readable lines."""
    results = _axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def overflows_horizontally(page: Any) -> bool:
    """True when the page is wider than the viewport (a phone user would scroll sideways)."""
    return bool(
        page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    )


def sideways_scrolling_parts(page: Any) -> list[str]:
    """The parts of the page a reader must scroll sideways to see (a wide table in a scroll
    region, say), by tag and class; the page itself may still fit the viewport."""
    return list(
        page.evaluate(
            """[...document.querySelectorAll('body *')]
                .filter(e => e.scrollWidth > e.clientWidth + 1
                             && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
        )
    )


def sign_in(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
