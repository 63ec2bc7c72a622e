"""How the console's audit log words its events: each action code as a phrase, and each
subject as a name with a link to its page where it has one. The codes stay in the database
(and in the page's title attributes) for anyone who searches or exports them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flask import url_for

from vcsafe.models import AuditEvent

ACTIONS: dict[str, str] = {
    "code_of_conduct.published": "Code of conduct version published",
    "incident.logged": "Incident logged",
    "incident.status": "Incident updated",
    "mail.viewed": "Email opened in the console",
    "meeting.auto_recording_off": "Automatic recording switched off (someone refused)",
    "meeting.cancelled": "Meeting cancelled",
    "meeting.changed": "Meeting changed",
    "meeting.code_of_conduct_moved": "Meeting moved to a new code-of-conduct version",
    "meeting.created_at_provider": "Meeting created at the provider",
    "meeting.deleted_at_provider": "Meeting deleted at the provider",
    "meeting.ended": "Meeting ended",
    "meeting.reminded": "Registrants emailed a reminder of the meeting",
    "meeting.fix.reapply_settings": "Safe settings applied again at the provider",
    "meeting.fix.recording_off": "Automatic recording switched off by an organiser",
    "meeting.legal_hold_placed": "Legal hold placed",
    "meeting.missing_at_provider": "Meeting found missing at the provider (organisers emailed)",
    "meeting.legal_hold_released": "Legal hold released",
    "meeting.planned": "Meeting planned",
    "meeting.registrant_removed": "Registrant removed from the meeting by an organiser",
    "meeting.settings_drift": "Safety settings found changed at the provider",
    "meeting.updated_at_provider": "Meeting updated at the provider",
    "organisation.created": "Organisation created",
    "organisation.settings_changed": "Organisation settings changed",
    "person.erased": "A person's data erased at their request, made to the organisation",
    "person.links_sent": "A person emailed their private links, at their request",
    "provider_account.connected": "Zoom or Teams account connected",
    "provider_account.disconnected": "Zoom or Teams account disconnected",
    "provider_account.tested": "Zoom or Teams account tested",
    "purge.receipt": "Data deleted on schedule (receipt issued)",
    "recording.deleted_elsewhere": "Recording found deleted at the provider",
    "recording.found": "Recording found at the provider",
    "registrant.corrected": "Registrant corrected their name (the names are not kept here)",
    "registrant.erased": "Registrant's data erased",
    "registrants.exported": "Proof of consent downloaded",
    "registrants.viewed": "Registrants viewed",
    "user.added": "User added",
    "user.changed": "User changed",
    "user.password_changed": "Password changed",
}

# subject_type (the model's class name, lower case) -> (words, endpoint, its id argument)
_SUBJECTS: dict[str, tuple[str, str | None, str | None]] = {
    "meeting": ("meeting", "meetings.show", "meeting_id"),
    "incident": ("incident", "incidents.show", "incident_id"),
    "provideraccount": ("Zoom or Teams account", "accounts.show", "account_id"),
    "user": ("user", "users.edit", "user_id"),
    "codeofconductversion": ("code-of-conduct version", "codes.version", "version_id"),
    "deletionreceipt": ("deletion receipt", "retention.receipt", "receipt_id"),
    "organisation": ("organisation", "organisation.settings", None),
    "recording": ("recording", None, None),
}


def action_text(event: AuditEvent) -> str:
    return ACTIONS.get(event.action, event.action)


def subject_text(event: AuditEvent, gone: Collection[tuple[str, int]] = ()) -> str:
    """'meeting 12'; an unknown type as stored; '(since removed)' after one that is gone."""
    if not event.subject_type:
        return ""
    words = _SUBJECTS.get(event.subject_type, (event.subject_type, None, None))[0]
    if event.subject_type == "organisation" or event.subject_id is None:
        return words
    if (event.subject_type, event.subject_id) in gone:
        return f"{words} {event.subject_id} (since removed)"
    return f"{words} {event.subject_id}"


def subject_url(event: AuditEvent, gone: Collection[tuple[str, int]] = ()) -> str | None:
    """The subject's page in the console, where it has one and the subject still exists
    (`gone`: from audit.missing_subjects)."""
    _words, endpoint, argument = _SUBJECTS.get(event.subject_type, ("", None, None))
    if endpoint is None:
        return None
    if argument is None:
        return url_for(endpoint)
    if event.subject_id is None or (event.subject_type, event.subject_id) in gone:
        return None
    values: dict[str, Any] = {argument: event.subject_id}
    return url_for(endpoint, **values)
