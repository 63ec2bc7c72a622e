"""Finishing a secret-key rotation: every secret stored encrypted is re-encrypted under the
current key, after which the old key can be removed from previous_secret_keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox
from vcsafe.models import Meeting, OutboundEmail, ProviderAccount, Registrant

#: Every column that holds a secret encrypted at rest, by model.
ENCRYPTED_COLUMNS: dict[type, tuple[str, ...]] = {
    ProviderAccount: ("client_secret_encrypted", "webhook_secret_encrypted"),
    Meeting: ("host_url_encrypted", "passcode_encrypted"),
    OutboundEmail: ("body_encrypted",),  # emails still waiting to be sent
    Registrant: ("join_url_encrypted",),  # personal join links
}


def rotate_secrets(session: Session, box: SecretsBox) -> int:
    """Re-encrypt every stored secret with the box's current key; returns how many.

    Raises ValueError (with the box's message) when a secret is readable by none of the keys.
    """
    rotated = 0
    for model, columns in ENCRYPTED_COLUMNS.items():
        rows: list[object] = list(session.scalars(select(model)))
        for row in rows:
            for column in columns:
                token = getattr(row, column)
                if token:
                    box.decrypt(token)  # a clear error if no key can read it
                    setattr(row, column, box.rotate(token))
                    rotated += 1
    return rotated
