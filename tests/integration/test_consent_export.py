"""The organiser's proof of consent: the CSV of every decision registrants made, with the hash of
the exact text each decision was about."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.public import manage_link, register
from vcsafe.jobs.worker import run_cleanup
from vcsafe.models import AuditEvent, Meeting, Registrant

HEADER = [
    "name",
    "email",
    "purpose",
    "decision",
    "given_by",
    "text_version",
    "text_sha256",
    "recorded_at_utc",
]


def _visitor_registers(app: Flask, session: Session, meeting: Meeting, **fields: str) -> int:
    visitor = app.test_client()
    assert register(visitor, meeting, **fields).status_code == 302
    session.expire_all()
    newest = session.scalars(select(Registrant.id).order_by(Registrant.id.desc())).first()
    assert newest is not None
    return newest


def _export(console: FlaskClient, meeting: Meeting) -> list[dict[str, str]]:
    answer = console.get(f"/console/meetings/{meeting.id}/consents.csv")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="consents-meeting-{meeting.id}.csv"'
    )
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]


def test_the_export_holds_every_decision_with_the_hash_of_its_text(
    app: Flask, session: Session, admin_client: FlaskClient, public_meeting: Meeting
) -> None:
    ada = _visitor_registers(app, session, public_meeting, future_contact="y")
    # A name a spreadsheet would run as a formula.
    _visitor_registers(
        app,
        session,
        public_meeting,
        name='=HYPERLINK("http://evil.example")',
        email="bob@example.org",
        recording="no",
    )
    # Ada changes her mind about recording through her private link.
    visitor = app.test_client()
    visitor.get(manage_link(session, ada))
    visitor.post("/manage/withdraw-recording", data={"csrf_token": csrf_token(visitor, "/manage")})

    rows = _export(admin_client, public_meeting)

    decisions = [(r["email"], r["purpose"], r["decision"], r["given_by"]) for r in rows]
    ada_said = [d for d in decisions if d[0] == "ada@example.org"]
    assert ada_said == [
        ("ada@example.org", "privacy_notice", "granted", "registrant"),
        ("ada@example.org", "code_of_conduct", "granted", "registrant"),
        ("ada@example.org", "recording", "granted", "registrant"),
        ("ada@example.org", "future_contact", "granted", "registrant"),
        ("ada@example.org", "recording", "withdrawn", "registrant"),  # the latest, last
    ]
    assert sorted(d[1:3] for d in decisions if d[0] == "bob@example.org") == [
        ("code_of_conduct", "granted"),
        ("future_contact", "refused"),
        ("privacy_notice", "granted"),
        ("recording", "refused"),
    ]
    # The code of conduct's hash is the hash of the very text the meeting pins.
    shown = hashlib.sha256(b"Be kind.\nNo harassment.").hexdigest()
    assert {r["text_sha256"] for r in rows if r["purpose"] == "code_of_conduct"} == {shown}
    # Each other notice: one version and one hash for everybody, as everybody saw one page.
    for purpose in ("privacy_notice", "recording", "future_contact"):
        texts = {(r["text_version"], r["text_sha256"]) for r in rows if r["purpose"] == purpose}
        assert len(texts) == 1, purpose
        ((version, sha256),) = texts
        assert version and len(sha256) == 64 and set(sha256) <= set("0123456789abcdef")
    times = [datetime.fromisoformat(r["recorded_at_utc"]) for r in rows]
    assert times == sorted(times)
    # The formula reaches the spreadsheet as text, not as something to run.
    assert {r["name"] for r in rows} == {"Ada Lovelace", '\'=HYPERLINK("http://evil.example")'}

    # Who downloaded it, and how many rows, is in the audit log; the people themselves are not.
    session.expire_all()
    exported = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "registrants.exported")
    ).one()
    assert exported.details["rows"] == len(rows) == 9
    assert "ada@example.org" not in repr(exported.details)


def test_a_purged_registrant_leaves_the_export(
    app: Flask, session: Session, admin_client: FlaskClient, public_meeting: Meeting
) -> None:
    ada = _visitor_registers(app, session, public_meeting)
    _visitor_registers(app, session, public_meeting, name="Bob", email="bob@example.org")
    visitor = app.test_client()
    visitor.get(manage_link(session, ada))
    visitor.post("/manage/cancel", data={"csrf_token": csrf_token(visitor, "/manage")})
    assert "ada@example.org" in {r["email"] for r in _export(admin_client, public_meeting)}

    run_cleanup(app)

    assert {r["email"] for r in _export(admin_client, public_meeting)} == {"bob@example.org"}
