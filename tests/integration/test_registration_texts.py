"""What the registration page shows is what the consent ledger proves, even when the meeting
changes while someone has the page open, and even when the page comes from a cached copy."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import app_overrides
from tests.public import register
from vcsafe.app import create_app
from vcsafe.db import db
from vcsafe.models import ConsentPurpose, ConsentRecord, Meeting, Organisation, Registrant
from vcsafe.services.public_meetings import SnapshotCache

SHOWN = {
    ConsentPurpose.PRIVACY_NOTICE: r'<div id="privacy-text">(.*?)</div>',
    ConsentPurpose.RECORDING: r'<h2 id="rec">Recording</h2>\s*<p>(.*?)</p>',
    ConsentPurpose.FUTURE_CONTACT: r'<label for="future_contact">(.*?)</label>',
    ConsentPurpose.GUARDIAN: r'<p class="hint" id="guardian-text">(.*?)</p>',
    ConsentPurpose.CODE_OF_CONDUCT: r'<pre class="code-text" id="coc-text">(.*?)</pre>',
}


def _texts_on(page: str) -> dict[ConsentPurpose, str]:
    """The exact texts a person read on the page, by the purpose they consent to."""
    found = {p: re.search(pattern, page, re.S) for p, pattern in SHOWN.items()}
    texts = {p: html.unescape(m.group(1)) for p, m in found.items() if m}
    if ConsentPurpose.PRIVACY_NOTICE in texts:  # paragraphs, one after another
        paragraphs = re.findall(r"<p>(.*?)</p>", texts[ConsentPurpose.PRIVACY_NOTICE], re.S)
        texts[ConsentPurpose.PRIVACY_NOTICE] = "\n\n".join(paragraphs)
    return texts


def _digest_on(page: str) -> str:
    match = re.search(r'name="notices_digest" value="([0-9a-f]{64})"', page)
    assert match, "the form does not say which texts it showed"
    return match.group(1)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ledger(session: Session, email: str) -> dict[ConsentPurpose, ConsentRecord]:
    session.expire_all()
    person = session.scalars(select(Registrant).where(Registrant.email == email)).one()
    records = session.scalars(select(ConsentRecord).where(ConsentRecord.registrant_id == person.id))
    return {r.purpose: r for r in records}


def _page(client: FlaskClient, meeting: Meeting) -> str:
    return client.get(f"/m/{meeting.public_slug}").get_data(as_text=True)


def test_every_hash_in_the_ledger_is_of_a_text_on_the_page(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    shown = _texts_on(_page(client, public_meeting))
    assert register(client, public_meeting, future_contact="y").status_code == 302
    ledger = _ledger(session, "ada@example.org")
    assert set(ledger) == set(shown) - {ConsentPurpose.GUARDIAN}
    for purpose, record in ledger.items():
        assert record.text_sha256 == _sha256(shown[purpose]), purpose
    # The box ticked for future contact carries the very text that is hashed.
    assert "may email me about future events" in shown[ConsentPurpose.FUTURE_CONTACT]


def test_a_guardian_consents_to_the_text_on_the_page(
    client: FlaskClient, session: Session, children_meeting: Meeting
) -> None:
    shown = _texts_on(_page(client, children_meeting))
    response = register(
        client,
        children_meeting,
        age_band="child",
        recording=None,
        name="Tom",
        email="tom@example.org",
        guardian_name="Jane",
        guardian_email="jane@example.org",
        guardian_consent="y",
    )
    assert response.status_code == 302
    ledger = _ledger(session, "tom@example.org")
    assert ledger[ConsentPurpose.GUARDIAN].text_sha256 == _sha256(shown[ConsentPurpose.GUARDIAN])
    assert {r.given_by for r in ledger.values()} == {"guardian"}


def test_texts_changed_while_the_page_was_open_are_read_again_before_anything_is_stored(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    opened = _digest_on(_page(client, public_meeting))
    public_meeting.registrant_retention_days = 30  # the privacy notice now says 30 days
    session.commit()

    refused = register(client, public_meeting, notices_digest=opened)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "changed while you had it open" in page
    assert "deleted 30 days after the meeting ends" in page
    assert 'value="Ada Lovelace"' in page  # what they typed is kept
    assert session.scalars(select(Registrant)).all() == []

    again = register(client, public_meeting, notices_digest=_digest_on(page))
    assert again.status_code == 302
    privacy = _ledger(session, "ada@example.org")[ConsentPurpose.PRIVACY_NOTICE]
    assert privacy.text_sha256 == _sha256(_texts_on(page)[ConsentPurpose.PRIVACY_NOTICE])


def test_a_change_to_the_meeting_reaches_the_page_at_once(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    assert "Harbour history talk" in _page(client, public_meeting)
    public_meeting.title = "Harbour history talk, part two"
    session.commit()
    assert "Harbour history talk, part two" in _page(client, public_meeting)


def test_an_organisation_change_reaches_the_page_within_the_ttl(
    app: Flask,
    client: FlaskClient,
    session: Session,
    public_meeting: Meeting,
    organisation: Organisation,
) -> None:
    now = [0.0]
    app.extensions["vcsafe.public_pages"] = SnapshotCache(ttl=30, clock=lambda: now[0])
    assert "Harbour Heritage Trust invites you" in _page(client, public_meeting)
    organisation.name = "Harbour Trust"
    session.commit()
    now[0] = 29.0
    stale = _page(client, public_meeting)
    assert "Harbour Heritage Trust invites you" in stale
    # Registering from that page proves the text it showed, old name and all.
    response = register(client, public_meeting, notices_digest=_digest_on(stale))
    assert response.status_code == 302
    privacy = _ledger(session, "ada@example.org")[ConsentPurpose.PRIVACY_NOTICE]
    assert privacy.text_sha256 == _sha256(_texts_on(stale)[ConsentPurpose.PRIVACY_NOTICE])
    now[0] = 31.0
    assert "Harbour Trust invites you" in _page(client, public_meeting)


def test_a_page_from_a_newer_copy_is_not_refused_by_an_older_one(
    database_url: str,
    tmp_path: Path,
    app: Flask,
    client: FlaskClient,
    session: Session,
    public_meeting: Meeting,
    organisation: Organisation,
) -> None:
    """Two processes: this one keeps the old name; the page came from one that has the new."""
    _page(client, public_meeting)  # this process caches the page
    organisation.name = "Harbour Trust"
    session.commit()
    other = create_app(app_overrides(database_url, tmp_path / "other"))
    fresh = _page(other.test_client(), public_meeting)
    assert "Harbour Trust invites you" in fresh
    mistaken = register(client, public_meeting, notices_digest=_digest_on(fresh), accept_code=None)
    assert mistaken.status_code == 400
    assert _texts_on(mistaken.get_data(as_text=True)) == _texts_on(fresh)  # every text is new
    response = register(client, public_meeting, notices_digest=_digest_on(fresh))
    assert response.status_code == 302
    privacy = _ledger(session, "ada@example.org")[ConsentPurpose.PRIVACY_NOTICE]
    assert privacy.text_sha256 == _sha256(_texts_on(fresh)[ConsentPurpose.PRIVACY_NOTICE])
    db.factory(other).kw["bind"].dispose()


def test_the_cache_keeps_a_bounded_number_of_pages(
    app: Flask, client: FlaskClient, session: Session, organisation: Organisation
) -> None:
    pages = SnapshotCache(size=2)
    app.extensions["vcsafe.public_pages"] = pages
    meetings = [factories.meeting(session, organisation, title=f"Talk {n}") for n in range(3)]
    session.commit()
    for meeting in meetings:
        assert f"Talk {meetings.index(meeting)}" in _page(client, meeting)
    assert len(pages) == 2
    assert client.get("/m/" + "x" * 65).status_code == 404
    assert len(pages) == 2
