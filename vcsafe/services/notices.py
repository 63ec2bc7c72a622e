"""The texts registrants are shown and agree to. Each is generated from the meeting's settings,
so the sha256 in the consent ledger proves exactly what was on the page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from vcsafe.formatting import counted
from vcsafe.models import Meeting, Organisation, RecordingPolicy
from vcsafe.services import planning

NOTICE_VERSION = "1"
# Version 2 says what the page itself keeps (its one cookie, the hashed address it counts), and
# is set out one paragraph per subject. Version 3 says what is kept of someone removed from the
# meeting who erases their data (registration_blocks.py), that a name can be corrected
# (rectification.py), and where to complain.
PRIVACY_NOTICE_VERSION = "3"


@dataclass(frozen=True)
class Notice:
    """A text as shown, its version label and its hash."""

    text: str
    version: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def paragraphs(self) -> list[str]:
        """The text as the page sets it out: paragraphs are separated by a blank line."""
        return self.text.split("\n\n")


def recording_notice(meeting: Meeting) -> Notice:
    """What is recorded, who sees it, when it is deleted — and whether consent is a condition."""
    policy = meeting.recording_policy
    if policy is RecordingPolicy.NONE:
        text = "This meeting will not be recorded. Please do not record it yourself."
    else:
        text = (
            "This meeting may be recorded: the video, the audio and the shared screens, "
            "and the public chat. The recording is kept by "
            f"{meeting.provider_account.label if meeting.provider_account else 'the organiser'} "
            "for the organisers only, and it is deleted permanently "
            f"{meeting.recording_retention_days} day"
            f"{'s' if meeting.recording_retention_days != 1 else ''} after it is made. "
            "You will see a recording sign on screen while it records."
        )
        if policy is RecordingPolicy.REQUIRED:
            text += (
                " Recording is a condition of joining this meeting: to register you must "
                "agree to be recorded."
            )
        else:
            text += (
                " You decide: if you or anyone else says no, automatic recording is switched "
                "off. You can change your mind at any time with your private link."
            )
    return Notice(text=text, version=f"recording notice {NOTICE_VERSION} ({policy.value})")


def privacy_notice(meeting: Meeting, organisation: Organisation) -> Notice:
    """What is collected, why, how long, and how to withdraw or erase — from the settings."""
    days = meeting.registrant_retention_days
    when = (
        "at the first cleanup after the meeting ends"
        if days == 0
        else f"{counted(days, 'day')} after the meeting ends"
    )
    children = planning.uses_children_profile(meeting)
    recorded = meeting.recording_policy is not RecordingPolicy.NONE
    parts = [
        f"{organisation.name} collects your name and email address"
        + (", your age group, and your parent or guardian's name and email" if children else "")
        + " to run this meeting: to give you your own joining link, to contact you about this "
        "meeting, and to show who agreed to the code of conduct"
        + (" and to being recorded." if recorded else "."),
        f"They are shared with {_provider_name(meeting)} only to issue your joining link.",
        f"Your details are deleted {when}, at the provider too.",
        "Your consent decisions are kept with your details and deleted with them.",
    ]
    if meeting.offer_future_contact:
        parts.append(
            "If you choose to hear about future events, only your name and email are kept for "
            "that, once the rest is deleted, until you tell us to stop: you are then emailed a "
            "link that removes them."
        )
    consents = [
        *(["to recording"] if recorded else []),
        *(["to emails about future events"] if meeting.offer_future_contact else []),
    ]
    withdraw = f"withdraw your consent {' or '.join(consents)}, " if consents else ""
    parts.append(
        "With the private link in your confirmation email you can see everything held about "
        f"you, download it, correct your name, {withdraw}cancel your registration, or have "
        "your data erased straight away."
    )
    parts.append(
        "If the organisers remove you from the meeting, your email address cannot register for "
        "it again. Should you then have your data erased, only a code made from your address "
        "with a secret key is kept in its place, to recognise it, until the meeting starts."
    )
    parts.append(
        "This page sets one cookie, only to protect the form against forgery; it goes when you "
        "close your browser. To stop abuse, registrations are counted per internet address for "
        "a short while, under a code that cannot be turned back into the address; the address "
        "is not kept with your registration."
    )
    if organisation.incident_contact:
        parts.append(f"Questions or concerns: {organisation.incident_contact}.")
    parts.append(
        "You can also complain to a data protection authority: in the UK, the Information "
        "Commissioner's Office."
    )
    return Notice(text="\n\n".join(parts), version=f"privacy notice {PRIVACY_NOTICE_VERSION}")


def guardian_notice(organisation: Organisation) -> Notice:
    text = (
        f"I am the parent or guardian of the child registering. I agree that {organisation.name} "
        "may hold the child's name and email and my own for this meeting as the privacy notice "
        "says, that the child attends under the code of conduct, and that the confirmation and "
        "the private link are sent to me."
    )
    return Notice(text=text, version=f"guardian consent {NOTICE_VERSION}")


def future_contact_notice(organisation: Organisation) -> Notice:
    text = (
        f"Yes, {organisation.name} may email me about future events. I can stop this at any time."
    )
    return Notice(text=text, version=f"future contact {NOTICE_VERSION}")


def _provider_name(meeting: Meeting) -> str:
    account = meeting.provider_account
    if account is None:
        return "the video-conferencing provider"
    return account.kind.product
