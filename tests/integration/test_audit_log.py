"""The audit log page, as an admin reads it: what happened, in words, linked to its subject."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import csrf_token
from vcsafe.console.audit_texts import ACTIONS
from vcsafe.models import CodeOfConductVersion, Organisation

PACKAGE = Path(__file__).resolve().parents[2] / "vcsafe"


def test_events_are_worded_and_link_to_their_subject(
    admin_client: FlaskClient, session: Session
) -> None:
    created = admin_client.post(
        "/console/codes",
        data={
            "title": "Community standards",
            "body": "Be kind.",
            "csrf_token": csrf_token(admin_client, "/console/codes"),
        },
    )
    assert created.status_code == 302
    version = session.scalars(select(CodeOfConductVersion)).one()

    page = admin_client.get("/console/audit").get_data(as_text=True)
    row = next(r for r in page.split("<tr>") if "code_of_conduct.published" in r)
    assert ">Code of conduct version published</td>" in row
    url = f"/console/codes/versions/{version.id}"
    assert f'<a href="{url}">code-of-conduct version {version.id}</a>' in html.unescape(row)
    # The link leads to the version that was published.
    shown = admin_client.get(url).get_data(as_text=True)
    assert "Be kind." in shown


def _is_audit_record(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "record"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "audit"
    )


def _recorded_actions() -> dict[str, str]:
    """Every action code passed to audit.record() in vcsafe's code, with where it is."""
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        for call in filter(_is_audit_record, ast.walk(ast.parse(path.read_text()))):
            assert isinstance(call, ast.Call)
            where = f"{path.relative_to(PACKAGE)}:{call.lineno}"
            action = call.args[2]
            # A literal, or one of two literals ("a" if ... else "b").
            choices = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
            for choice in choices:
                assert isinstance(choice, ast.Constant), f"{where}: write the action out"
                found[str(choice.value)] = where
    return found


def test_every_action_vcsafe_records_has_words_for_the_page() -> None:
    recorded = _recorded_actions()
    assert len(recorded) >= 25  # the scan found the calls
    unworded = {a: where for a, where in recorded.items() if a not in ACTIONS}
    assert unworded == {}, "add these to vcsafe/console/audit_texts.py"
    for action in recorded:
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", action)


def test_a_removed_subject_is_named_but_not_linked(
    admin_client: FlaskClient, session: Session, organisation: Organisation
) -> None:
    account = factories.provider_account(session, organisation, label="Old Zoom")
    session.commit()
    page = f"/console/accounts/{account.id}"
    disconnected = admin_client.post(
        f"{page}/disconnect", data={"csrf_token": csrf_token(admin_client, page)}
    )
    assert disconnected.status_code == 302
    assert admin_client.get(page).status_code == 404

    log = html.unescape(admin_client.get("/console/audit").get_data(as_text=True))
    row = next(r for r in log.split("<tr>") if "provider_account.disconnected" in r)
    assert f"Zoom or Teams account {account.id} (since removed)" in row
    assert f'href="{page}"' not in log  # no link to a page that answers 404
