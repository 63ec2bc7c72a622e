"""The host's briefing for one meeting: what to check before opening the doors, what to say
at the start, and what to do when someone disrupts it, written from the meeting's own
settings and registrations (the guide's "Starting your meeting" and "During the meeting").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vcsafe.formatting import counted
from vcsafe.models import (
    AgeBand,
    Meeting,
    ProviderKind,
    RecordingPolicy,
    Registrant,
    RegistrantStatus,
)
from vcsafe.providers.base import Chat
from vcsafe.services import consent_ledger, planning


@dataclass(frozen=True)
class Control:
    """A host control and where it is in the provider's own app."""

    what: str
    where: str
    chat: bool = False  # about the chat: left out where it is off


@dataclass(frozen=True)
class Briefing:
    provider: str  # "Zoom", "Microsoft Teams", or "" before an account is chosen
    before: list[str]  # to check before letting people in
    opening: list[str]  # to say at the start, in order
    during: list[str]  # what to do if things go wrong, and at breaks
    controls: list[Control]  # where the host controls are
    code: str  # the pinned code of conduct, in full ("" when none is pinned)
    code_version: int | None
    registrants_deleted_on: datetime


_ZOOM_CONTROLS = [
    Control("Stop everything at once", "Security, then Suspend Participant Activities"),
    Control("Let nobody else in", "Security, then Lock Meeting"),
    Control("Remove someone", "Participants, hover over their name, More, then Remove"),
    Control("Mute everyone", "Participants, then Mute All"),
    Control("Stop someone's video", "Participants, hover over their name, then Stop Video"),
    Control("Delete a chat message", "Hover over the message in the chat, More, then Delete", True),
]
_TEAMS_CONTROLS = [
    Control("Let nobody else in", "People, More options (…), then Lock the meeting"),
    Control("Remove someone", "People, More options (…) by their name, then Remove from meeting"),
    Control("Mute everyone", "People, then Mute all"),
    Control("Switch attendees' cameras off", "People, More options (…), then Disable camera"),
    Control("Delete a chat message", "Hover over the message, More options (…), then Delete", True),
]
_CONTROLS = {ProviderKind.ZOOM: _ZOOM_CONTROLS, ProviderKind.TEAMS: _TEAMS_CONTROLS}


def brief(session: Session, meeting: Meeting) -> Briefing:
    """Everything the host needs on one page, for a meeting still to take place or done."""
    account = meeting.provider_account
    kind = account.kind if account is not None else None
    provider = kind.product if kind is not None else ""
    spec = planning.safety_spec(meeting)
    # Teams has no chat for the hosts only: vcsafe switches its chat off instead.
    chat = Chat.OFF if kind is ProviderKind.TEAMS and spec.chat is Chat.HOST_ONLY else spec.chat
    children = _children(session, meeting)
    refused = consent_ledger.count_recording_refusals(session, meeting.id)
    records = spec.auto_recording and not refused
    version = meeting.code_of_conduct_version
    return Briefing(
        provider=provider,
        before=_before(meeting, chat, children, refused, records),
        opening=_opening(meeting, chat, records),
        during=_during(meeting, chat, records),
        controls=[c for c in _CONTROLS[kind] if chat is not Chat.OFF or not c.chat]
        if kind is not None
        else [],
        code=version.body if version is not None else "",
        code_version=version.number if version is not None else None,
        registrants_deleted_on=planning.registrants_deleted_on(meeting),
    )


def _children(session: Session, meeting: Meeting) -> int:
    return (
        session.scalar(
            select(func.count(Registrant.id)).where(
                Registrant.meeting_id == meeting.id,
                Registrant.status == RegistrantStatus.ACTIVE,
                Registrant.age_band == AgeBand.CHILD,
            )
        )
        or 0
    )


def _before(meeting: Meeting, chat: Chat, children: int, refused: int, records: bool) -> list[str]:
    lobby = "lobby" if _teams(meeting) else "waiting room"
    registered = meeting.active_registrants
    listed = (
        f"the {counted(registered, 'person', 'people')} registered "
        f"{'is' if registered == 1 else 'are'} listed on the meeting page"
        if registered
        else "nobody has registered yet"
    )
    found = [
        f"Start the meeting with the host link on the meeting page. People wait in the {lobby} "
        f"until you admit them: admit only names you expect ({listed}).",
        "Ask at least one other person to co-host: one of you runs the meeting while the other "
        "watches the participants" + (" and the chat." if chat is not Chat.OFF else "."),
    ]
    if children:
        found.append(
            f"{counted(children, 'child', 'children')} under {meeting.organisation.age_threshold} "
            "registered, each with a parent's or guardian's consent. Do not record, keep the "
            "chat off, and never ask for contact details in the meeting."
        )
    if planning.uses_children_profile(meeting):
        found.append(
            "Do not record this meeting: meetings that may include children are never recorded."
        )
    elif meeting.recording_policy is RecordingPolicy.NONE:
        found.append("Do not record this meeting: nobody was asked to agree to it.")
    elif refused:
        found.append(
            f"{counted(refused, 'person', 'people')} said no to being recorded, so automatic "
            "recording is off. Do not record, unless each of them agrees during the meeting."
        )
    elif records:
        found.append(
            "Automatic recording is on: nobody registered has said no to it. A refusal switches "
            "it off, so look again just before you start, and check that the recording sign "
            "appears once the meeting starts."
        )
    return found


def _opening(meeting: Meeting, chat: Chat, records: bool) -> list[str]:
    found = [f"Welcome to “{meeting.title}”."]
    if meeting.code_of_conduct_version is not None:
        found.append(
            "Everyone here accepted our code of conduct when they registered. Anyone who "
            "breaks it will be removed from the meeting."
        )
    found.append(
        "Please do not take screenshots of other people, or record them, without their permission."
    )
    if records:
        days = meeting.recording_retention_days
        kept = f"for {counted(days, 'day')}" if days else "only until the next cleanup"
        found.append(
            f"This meeting is recorded, as you agreed when you registered. The recording is "
            f"kept {kept} and then deleted. We will stop the recording during any break and "
            "tell you when it starts again."
        )
    else:
        found.append("This meeting is not recorded.")
    if chat is Chat.HOST_ONLY:
        found.append(
            "The chat is for messages to the hosts only: other participants cannot see what you "
            "write there, and the hosts can."
        )
    elif chat is Chat.OFF:
        found.append("The chat is switched off for this meeting.")
    found.append(
        "Your microphone is muted when you join, and only the hosts can share their screen. "
        "If anything makes you uncomfortable, tell a host"
        + (" in the chat" if chat is not Chat.OFF else "")
        + (
            f", or write to {meeting.organisation.incident_contact}"
            if meeting.organisation.incident_contact
            else ""
        )
        + "."
    )
    return found


def _during(meeting: Meeting, chat: Chat, records: bool) -> list[str]:
    if _teams(meeting):
        registration = (
            "then remove their registration on the meeting page (Teams has one link for "
            "everyone: should they come back, leave them in the lobby)"
        )
        first = "lock the meeting and mute everyone"
    else:
        registration = (
            "then remove their registration on the meeting page so their link stops working"
        )
        first = "suspend everyone's activities or lock the meeting"
    found = [
        "If someone breaks the code of conduct, act at once: remove them from the meeting "
        f"(the controls are below), {registration}, and log an incident.",
        f"If the meeting is flooded with offensive content, {first} first, then deal with the "
        "people responsible.",
    ]
    if chat is not Chat.OFF:
        found.append("Delete offensive chat messages as they appear.")
    if records:
        found.append(
            "Stop the recording before a break and during it; when it starts again, tell people."
        )
    return found


def _teams(meeting: Meeting) -> bool:
    account = meeting.provider_account
    return account is not None and account.kind is ProviderKind.TEAMS
