"""The live safety checklist: the guide's seven questions, answered from the provider's live
settings (read back now), not from what vcsafe believes it set."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from vcsafe.formatting import counted
from vcsafe.models import Meeting, MeetingState, Organisation, RecordingPolicy
from vcsafe.providers.base import LiveSettings, MeetingProvider
from vcsafe.services import settings_drift
from vcsafe.services.meeting_lists import MeetingCounts
from vcsafe.services.settings_drift import words

PRIVACY_STATEMENTS = {
    "zoom": "https://explore.zoom.us/en/privacy/",
    "teams": "https://privacy.microsoft.com/privacystatement",
}


class Status(enum.StrEnum):
    PASS = "pass"  # noqa: S105 (a checklist status, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"


class Fix(enum.StrEnum):
    """Fixes vcsafe can apply with one click."""

    REAPPLY_SETTINGS = "reapply_settings"
    RECORDING_OFF = "recording_off"


@dataclass(frozen=True)
class Item:
    number: int
    question: str
    status: Status
    reason: str
    fix: Fix | None = None
    link: str | None = None  # where a person can act, when vcsafe cannot


@dataclass(frozen=True)
class Checklist:
    items: list[Item]
    live_error: str  # why the live settings could not be read, if they could not
    drifted: list[str]  # settings that differ at the provider from what vcsafe set

    @property
    def gone_at_provider(self) -> bool:
        """The provider says the meeting does not exist: nobody can join it."""
        return self.live_error == settings_drift.MEETING_GONE

    @property
    def passed(self) -> int:
        return sum(1 for i in self.items if i.status is Status.PASS)


def evaluate(
    session: Session,
    meeting: Meeting,
    organisation: Organisation,
    counts: MeetingCounts,
    live: LiveSettings | None,
    live_error: str,
    *,
    now: datetime,
) -> Checklist:
    """Answer the seven questions; record newly found drift in the audit log."""
    found = settings_drift.found(meeting, live) if live else []
    settings_drift.note(session, meeting, found)
    kind = meeting.provider_account.kind.value if meeting.provider_account else ""
    items = [
        _q1_provider(meeting, kind),
        _q2_code_of_conduct(meeting, counts),
        _q3_host_control(live, live_error, found),
        _q4_recording_consent(meeting, live, live_error, counts),
        _q5_security(live, live_error, found),
        _q6_disruption_plan(organisation),
        _q7_data(meeting, now),
    ]
    return Checklist(items=items, live_error=live_error, drifted=found)


def _q1_provider(meeting: Meeting, kind: str) -> Item:
    question = "Have you read the security and privacy statement of the service you use?"
    account = meeting.provider_account
    if account is None:
        return Item(1, question, Status.FAIL, "The meeting has no connected account.")
    working = account.status.value == "ok"
    return Item(
        1,
        question,
        Status.PASS if working else Status.UNKNOWN,
        f"{account.label} is connected{' and working' if working else ', not yet tested'}. "
        "Read the provider's privacy statement before the meeting.",
        link=PRIVACY_STATEMENTS.get(kind),
    )


def _q2_code_of_conduct(meeting: Meeting, counts: MeetingCounts) -> Item:
    question = "Is there a code of conduct, and is it shared with participants?"
    version = meeting.code_of_conduct_version
    if version is None:
        return Item(2, question, Status.FAIL, "No code of conduct is pinned to this meeting.")
    if counts.not_accepted_current_code:
        return Item(
            2,
            question,
            Status.FAIL,
            f"{counted(counts.not_accepted_current_code, 'registrant has', 'registrants have')} "
            "not accepted "
            f"version {version.number} yet; they are asked to when they use their link.",
        )
    return Item(
        2,
        question,
        Status.PASS,
        f"Version {version.number} is shown on the registration page and every registrant "
        "accepted it.",
    )


def _q3_host_control(live: LiveSettings | None, error: str, found: list[str]) -> Item:
    question = "Is the host in control of the features and controls?"
    if live is None:
        return Item(3, question, Status.UNKNOWN, error)
    controls = ["join_before_host", "mute_on_entry", "screen_share_host_only", "annotation", "chat"]
    bad = [c for c in controls if c in found]
    if bad:
        return Item(
            3,
            question,
            Status.FAIL,
            "Changed at the provider: " + ", ".join(words(c) for c in bad) + ".",
            fix=Fix.REAPPLY_SETTINGS,
        )
    unknown = [c for c in controls if c != "chat" and getattr(live, c) is None]
    if live.chat is None:
        unknown.append("chat")
    if unknown:
        return Item(
            3,
            question,
            Status.UNKNOWN,
            "The provider does not report "
            + ", ".join(words(c) for c in unknown)
            + ": check them in its own settings.",
        )
    return Item(
        3,
        question,
        Status.PASS,
        "Only the host shares screens; chat is restricted; "
        "nobody joins before the host; everyone enters muted.",
    )


def _q4_recording_consent(
    meeting: Meeting, live: LiveSettings | None, error: str, counts: MeetingCounts
) -> Item:
    question = "If the session is recorded, have participants consented?"
    if meeting.recording_policy is RecordingPolicy.NONE:
        if live is not None and live.auto_recording:
            return Item(
                4,
                question,
                Status.FAIL,
                "Automatic recording is on at the provider, but this meeting is not to be "
                "recorded.",
                fix=Fix.RECORDING_OFF,
            )
        return Item(4, question, Status.PASS, "This meeting is not recorded.")
    if counts.refused_recording and (live is None or live.auto_recording is not False):
        return Item(
            4,
            question,
            Status.FAIL if live else Status.UNKNOWN,
            f"{counted(counts.refused_recording, 'registrant')} refused recording; automatic "
            "recording must be off."
            if live
            else error,
            fix=Fix.RECORDING_OFF if live else None,
        )
    if counts.refused_recording:
        return Item(
            4,
            question,
            Status.PASS,
            f"{counted(counts.refused_recording, 'registrant')} refused recording, so automatic "
            "recording is off. Record only with everyone's agreement.",
        )
    return Item(
        4,
        question,
        Status.PASS,
        "Every registrant's recording decision is on record; nobody refused.",
    )


def _q5_security(live: LiveSettings | None, error: str, found: list[str]) -> Item:
    question = "Are the passcode, waiting room and registration set up?"
    if live is None:
        return Item(5, question, Status.UNKNOWN, error)
    settings = ["passcode_required", "waiting_room", "registration_required", "manual_approval"]
    bad = [s for s in settings if s in found]
    if bad:
        return Item(
            5,
            question,
            Status.FAIL,
            "Turned off at the provider: " + ", ".join(words(s) for s in bad) + ".",
            fix=Fix.REAPPLY_SETTINGS,
        )
    unknown = [s for s in settings if getattr(live, s) is None]
    reason = "A passcode and the waiting room are on; people register in advance."
    if unknown:
        reason += " The provider does not report " + ", ".join(words(s) for s in unknown) + "."
    return Item(5, question, Status.PASS, reason)


def _q6_disruption_plan(organisation: Organisation) -> Item:
    question = "Is there a plan if the event is disrupted?"
    if not organisation.incident_contact.strip():
        return Item(
            6,
            question,
            Status.FAIL,
            "No incident contact is set for your organisation.",
            link="/console/organisation",
        )
    return Item(
        6,
        question,
        Status.PASS,
        f"Incidents go to {organisation.incident_contact}; log them under Incidents.",
    )


def _q7_data(meeting: Meeting, now: datetime) -> Item:
    question = "Is the data you collect treated in line with data protection?"
    due = meeting.registrants_purge_due_at
    if meeting.legal_hold:
        return Item(
            7,
            question,
            Status.UNKNOWN,
            f"A legal hold pauses deletion: {meeting.legal_hold_reason}",
        )
    if due is not None and due < now and meeting.state is not MeetingState.PURGED:
        return Item(
            7,
            question,
            Status.FAIL,
            "Registrant data is past its deletion date and not yet deleted.",
        )
    return Item(
        7,
        question,
        Status.PASS,
        f"Registrant data is deleted {_delay(meeting.registrant_retention_days)} after the "
        f"meeting and recordings {_delay(meeting.recording_retention_days)} after they are made.",
    )


def _delay(days: int) -> str:
    return counted(days, "day") if days else "at the first cleanup"


def check(
    session: Session,
    meeting: Meeting,
    organisation: Organisation,
    counts: MeetingCounts,
    provider: MeetingProvider | None,
    *,
    now: datetime,
) -> Checklist:
    """Read the live settings through the provider, then answer the seven questions."""
    if provider is None:
        live, error = None, "The meeting's account was disconnected."
    else:
        live, error = settings_drift.read_live(provider, meeting)
    return evaluate(session, meeting, organisation, counts, live, error, now=now)
