"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from vcsafe.models.audit import AuditEvent
from vcsafe.models.base import Base, utcnow
from vcsafe.models.code_of_conduct import CodeOfConduct, CodeOfConductVersion
from vcsafe.models.contact import Contact
from vcsafe.models.email import OutboundEmail
from vcsafe.models.incident import Incident, IncidentKind, IncidentStatus
from vcsafe.models.meeting import Audience, Meeting, MeetingState, RecordingPolicy
from vcsafe.models.organisation import Organisation, Role, User
from vcsafe.models.provider_account import AccountStatus, ProviderAccount, ProviderKind
from vcsafe.models.purge_claim import PurgeClaim
from vcsafe.models.receipt import DeletionReceipt
from vcsafe.models.recording import Recording, RecordingState
from vcsafe.models.registrant import (
    AgeBand,
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    PushState,
    Registrant,
    RegistrantStatus,
)
from vcsafe.models.registration_block import RegistrationBlock
from vcsafe.models.webhook import WebhookDelivery, WebhookSubscription

__all__ = [
    "AccountStatus",
    "AgeBand",
    "Audience",
    "AuditEvent",
    "Base",
    "CodeOfConduct",
    "CodeOfConductVersion",
    "ConsentDecision",
    "ConsentPurpose",
    "ConsentRecord",
    "Contact",
    "DeletionReceipt",
    "Incident",
    "IncidentKind",
    "IncidentStatus",
    "Meeting",
    "MeetingState",
    "Organisation",
    "OutboundEmail",
    "ProviderAccount",
    "ProviderKind",
    "PurgeClaim",
    "PushState",
    "Recording",
    "RecordingPolicy",
    "RecordingState",
    "Registrant",
    "RegistrantStatus",
    "RegistrationBlock",
    "Role",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
    "utcnow",
]
