"""One-click fixes from the checklist, and keeping automatic recording off after a refusal."""

from __future__ import annotations

import logging

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from vcsafe.crypto import SecretsBox
from vcsafe.models import Meeting, MeetingState, Registrant, RegistrantStatus, User
from vcsafe.providers.base import MeetingProvider, ProviderError
from vcsafe.services import audit, consent_ledger, planning
from vcsafe.services.checklist import Fix
from vcsafe.services.errors import DomainError
from vcsafe.services.provider_accounts import ProviderFor

log = logging.getLogger(__name__)


def apply_fix(
    session: Session,
    meeting: Meeting,
    fix: Fix,
    provider: MeetingProvider,
    *,
    box: SecretsBox,
    actor: User,
) -> str:
    """Apply a checklist fix at the provider; return what was done, in words."""
    if not meeting.provider_meeting_id:
        raise DomainError("The meeting is not yet created at the provider.")
    try:
        if fix is Fix.REAPPLY_SETTINGS:
            spec = planning.safety_spec(
                meeting, recording_refused=planning.anyone_refused_recording(session, meeting)
            )
            passcode = provider.update_meeting(meeting.provider_meeting_id, spec)
            if passcode:
                meeting.passcode_encrypted = box.encrypt(passcode)
            meeting.safety_settings = planning.spec_as_json(spec)
            done = "The safe settings were applied again at the provider." + (
                " The passcode had been removed, so the meeting has a new one." if passcode else ""
            )
        else:
            provider.set_auto_recording(meeting.provider_meeting_id, False)
            meeting.safety_settings = meeting.safety_settings | {"auto_recording": False}
            done = "Automatic recording was switched off at the provider."
    except ProviderError as exc:
        raise DomainError(f"The fix could not be applied: {exc}") from exc
    audit.record(
        session,
        meeting.organisation_id,
        # Written out, so a search for an audit action finds where it is recorded.
        "meeting.fix.reapply_settings"
        if fix is Fix.REAPPLY_SETTINGS
        else "meeting.fix.recording_off",
        actor_id=actor.id,
        subject=meeting,
    )
    return done


def enforce_recording_refusals(
    session: Session, meeting: Meeting, provider_for: ProviderFor, *, actor: User | None = None
) -> bool:
    """Switch automatic recording off at the provider once anyone has refused or withdrawn
    recording consent. True when it switched it off now."""
    if not meeting.provider_meeting_id or not meeting.safety_settings.get("auto_recording"):
        return False
    if meeting.provider_account is None:
        return False
    refusals = consent_ledger.count_recording_refusals(session, meeting.id)
    if not refusals:
        return False
    provider_for(meeting.provider_account).set_auto_recording(meeting.provider_meeting_id, False)
    meeting.safety_settings = meeting.safety_settings | {"auto_recording": False}
    audit.record(
        session,
        meeting.organisation_id,
        "meeting.auto_recording_off",
        actor_id=actor.id if actor else None,
        subject=meeting,
        reason="recording consent refused",
        refusals=refusals,
    )
    return True


def enforce_pending_refusals(factory: sessionmaker[Session], provider_for: ProviderFor) -> int:
    """For the worker: switch automatic recording off wherever someone has refused or withdrawn
    and it is still on, as when a withdrawal came while the provider was unreachable. Each
    meeting in its own transaction; returns how many were switched off now."""
    refused = exists().where(
        Registrant.meeting_id == Meeting.id,
        Registrant.status == RegistrantStatus.ACTIVE,
        consent_ledger.refused_recording(),
    )
    with factory() as session:
        meeting_ids = session.scalars(
            select(Meeting.id).where(
                Meeting.state == MeetingState.SCHEDULED,
                Meeting.provider_meeting_id.is_not(None),
                Meeting.safety_settings["auto_recording"].as_boolean(),
                refused,
            )
        ).all()
    switched = 0
    for meeting_id in meeting_ids:
        with factory.begin() as session:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None:
                continue
            try:
                switched += enforce_recording_refusals(session, meeting, provider_for)
            except ProviderError as exc:  # tried again on the next run
                log.warning(
                    "meeting %s: automatic recording still on: %s (status %s)",
                    meeting_id,
                    type(exc).__name__,
                    exc.status,
                )
    return switched
