"""Organisation settings (admins): age threshold, retention maximum, defaults, incident contact."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from vcsafe.models import CodeOfConduct, Organisation, User
from vcsafe.services import audit
from vcsafe.services.errors import DomainError

MAX_RETENTION_LIMIT = 3650


@dataclass(frozen=True)
class OrganisationSettings:
    name: str
    age_threshold: int
    max_registrant_retention_days: int
    default_code_of_conduct_id: int | None
    incident_contact: str


def update_settings(
    session: Session, organisation: Organisation, new: OrganisationSettings, *, actor: User
) -> None:
    if not new.name.strip():
        raise DomainError("The organisation needs a name.")
    if not 1 <= new.age_threshold <= 21:
        raise DomainError("The age threshold must be between 1 and 21.")
    if not 0 <= new.max_registrant_retention_days <= MAX_RETENTION_LIMIT:
        raise DomainError(
            f"The maximum retention must be between 0 and {MAX_RETENTION_LIMIT} days."
        )
    if new.default_code_of_conduct_id is not None:
        code = session.get(CodeOfConduct, new.default_code_of_conduct_id)
        if code is None or code.organisation_id != organisation.id:
            raise DomainError("Choose one of your organisation's codes of conduct.")
    changed = [
        field
        for field in (
            "name",
            "age_threshold",
            "max_registrant_retention_days",
            "default_code_of_conduct_id",
            "incident_contact",
        )
        if getattr(organisation, field) != getattr(new, field)
    ]
    organisation.name = new.name.strip()
    organisation.age_threshold = new.age_threshold
    organisation.max_registrant_retention_days = new.max_registrant_retention_days
    organisation.default_code_of_conduct_id = new.default_code_of_conduct_id
    organisation.incident_contact = new.incident_contact.strip()
    if changed:
        audit.record(
            session,
            organisation.id,
            "organisation.settings_changed",
            actor_id=actor.id,
            subject=organisation,
            fields=", ".join(changed),
        )
