"""The embedded default's outbox: emails written to a folder instead of sent, shown to the
organisation's admins so a single-machine install can still hand people their links."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from vcsafe.mailer import MAIL_FILE
from vcsafe.services.errors import NotFound
from vcsafe.services.paging import Page


@dataclass(frozen=True)
class StoredMail:
    """One email in the folder, as its recipient would see it."""

    email_id: int
    kind: str
    to: str
    subject: str
    written_at: datetime
    body: str


def _files_of(folder: Path, organisation_id: int) -> list[tuple[int, Path]]:
    found = []
    for path in folder.glob(f"o{organisation_id}-r*-*.eml"):
        match = MAIL_FILE.fullmatch(path.name)
        if match and int(match["org"]) == organisation_id:
            found.append((int(match["id"]), path))
    return sorted(found, reverse=True)


def _read(email_id: int, path: Path, *, with_body: bool) -> StoredMail:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    body = ""
    if with_body:
        part = parsed.get_body(preferencelist=("plain",))
        body = str(part.get_content()) if part is not None else ""
    match = MAIL_FILE.fullmatch(path.name)
    return StoredMail(
        email_id=email_id,
        kind=match["kind"] if match else "",
        to=str(parsed["To"] or ""),
        subject=str(parsed["Subject"] or ""),
        written_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
        body=body,
    )


def list_mail(
    folder: Path, organisation_id: int, *, page: int, per_page: int = 50
) -> Page[StoredMail]:
    """A page of the organisation's emails in the folder, newest first."""
    files = _files_of(folder, organisation_id)
    pages = max(1, -(-len(files) // per_page))
    number = max(1, min(page, pages))
    chosen = files[(number - 1) * per_page : number * per_page]
    items = [_read(email_id, path, with_body=False) for email_id, path in chosen]
    return Page(items=items, number=number, per_page=per_page, total=len(files))


def read_mail(folder: Path, organisation_id: int, email_id: int) -> StoredMail:
    """One of the organisation's emails with its text; another organisation's is NotFound."""
    for found_id, path in _files_of(folder, organisation_id):
        if found_id == email_id:
            return _read(email_id, path, with_body=True)
    raise NotFound("email")
