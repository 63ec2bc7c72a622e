"""Connecting, checking and disconnecting Zoom and Teams accounts; secrets encrypted at rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vcsafe.crypto import SecretsBox
from vcsafe.formatting import counted
from vcsafe.models import (
    AccountStatus,
    Meeting,
    MeetingState,
    Organisation,
    ProviderAccount,
    ProviderKind,
    Recording,
    RecordingState,
    User,
)
from vcsafe.providers.base import MeetingProvider, ProviderCredentials, ProviderError
from vcsafe.services import audit
from vcsafe.services.errors import DomainError, NotFound

#: Gives the adapter for a connected account (the app wires it to the provider registry).
ProviderFor = Callable[[ProviderAccount], MeetingProvider]


@dataclass(frozen=True)
class AccountDetails:
    """What an admin types to connect an account."""

    kind: ProviderKind
    label: str
    tenant: str
    client_id: str
    client_secret: str
    host_user: str
    webhook_secret: str = ""
    api_base_url: str = ""
    auth_base_url: str = ""


def accounts_of(session: Session, organisation_id: int) -> list[ProviderAccount]:
    return list(
        session.scalars(
            select(ProviderAccount)
            .where(ProviderAccount.organisation_id == organisation_id)
            .order_by(ProviderAccount.label)
        )
    )


def get_account(session: Session, organisation_id: int, account_id: int) -> ProviderAccount:
    """An account of this organisation; another organisation's is NotFound."""
    account = session.get(ProviderAccount, account_id)
    if account is None or account.organisation_id != organisation_id:
        raise NotFound("provider account")
    return account


def connect_account(
    session: Session,
    organisation: Organisation,
    details: AccountDetails,
    *,
    box: SecretsBox,
    actor: User | None,
) -> ProviderAccount:
    """Store a new account with its client secret and webhook secret encrypted."""
    label = details.label.strip()
    taken = session.scalar(
        select(ProviderAccount.id).where(
            ProviderAccount.organisation_id == organisation.id, ProviderAccount.label == label
        )
    )
    if taken is not None:
        raise DomainError(f"An account called {label!r} is already connected.")
    account = ProviderAccount(
        organisation_id=organisation.id,
        kind=details.kind,
        label=label,
        tenant=details.tenant.strip(),
        client_id=details.client_id.strip(),
        client_secret_encrypted=box.encrypt(details.client_secret),
        webhook_secret_encrypted=box.encrypt(details.webhook_secret)
        if details.webhook_secret
        else None,
        host_user=details.host_user.strip() or "me",
        api_base_url=details.api_base_url,
        auth_base_url=details.auth_base_url,
    )
    session.add(account)
    session.flush()
    audit.record(
        session,
        organisation.id,
        "provider_account.connected",
        actor_id=actor.id if actor else None,
        subject=account,
        kind=details.kind.value,
    )
    return account


def credentials_of(account: ProviderAccount, box: SecretsBox) -> ProviderCredentials:
    """Decrypted credentials, handed only to the adapter."""
    return ProviderCredentials(
        tenant=account.tenant,
        client_id=account.client_id,
        client_secret=box.decrypt(account.client_secret_encrypted),
        host_user=account.host_user,
        webhook_secret=box.decrypt(account.webhook_secret_encrypted)
        if account.webhook_secret_encrypted
        else "",
        api_base_url=account.api_base_url,
        auth_base_url=account.auth_base_url,
    )


def check_connection(
    session: Session,
    account: ProviderAccount,
    *,
    provider_for: ProviderFor,
    now: datetime,
    actor: User | None = None,
) -> str:
    """Fetch a token and read the host user; record the outcome on the account.

    Returns the host's display name; raises ProviderError with a readable message.
    """
    account.last_checked_at = now
    try:
        host = provider_for(account).check_connection()
    except ProviderError as exc:
        account.status = AccountStatus.FAILING
        account.last_error = str(exc)
        raise
    finally:
        audit.record(
            session,
            account.organisation_id,
            "provider_account.tested",
            actor_id=actor.id if actor else None,
            subject=account,
        )
    account.status = AccountStatus.OK
    account.last_error = ""
    return host


def disconnect_account(session: Session, account: ProviderAccount, *, actor: User | None) -> None:
    """Forget the account and its secrets, unless data vcsafe must still delete lives there."""
    in_use = session.execute(
        select(func.count(Meeting.id)).where(
            Meeting.provider_account_id == account.id,
            Meeting.state.in_([MeetingState.SCHEDULED, MeetingState.ENDED]),
        )
    ).scalar_one()
    recordings = session.execute(
        select(func.count(Recording.id))
        .join(Meeting, Meeting.id == Recording.meeting_id)
        .where(
            Meeting.provider_account_id == account.id,
            Recording.state != RecordingState.DELETED,
        )
    ).scalar_one()
    if in_use or recordings:
        raise DomainError(
            f"{account.label} still holds {counted(in_use, 'meeting')} and "
            f"{counted(recordings, 'recording')} that vcsafe must delete there when their "
            "retention runs out. Cancel those meetings, or wait until they have been purged, "
            "before disconnecting."
        )
    audit.record(
        session,
        account.organisation_id,
        "provider_account.disconnected",
        actor_id=actor.id if actor else None,
        subject=account,
        kind=account.kind.value,
    )
    session.delete(account)
