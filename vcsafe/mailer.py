"""Sending queued emails: over SMTP, or into a folder the console shows (embedded default)."""

from __future__ import annotations

import logging
import os
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from vcsafe.settings import Settings

log = logging.getLogger(__name__)


class MailError(Exception):
    """An email could not be handed over; it stays queued and is retried."""


@dataclass(frozen=True)
class Letter:
    """A queued email as it is handed over (models.OutboundEmail, with its body decrypted)."""

    id: int
    organisation_id: int
    registrant_id: int | None
    kind: str
    to_address: str
    subject: str
    body: str


class Mailer(Protocol):
    def send(self, email: Letter) -> None: ...


def build_message(email: Letter, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="vcsafe")
    message.set_content(email.body)
    return message


class SmtpMailer:
    """Hands emails to an SMTP server."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def send(self, email: Letter) -> None:
        s = self._settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=20) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_username:
                    smtp.login(s.smtp_username, s.smtp_password)
                smtp.send_message(build_message(email, s.mail_from))
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                f"the mail server refused or could not be reached ({exc.__class__.__name__})"
            ) from exc


#: o<organisation>-r<registrant or 0>-<email id>-<kind>.eml
MAIL_FILE = re.compile(r"o(?P<org>\d+)-r(?P<registrant>\d+)-(?P<id>\d+)-(?P<kind>[a-z_]+)\.eml")


class FolderMailer:
    """Writes each email as an .eml file named for its organisation and registrant, so the
    console shows an organisation only its own and the purge finds a registrant's copies."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self._sender = sender

    def send(self, email: Letter) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"o{email.organisation_id}-r{email.registrant_id or 0}-{email.id}-{email.kind}.eml"
        fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(bytes(build_message(email, self._sender)))

    def delete_for_registrant(self, registrant_id: int) -> int:
        """Erase the copies of a registrant's emails; returns how many files went."""
        removed = 0
        for path in self.folder.glob(f"o*-r{registrant_id}-*.eml"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed


def mail_folder(settings: Settings) -> Path:
    return Path(settings.instance_path) / "mail"


def mailer_for(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    return FolderMailer(mail_folder(settings), settings.mail_from)
