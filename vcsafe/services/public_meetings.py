"""What the public registration page knows of a meeting, read with two kinds of freshness.

- `availability()` is read from the database on every request, in one query: the meeting's
  state, start, capacity and how many are registered, which decide whether it is open.
- `PublicMeeting` is the public, non-personal rest: titles, times, the pinned code of conduct
  and the notices with their hashes. It is built once and kept by `SnapshotCache` for a short
  while, stamped with the meeting row's `updated_at`: a change to the meeting replaces it on the
  next request, and changes to the organisation, its provider account or the code's title
  reach it within the cache's TTL.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session, joinedload

from vcsafe.models import (
    CodeOfConductVersion,
    Meeting,
    MeetingState,
    ProviderKind,
    RecordingPolicy,
    RegistrationBlock,
)
from vcsafe.services import notices, planning
from vcsafe.services.tables import table_of

# How long a page may go on showing an old organisation name, provider label or code title.
SNAPSHOT_TTL_SECONDS = 30.0
SNAPSHOT_ENTRIES = 256


@dataclass(frozen=True)
class Availability:
    """The part of a meeting that decides, at this moment, whether anyone may register."""

    meeting_id: int
    state: MeetingState
    starts_at: datetime
    capacity: int
    registered: int  # active registrants
    updated_at: datetime  # stamps the snapshot this request may use
    # Some address removed from it and then erased may not register again (registration_blocks).
    has_blocks: bool = False


@dataclass(frozen=True)
class CodeText:
    """The pinned code-of-conduct version as shown (versions are never changed)."""

    title: str
    number: int
    body: str
    sha256: str

    @property
    def version(self) -> str:
        """The label the consent ledger records with the hash."""
        return f"{self.title} v{self.number}"


@dataclass(frozen=True)
class PublicMeeting:
    """A meeting's public page: what it shows and what registering agrees to."""

    id: int
    organisation_id: int
    stamp: datetime  # the meeting row's updated_at when this was taken
    title: str
    starts_at: datetime
    duration_minutes: int
    timezone: str
    recording_policy: RecordingPolicy
    children: bool  # the children's profile: age question, guardian consent
    offer_future_contact: bool
    link_expires_at: datetime  # when a registrant's private link stops working
    organisation_name: str
    age_threshold: int
    on_teams: bool
    code: CodeText | None
    privacy: notices.Notice
    recording: notices.Notice
    future_contact: notices.Notice
    guardian: notices.Notice

    @functools.cached_property
    def digest(self) -> str:
        """A hash of everything the page asks a person to agree to, for the form to send back:
        a registration counts only for the texts that were on the page."""
        asked = [
            ("privacy", self.privacy),
            ("recording", self.recording),
            *([("future contact", self.future_contact)] if self.offer_future_contact else []),
            *([("guardian", self.guardian)] if self.children else []),
        ]
        lines = [f"{what}\t{n.version}\t{n.sha256}" for what, n in asked]
        if self.code is not None:
            lines.append(f"code\t{self.code.version}\t{self.code.sha256}")
        if self.children:
            lines.append(f"age threshold\t{self.age_threshold}")
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# Built once, in Core rather than ORM terms: this runs on every request for a plain row.
_MEETING = table_of(Meeting)
_BLOCK = table_of(RegistrationBlock)
_AVAILABILITY = select(
    _MEETING.c.id,
    _MEETING.c.state,
    _MEETING.c.starts_at,
    _MEETING.c.capacity,
    _MEETING.c.active_registrants,  # kept by triggers: no count of the registrants
    _MEETING.c.updated_at,
    # An index probe, false for nearly every meeting; spares them a query per registration.
    exists().where(_BLOCK.c.meeting_id == _MEETING.c.id).correlate(_MEETING).label("has_blocks"),
)
_AVAILABILITY_BY_SLUG = _AVAILABILITY.where(_MEETING.c.public_slug == bindparam("slug"))
_AVAILABILITY_BY_ID = _AVAILABILITY.where(_MEETING.c.id == bindparam("id"))
_LOCK_MEETING = select(_MEETING.c.id).where(_MEETING.c.id == bindparam("id")).with_for_update()


def _valid_slug(slug: str) -> bool:
    return bool(slug) and len(slug) <= 64


def availability(session: Session, slug: str) -> Availability | None:
    """Whether the meeting behind a public address is open, read now, in one query."""
    if not _valid_slug(slug):
        return None
    row = session.execute(_AVAILABILITY_BY_SLUG, {"slug": slug}).one_or_none()
    return _availability(row) if row is not None else None


def availability_locked(session: Session, meeting_id: int) -> Availability:
    """As `availability`, holding the meeting row until the transaction ends: registrations
    near the capacity wait for each other here, so the last place is taken only once.

    The number of registrants is read after the lock, in a statement of its own: under READ
    COMMITTED only a statement that starts once the lock is held sees what the previous holder
    committed (its registrant was counted by a trigger as it committed; migration 0012).
    """
    session.execute(_LOCK_MEETING, {"id": meeting_id})
    return _availability(session.execute(_AVAILABILITY_BY_ID, {"id": meeting_id}).one())


def _availability(row: Sequence[Any]) -> Availability:
    meeting_id, state, starts_at, capacity, registered, updated_at, has_blocks = row
    return Availability(
        meeting_id, state, starts_at, capacity, registered, updated_at, bool(has_blocks)
    )


def meeting_by_slug(session: Session, slug: str) -> Meeting | None:
    """The meeting behind a public registration address, with what its pages show."""
    if not _valid_slug(slug):
        return None
    return session.scalar(
        select(Meeting)
        .where(Meeting.public_slug == slug)
        .execution_options(populate_existing=True)  # afresh, even if this session has it
        .options(
            joinedload(Meeting.organisation),
            joinedload(Meeting.provider_account),
            joinedload(Meeting.code_of_conduct_version).joinedload(
                CodeOfConductVersion.code_of_conduct
            ),
        )
    )


def manage_link_expiry(meeting: Meeting) -> datetime:
    """Manage links work until the registrant's data is due for deletion (at least a day)."""
    end = meeting.ended_at or planning.scheduled_end(meeting)
    return end + timedelta(days=max(1, meeting.registrant_retention_days))


def snapshot(meeting: Meeting) -> PublicMeeting:
    """The public page of a meeting loaded by `meeting_by_slug`, with its notices."""
    organisation = meeting.organisation
    account = meeting.provider_account
    version = meeting.code_of_conduct_version
    code = (
        CodeText(
            title=version.code_of_conduct.title,
            number=version.number,
            body=version.body,
            sha256=version.sha256,
        )
        if version is not None
        else None
    )
    return PublicMeeting(
        id=meeting.id,
        organisation_id=meeting.organisation_id,
        stamp=meeting.updated_at,
        title=meeting.title,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        timezone=meeting.timezone,
        recording_policy=meeting.recording_policy,
        children=planning.uses_children_profile(meeting),
        offer_future_contact=meeting.offer_future_contact,
        link_expires_at=manage_link_expiry(meeting),
        organisation_name=organisation.name,
        age_threshold=organisation.age_threshold,
        on_teams=account is not None and account.kind is ProviderKind.TEAMS,
        code=code,
        privacy=notices.privacy_notice(meeting, organisation),
        recording=notices.recording_notice(meeting),
        future_contact=notices.future_contact_notice(organisation),
        guardian=notices.guardian_notice(organisation),
    )


class SnapshotCache:
    """Public pages of meetings by address: at most `size` of them, each for `ttl` seconds.

    A process's threads share it, hence the lock. Loading happens outside the lock, so a slow
    query holds up nobody else (two threads may then load the same page; both are right).
    """

    def __init__(
        self,
        *,
        ttl: float = SNAPSHOT_TTL_SECONDS,
        size: int = SNAPSHOT_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, PublicMeeting]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, session: Session, slug: str, stamp: datetime) -> PublicMeeting | None:
        """The page of the meeting at `slug`, as of `stamp` (its `updated_at`, just read)."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(slug)
            if entry is not None and entry[1].stamp == stamp and now - entry[0] < self._ttl:
                self._entries.move_to_end(slug)
                return entry[1]
        return self.load(session, slug)

    def load(self, session: Session, slug: str) -> PublicMeeting | None:
        """The page read afresh from the database, kept for the next requests."""
        taken = self._clock()
        meeting = meeting_by_slug(session, slug)
        page = snapshot(meeting) if meeting is not None else None
        with self._lock:
            self._entries.pop(slug, None)
            if page is not None:
                self._entries[slug] = (taken, page)
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)  # the least recently used
        return page
