"""Test data factories: plain functions that add realistic objects to a session."""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from vcsafe.app import mailer_of
from vcsafe.crypto import SecretsBox, hash_password, new_link_token
from vcsafe.mailer import FolderMailer, Letter
from vcsafe.models import (
    CodeOfConduct,
    CodeOfConductVersion,
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    DeletionReceipt,
    Incident,
    IncidentKind,
    Meeting,
    MeetingState,
    Organisation,
    OutboundEmail,
    ProviderAccount,
    ProviderKind,
    Registrant,
    Role,
    User,
    utcnow,
)

PASSWORD = "correct horse battery staple"
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-production"
#: The test apps' box: what they encrypt at rest, tests can read back.
BOX = SecretsBox(TEST_SECRET_KEY)
_counter = itertools.count(1)
_password_hash: str | None = None


def _hashed_password() -> str:
    # One scrypt hash for every factory user keeps the suite fast.
    global _password_hash
    if _password_hash is None:
        _password_hash = hash_password(PASSWORD)
    return _password_hash


def organisation(session: Session, **kw: Any) -> Organisation:
    org = Organisation(**{"name": f"Organisation {next(_counter)}"} | kw)
    session.add(org)
    session.flush()
    return org


def user(session: Session, org: Organisation, **kw: Any) -> User:
    n = next(_counter)
    values = {
        "email": f"user{n}@example.org",
        "name": f"User {n}",
        "role": Role.ORGANISER,
        "password_hash": _hashed_password(),
    } | kw
    u = User(organisation_id=org.id, **values)
    session.add(u)
    session.flush()
    return u


def provider_account(session: Session, org: Organisation, **kw: Any) -> ProviderAccount:
    values = {
        "kind": ProviderKind.ZOOM,
        "label": f"Zoom {next(_counter)}",
        "tenant": "account-id",
        "client_id": "client-id",
        "client_secret_encrypted": BOX.encrypt("not-a-real-secret"),
    } | kw
    account = ProviderAccount(organisation_id=org.id, **values)
    session.add(account)
    session.flush()
    return account


def code_of_conduct(
    session: Session, org: Organisation, body: str = "Be kind. No harassment."
) -> CodeOfConductVersion:
    coc = CodeOfConduct(organisation_id=org.id, title=f"Code of conduct {next(_counter)}")
    session.add(coc)
    session.flush()
    version = CodeOfConductVersion(
        code_of_conduct_id=coc.id, number=1, body=body, sha256=CodeOfConductVersion.hash_text(body)
    )
    session.add(version)
    session.flush()
    return version


def meeting(session: Session, org: Organisation, **kw: Any) -> Meeting:
    starts: datetime = kw.pop("starts_at", utcnow() + timedelta(days=7))
    values = {
        "title": f"Community meeting {next(_counter)}",
        "starts_at": starts,
        "duration_minutes": 60,
        "public_slug": secrets.token_urlsafe(16),
        "state": MeetingState.SCHEDULED,
    } | kw
    m = Meeting(organisation_id=org.id, **values)
    session.add(m)
    session.flush()
    return m


def registrant(session: Session, m: Meeting, **kw: Any) -> Registrant:
    n = next(_counter)
    _token, token_hash = new_link_token()
    values = {
        "name": f"Registrant {n}",
        "email": f"registrant{n}@example.net",
        "manage_token_hash": token_hash,
    } | kw
    r = Registrant(meeting_id=m.id, **values)
    session.add(r)
    session.flush()
    return r


def incident(session: Session, org: Organisation, **kw: Any) -> Incident:
    now = utcnow()
    values = {
        "kind": IncidentKind.DISRUPTION,
        "summary": "Someone shared offensive images",
        "occurred_at": now,
        "discovered_at": now,
    } | kw
    i = Incident(organisation_id=org.id, **values)
    session.add(i)
    session.flush()
    return i


def consent(
    session: Session,
    r: Registrant,
    purpose: ConsentPurpose,
    decision: ConsentDecision = ConsentDecision.GRANTED,
    **kw: Any,
) -> ConsentRecord:
    values = {
        "text_sha256": "0" * 64,
        "text_version": f"{purpose.value} 1",
        "recorded_at": utcnow(),
    } | kw
    record = ConsentRecord(registrant_id=r.id, purpose=purpose, decision=decision, **values)
    session.add(record)
    # As vcsafe does with every ledger record: the registrant row carries the latest word.
    if purpose is ConsentPurpose.RECORDING:
        r.refused_recording = decision is not ConsentDecision.GRANTED
    elif purpose is ConsentPurpose.CODE_OF_CONDUCT and decision is ConsentDecision.GRANTED:
        r.accepted_code_sha256 = record.text_sha256
    session.flush()
    return record


def sent_email(session: Session, org: Organisation, app: Flask, **kw: Any) -> OutboundEmail:
    """An email for the organisation, queued and then written to the app's mail folder."""
    values = {
        "kind": "confirmation",
        "to_address": f"person{next(_counter)}@example.net",
        "subject": "You are registered",
        "body": "Your private link: http://vcsafe.test/manage/abc",
    } | kw
    body = values.pop("body")
    email = OutboundEmail(organisation_id=org.id, body_encrypted=BOX.encrypt(body), **values)
    session.add(email)
    session.flush()
    mailer = mailer_of(app)
    assert isinstance(mailer, FolderMailer), "the test app writes emails to a folder"
    mailer.send(
        Letter(
            id=email.id,
            organisation_id=org.id,
            registrant_id=email.registrant_id,
            kind=email.kind,
            to_address=email.to_address,
            subject=email.subject,
            body=body,
        )
    )
    email.sent_at, email.to_address, email.body_encrypted = utcnow(), "", None  # as sent
    session.flush()
    return email


def receipt(session: Session, org: Organisation, **kw: Any) -> DeletionReceipt:
    values = {"meeting_title": "Old meeting", "provider": "zoom", "registrants_deleted": 3} | kw
    r = DeletionReceipt(organisation_id=org.id, **values)
    session.add(r)
    session.flush()
    return r
