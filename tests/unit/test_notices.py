"""The privacy notice says only what applies to the meeting it is shown for."""

from __future__ import annotations

import pytest

from vcsafe.models import Audience, Meeting, Organisation, RecordingPolicy
from vcsafe.services import notices


def _notice(policy: RecordingPolicy, future_contact: bool, retention_days: int = 7) -> str:
    meeting = Meeting(
        recording_policy=policy,
        offer_future_contact=future_contact,
        registrant_retention_days=retention_days,
        audience=Audience.ADULTS,
    )
    return notices.privacy_notice(meeting, Organisation(name="Harbour Trust")).text


def test_an_unrecorded_meeting_asks_nothing_about_recording() -> None:
    text = _notice(RecordingPolicy.NONE, future_contact=False)
    assert "record" not in text
    assert "see everything held about you, download it, correct your name, cancel your" in text


@pytest.mark.parametrize("policy", [RecordingPolicy.WITH_CONSENT, RecordingPolicy.REQUIRED])
def test_each_consent_asked_can_be_withdrawn_with_the_link(policy: RecordingPolicy) -> None:
    text = _notice(policy, future_contact=True)
    assert "to show who agreed to the code of conduct and to being recorded." in text
    assert "withdraw your consent to recording or to emails about future events" in text


def test_the_retention_is_worded_for_people() -> None:
    assert "deleted 1 day after the meeting ends" in _notice(RecordingPolicy.NONE, False, 1)
    assert "deleted at the first cleanup after the meeting ends" in _notice(
        RecordingPolicy.NONE, False, 0
    )
    paragraphs = notices.privacy_notice(
        Meeting(
            recording_policy=RecordingPolicy.NONE,
            offer_future_contact=False,
            registrant_retention_days=3,
            audience=Audience.ADULTS,
        ),
        Organisation(name="Harbour Trust"),
    ).paragraphs
    assert len(paragraphs) >= 5 and all(p.strip() for p in paragraphs)
