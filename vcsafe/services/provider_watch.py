"""Watching upcoming meetings at their provider: someone may change a safety setting, or
delete the meeting, in Zoom's or Teams' own app, and no organiser may open vcsafe before the
day. Every WATCH_EVERY the worker reads each meeting starting within WATCH_AHEAD back from its
provider, as the meeting page's checklist does, and emails its organisers (counts and setting
names, never a person's name):

- a safety setting no longer as vcsafe set it (the waiting room switched off, say), once per
  change, whether the page or the watch saw it first. Nothing is changed back automatically:
  the change may be meant, and the checklist applies the safe settings in one click.
- the meeting gone from the provider, once. It is not cancelled from here: a provider that
  answers "no such meeting" for every meeting (an account reconnected to another Zoom
  account, say) must not cancel them all and email every registrant. Zoom's signed
  `meeting.deleted` webhook does cancel (cancellation.py); the organisers' email and the
  meeting page say how to cancel it and tell the registrants.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from vcsafe.crypto import SecretsBox
from vcsafe.models import Meeting, MeetingState
from vcsafe.providers.base import MeetingProvider
from vcsafe.services import audit, organiser_alerts, settings_drift
from vcsafe.services.provider_accounts import ProviderFor

log = logging.getLogger(__name__)

#: Meetings starting within this are watched.
WATCH_AHEAD = timedelta(days=7)
#: Each is read back this often.
WATCH_EVERY = timedelta(hours=1)
#: At most this many meetings are read per run; the soonest first.
BATCH = 200


class Found(enum.Enum):
    AS_SET = "as set"  # nothing new to tell
    CHANGED = "changed"  # the organisers were told of changed settings
    MISSING = "missing"  # the organisers were told the provider has no such meeting
    UNREAD = "unread"  # the provider could not be asked; read again at the next run


@dataclass
class WatchReport:
    read: int = 0
    changed: int = 0
    missing: int = 0
    failed: int = 0


def watch_due(
    factory: sessionmaker[Session],
    provider_for: ProviderFor,
    box: SecretsBox,
    *,
    base_url: str,
    now: datetime,
) -> WatchReport:
    """Read back every upcoming meeting not read for WATCH_EVERY; each in its own transaction.
    Once an account cannot be read, its other meetings wait for the next run instead of each
    waiting out the same outage."""
    with factory() as session:
        ids = list(
            session.scalars(
                select(Meeting.id)
                .where(
                    Meeting.state == MeetingState.SCHEDULED,
                    Meeting.provider_meeting_id.is_not(None),
                    Meeting.provider_account_id.is_not(None),
                    Meeting.missing_reported_at.is_(None),
                    Meeting.starts_at > now,
                    Meeting.starts_at <= now + WATCH_AHEAD,
                    or_(Meeting.watched_at.is_(None), Meeting.watched_at <= now - WATCH_EVERY),
                )
                .order_by(Meeting.starts_at, Meeting.id)
                .limit(BATCH)
            )
        )
    report = WatchReport()
    unread: set[int] = set()  # accounts that could not be read in this run
    for meeting_id in ids:
        with factory() as session:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None or meeting.provider_account is None:
                continue
            if meeting.provider_account.id in unread:
                report.failed += 1  # the same outage: wait for the next run
                continue
            found = watch(
                session,
                meeting,
                provider_for(meeting.provider_account),
                box,
                base_url=base_url,
                now=now,
            )
            if found is Found.UNREAD:
                unread.add(meeting.provider_account.id)
            session.commit()
        if found is Found.UNREAD:
            report.failed += 1
            continue
        report.read += 1
        report.changed += found is Found.CHANGED
        report.missing += found is Found.MISSING
    return report


def watch(
    session: Session,
    meeting: Meeting,
    provider: MeetingProvider,
    box: SecretsBox,
    *,
    base_url: str,
    now: datetime,
) -> Found:
    """Read one meeting back and tell its organisers what is new. The provider is asked
    before the meeting row is locked; the row is then held only while vcsafe decides, so a
    page view or a second worker reading it at the same time tells nobody twice."""
    live, error = settings_drift.read_live(provider, meeting)
    if live is None and error != settings_drift.MEETING_GONE:
        # Not the provider's message, which may quote a host's address.
        log.warning("watching meeting %s: the provider could not be read", meeting.id)
        return Found.UNREAD
    session.refresh(meeting, with_for_update=True)
    if meeting.state is not MeetingState.SCHEDULED or meeting.missing_reported_at is not None:
        return Found.AS_SET  # cancelled, or reported, while the provider answered
    meeting.watched_at = now
    page_url = organiser_alerts.page_url(meeting, base_url)
    if live is None:
        meeting.missing_reported_at = now
        registered = meeting.active_registrants
        organiser_alerts.queue(
            session,
            box,
            meeting,
            kind="missing_at_provider",
            subject=f"No longer in {organiser_alerts.product_of(meeting)}: {meeting.title}",
            template="meeting_missing_at_provider.txt",
            registered=registered,
            page_url=page_url,
        )
        audit.record(
            session,
            meeting.organisation_id,
            "meeting.missing_at_provider",
            subject=meeting,
            registered=registered,
        )
        return Found.MISSING
    found = settings_drift.found(meeting, live)
    new = sorted(set(found) - set(meeting.drift or []))
    settings_drift.note(session, meeting, found)
    if not new:
        return Found.AS_SET
    organiser_alerts.queue(
        session,
        box,
        meeting,
        kind="settings_changed",
        subject=f"Safety settings changed in {organiser_alerts.product_of(meeting)}: "
        f"{meeting.title}",
        template="meeting_settings_changed.txt",
        changed=[settings_drift.words(name) for name in new],
        page_url=page_url,
    )
    return Found.CHANGED
