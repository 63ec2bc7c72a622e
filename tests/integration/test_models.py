"""Model rules the database must keep: UTC times, immutable texts, append-only consent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests import factories
from vcsafe.models import (
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    Incident,
    IncidentKind,
    Meeting,
)


def test_datetimes_come_back_timezone_aware_utc(session: Session) -> None:
    org = factories.organisation(session)
    starts = datetime(2027, 3, 1, 18, 30, tzinfo=UTC)
    meeting = factories.meeting(session, org, starts_at=starts)
    session.commit()
    session.expire_all()
    loaded = session.get(Meeting, meeting.id)
    assert loaded is not None
    assert loaded.starts_at == starts
    assert loaded.starts_at.tzinfo is not None


def test_naive_datetimes_are_refused(session: Session) -> None:
    org = factories.organisation(session)
    with pytest.raises(Exception, match="naive datetime"):
        factories.meeting(session, org, starts_at=datetime(2027, 3, 1, 18, 30))


def test_consent_ledger_is_append_only(session: Session) -> None:
    org = factories.organisation(session)
    registrant = factories.registrant(session, factories.meeting(session, org))
    record = ConsentRecord(
        registrant_id=registrant.id,
        purpose=ConsentPurpose.RECORDING,
        decision=ConsentDecision.REFUSED,
        text_sha256="0" * 64,
        text_version="recording-notice 1",
    )
    session.add(record)
    session.commit()
    record.decision = ConsentDecision.GRANTED
    with pytest.raises(ValueError, match="append-only"):
        session.commit()


def test_code_of_conduct_versions_are_immutable(session: Session) -> None:
    version = factories.code_of_conduct(session, factories.organisation(session))
    session.commit()
    assert version.sha256 == version.hash_text("Be kind. No harassment.")
    version.body = "Anything goes."
    with pytest.raises(ValueError, match="immutable"):
        session.commit()


def test_one_registration_per_email_per_meeting_whatever_the_case(session: Session) -> None:
    org = factories.organisation(session)
    meeting = factories.meeting(session, org)
    factories.registrant(session, meeting, email="Ada@Example.org")
    session.commit()
    with pytest.raises(IntegrityError):
        factories.registrant(session, meeting, email="ada@example.ORG")
    session.rollback()
    other = factories.meeting(session, org)
    factories.registrant(session, other, email="ada@example.org")  # another meeting: fine
    session.commit()


def test_breach_deadline_is_72_hours_after_discovery(session: Session) -> None:
    org = factories.organisation(session)
    found = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
    breach = factories.incident(session, org, kind=IncidentKind.BREACH, discovered_at=found)
    disruption = factories.incident(session, org)
    assert breach.reporting_deadline == datetime(2027, 1, 13, 9, 0, tzinfo=UTC)
    assert disruption.reporting_deadline is None
    assert isinstance(breach, Incident)
