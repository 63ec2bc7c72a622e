"""The code-of-conduct library: codes, their immutable versions, and which meetings pin them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox, new_link_token
from vcsafe.models import (
    CodeOfConduct,
    CodeOfConductVersion,
    Meeting,
    MeetingState,
    Organisation,
    Registrant,
    RegistrantStatus,
    User,
)
from vcsafe.services import audit, consent_ledger, emails
from vcsafe.services.errors import DomainError, NotFound

MAX_BODY = 50_000


def codes_of(session: Session, organisation_id: int) -> list[CodeOfConduct]:
    return list(
        session.scalars(
            select(CodeOfConduct)
            .where(CodeOfConduct.organisation_id == organisation_id)
            .order_by(CodeOfConduct.title)
        )
    )


def versions_of_org(session: Session, organisation_id: int) -> list[CodeOfConductVersion]:
    """Every published version, newest of each code first, for the meeting form."""
    return list(
        session.scalars(
            select(CodeOfConductVersion)
            .join(CodeOfConduct)
            .where(CodeOfConduct.organisation_id == organisation_id)
            .order_by(CodeOfConduct.title, CodeOfConductVersion.number.desc())
        )
    )


def get_code(session: Session, organisation_id: int, code_id: int) -> CodeOfConduct:
    code = session.get(CodeOfConduct, code_id)
    if code is None or code.organisation_id != organisation_id:
        raise NotFound("code of conduct")
    return code


def get_version(session: Session, organisation_id: int, version_id: int) -> CodeOfConductVersion:
    version = session.get(CodeOfConductVersion, version_id)
    if version is None or version.code_of_conduct.organisation_id != organisation_id:
        raise NotFound("code of conduct version")
    return version


def create_code(
    session: Session, organisation: Organisation, title: str, body: str, *, actor: User
) -> CodeOfConduct:
    """A new code of conduct with its first version."""
    title = title.strip()
    if not title:
        raise DomainError("Give the code of conduct a title.")
    code = CodeOfConduct(organisation_id=organisation.id, title=title)
    session.add(code)
    session.flush()
    publish_version(session, code, body, actor=actor)
    if organisation.default_code_of_conduct_id is None:
        organisation.default_code_of_conduct_id = code.id
    return code


def publish_version(
    session: Session, code: CodeOfConduct, body: str, *, actor: User
) -> CodeOfConductVersion:
    """Publish a new, immutable version; older versions stay readable and pinned where they are."""
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise DomainError("The text of the code of conduct is empty.")
    if len(body) > MAX_BODY:
        raise DomainError(f"The text is too long (at most {MAX_BODY:,} characters).")
    latest = latest_version(session, code)
    if latest is not None and latest.body == body:
        raise DomainError("This text is the same as the latest version; nothing to publish.")
    version = CodeOfConductVersion(
        code_of_conduct_id=code.id,
        number=(latest.number + 1) if latest else 1,
        body=body,
        sha256=CodeOfConductVersion.hash_text(body),
        published_by_id=actor.id,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        code.organisation_id,
        "code_of_conduct.published",
        actor_id=actor.id,
        subject=version,
        number=version.number,
    )
    return version


def latest_version(session: Session, code: CodeOfConduct) -> CodeOfConductVersion | None:
    return session.scalar(
        select(CodeOfConductVersion)
        .where(CodeOfConductVersion.code_of_conduct_id == code.id)
        .order_by(CodeOfConductVersion.number.desc())
        .limit(1)
    )


def pinning_meetings(session: Session, code: CodeOfConduct) -> list[tuple[Meeting, int]]:
    """Meetings that pin a version of this code, with the version number they pin."""
    rows = session.execute(
        select(Meeting, CodeOfConductVersion.number)
        .join(CodeOfConductVersion, Meeting.code_of_conduct_version_id == CodeOfConductVersion.id)
        .where(CodeOfConductVersion.code_of_conduct_id == code.id)
        .order_by(Meeting.starts_at.desc())
        .limit(500)
    )
    return [(meeting, number) for meeting, number in rows]


def _not_started(meeting: Meeting, now: datetime) -> bool:
    return meeting.state in (MeetingState.DRAFT, MeetingState.SCHEDULED) and meeting.starts_at > now


def newer_version(
    session: Session, meeting: Meeting, *, now: datetime
) -> CodeOfConductVersion | None:
    """The newest version of the meeting's code when it is newer than the one pinned and the
    meeting has not started (what `move_to_latest` would move it to); otherwise None."""
    pinned = meeting.code_of_conduct_version
    if pinned is None or not _not_started(meeting, now):
        return None
    newest = latest_version(session, pinned.code_of_conduct)
    return newest if newest is not None and newest.id != pinned.id else None


def move_to_latest(
    session: Session,
    meeting: Meeting,
    *,
    actor: User,
    now: datetime,
    base_url: str,
    box: SecretsBox,
) -> CodeOfConductVersion:
    """Pin a future meeting to its code's newest version. Registrants who accepted an older
    version are emailed a fresh private link to accept it; the meeting page shows who has not."""
    current = meeting.code_of_conduct_version
    if current is None:
        raise DomainError("This meeting has no code of conduct to update.")
    if not _not_started(meeting, now):
        raise DomainError("Only a meeting that has not started can move to a new version.")
    newest = latest_version(session, current.code_of_conduct)
    assert newest is not None
    if newest.id == current.id:
        raise DomainError(f"The meeting already uses the newest version ({newest.number}).")
    # The people first (locked here), then the meeting: the lock order of
    # cancellation.registrants_due.
    to_ask = registrants_to_reaccept(session, meeting, limit=None, version=newest, lock=True)
    meeting.code_of_conduct_version_id = newest.id
    meeting.code_of_conduct_version = newest
    session.flush()
    organisation = session.get(Organisation, meeting.organisation_id)
    assert organisation is not None
    for registrant in to_ask:
        token, registrant.manage_token_hash = new_link_token()
        emails.queue_new_manage_link(
            session, box, meeting, organisation, registrant, token, "new_code", base_url=base_url
        )
    audit.record(
        session,
        meeting.organisation_id,
        "meeting.code_of_conduct_moved",
        actor_id=actor.id,
        subject=meeting,
        from_version=current.number,
        to_version=newest.number,
    )
    return newest


def registrants_to_reaccept(
    session: Session,
    meeting: Meeting,
    limit: int | None = 200,
    *,
    version: CodeOfConductVersion | None = None,
    lock: bool = False,
) -> list[Registrant]:
    """Active registrants who have not accepted the meeting's pinned text (or `version`);
    `lock` holds them until the transaction ends."""
    version = version or meeting.code_of_conduct_version
    if version is None:
        return []
    stmt = (
        select(Registrant)
        .where(
            Registrant.meeting_id == meeting.id,
            Registrant.status == RegistrantStatus.ACTIVE,
            consent_ledger.not_accepted(version.sha256),
        )
        .order_by(Registrant.name)
        .limit(limit)
    )
    return list(session.scalars(stmt.with_for_update(of=Registrant) if lock else stmt))
