"""The provider interface: a Protocol, the frozen dataclasses it speaks, and its errors.

Adapters never touch the database or Flask; services hand them plain values and get plain
values back, so vendor JSON never leaves zoom.py or teams.py.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class ProviderError(Exception):
    """A provider call failed. The message says what failed in words an organiser understands."""

    #: True when trying again later may succeed (outage, throttling, timeout).
    retryable: bool = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ProviderUnavailable(ProviderError):
    """The provider could not be reached, was throttling, or failed on its side; try later."""

    retryable = True


class Unanswered(ProviderUnavailable):
    """A create or delete reached the provider, maybe, but no answer came: it may have been
    done. Check before doing it again."""


class ProviderAuthError(ProviderError):
    """The provider refused the account's credentials or permissions."""


class ProviderRejected(ProviderError):
    """The provider refused the request itself (invalid or not allowed); retrying won't help."""


class ProviderNotFound(ProviderError):
    """The object does not exist at the provider (already deleted, or never created)."""


class WebhookRejected(Exception):
    """A webhook failed verification (signature, age, replay, client state) or is malformed."""


class Chat(enum.StrEnum):
    OFF = "off"
    HOST_ONLY = "host_only"  # participants may write to the host(s) only
    EVERYONE = "everyone"


@dataclass(frozen=True)
class ProviderCredentials:
    """What an adapter needs to act for one connected account (secrets already decrypted)."""

    tenant: str  # Zoom: account id. Teams: Entra tenant id.
    client_id: str
    client_secret: str
    host_user: str = "me"  # Zoom user id or "me"; Teams organiser's user id (object id or UPN)
    webhook_secret: str = ""  # Zoom: webhook secret token. Teams: clientState.
    api_base_url: str = ""  # empty: the real provider
    auth_base_url: str = ""  # empty: the real provider


@dataclass(frozen=True)
class MeetingSpec:
    """A provider-neutral meeting with the safety settings vcsafe wants enforced."""

    title: str
    starts_at: datetime  # timezone-aware
    duration_minutes: int
    timezone: str = "UTC"
    waiting_room: bool = True  # Zoom waiting room; Teams lobby for everyone but the organiser
    registration_required: bool = True  # Zoom: personal join links; manual approval by vcsafe
    join_before_host: bool = False
    mute_on_entry: bool = True
    screen_share_host_only: bool = True
    annotation: bool = False  # annotation and whiteboard
    chat: Chat = Chat.HOST_ONLY
    auto_recording: bool = False  # only when the recording policy allows it
    authenticated_users_only: bool = False  # Zoom meeting_authentication
    announce_entry: bool = True  # Teams: entry and exit announced
    agenda: str = ""
    # vcsafe's own name for the meeting: a create whose answer was lost finds it again by this
    # (Zoom: in the agenda; Teams: the externalId of createOrGet), so it is never made twice.
    reference: str = ""


@dataclass(frozen=True)
class ProviderMeeting:
    """A meeting as created at the provider."""

    meeting_id: str
    join_url: str  # what registrants use when there are no personal links
    host_url: str  # the host's start link: a credential, to be kept encrypted
    passcode: str | None
    uuid: str | None = None  # Zoom: the meeting instance UUID, where known


@dataclass(frozen=True)
class LiveSettings:
    """Safety settings as read back from the provider now. None: the provider cannot tell."""

    waiting_room: bool | None
    passcode_required: bool | None
    registration_required: bool | None
    manual_approval: bool | None
    join_before_host: bool | None
    mute_on_entry: bool | None
    screen_share_host_only: bool | None
    annotation: bool | None
    chat: Chat | None
    auto_recording: bool | None
    authenticated_users_only: bool | None = None
    announce_entry: bool | None = None


@dataclass(frozen=True)
class RegistrantRequest:
    """The least a provider needs to issue a personal join link."""

    name: str
    email: str


@dataclass(frozen=True)
class ProviderRegistrant:
    """The provider's answer: its registrant id and the person's own join link."""

    registrant_id: str
    join_url: str


@dataclass(frozen=True)
class ProviderRecording:
    """A recording at the provider and what is needed to delete it permanently."""

    recording_id: str  # Zoom: meeting instance UUID. Teams: callRecording id.
    completed_at: datetime
    refs: Mapping[str, str] = field(default_factory=dict)  # e.g. drive and item ids


class WebhookKind(enum.StrEnum):
    MEETING_STARTED = "meeting.started"
    MEETING_ENDED = "meeting.ended"
    MEETING_UPDATED = "meeting.updated"
    MEETING_DELETED = "meeting.deleted"
    RECORDING_COMPLETED = "recording.completed"
    RECORDING_DELETED = "recording.deleted"
    OTHER = "other"


@dataclass(frozen=True)
class WebhookEvent:
    """What vcsafe keeps of a verified webhook: no names, no emails, no payload."""

    kind: WebhookKind
    meeting_id: str
    occurred_at: datetime
    event_id: str  # for replay detection (a digest of the delivery, not its content)
    # RECORDING_COMPLETED without details (Graph only names the meeting): the service then
    # lists the meeting's recordings through the adapter.
    recording: ProviderRecording | None = None


@dataclass(frozen=True)
class WebhookChallenge:
    """A handshake to answer verbatim (Zoom url_validation, Graph validationToken)."""

    body: str
    content_type: str


@dataclass(frozen=True)
class ProviderSubscription:
    """A change-notification subscription at the provider (Graph), renewed before it expires."""

    subscription_id: str
    resource: str
    expires_at: datetime


@dataclass(frozen=True)
class InboundWebhook:
    """An HTTP request to a webhook endpoint, as plain values."""

    headers: Mapping[str, str]
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)


class MeetingProvider(Protocol):
    """What vcsafe needs from Zoom or Microsoft Teams."""

    kind: str
    #: True when each registrant gets their own join link (Zoom); False: one shared link (Teams).
    personal_join_links: bool
    #: True when a delivery seen before is a replay to refuse (signed, timestamped: Zoom);
    #: False when it is a redelivery to acknowledge again (Graph resends what it thinks lost).
    repeats_are_replays: bool

    def check_connection(self) -> str:
        """Fetch a token and read the host user; return the host's display name."""
        ...

    def create_meeting(self, spec: MeetingSpec) -> ProviderMeeting:
        """Create a meeting with the spec's safety settings and a fresh passcode."""
        ...

    def update_meeting(self, meeting_id: str, spec: MeetingSpec) -> str | None:
        """Apply the spec's time, title and safety settings to an existing meeting. Returns a
        new passcode when the meeting had lost its own and got a fresh one."""
        ...

    def delete_meeting(self, meeting_id: str) -> None:
        """Delete (cancel) the meeting; an already deleted one is not an error."""
        ...

    def read_settings(self, meeting_id: str) -> LiveSettings:
        """Read the meeting's safety settings as the provider has them now."""
        ...

    def set_auto_recording(self, meeting_id: str, enabled: bool) -> None:
        """Switch the provider's automatic recording on or off."""
        ...

    def add_registrant(self, meeting_id: str, person: RegistrantRequest) -> ProviderRegistrant:
        """Register (and approve) a person; return their personal join link where there is one."""
        ...

    def remove_registrant(self, meeting_id: str, registrant_id: str) -> None:
        """Remove a registrant for good; an already removed one is not an error."""
        ...

    def registrant_exists(self, meeting_id: str, registrant_id: str) -> bool:
        """Whether the provider still holds the registrant (a GET, never a DELETE)."""
        ...

    def list_recordings(self, meeting_id: str) -> list[ProviderRecording]:
        """The meeting's cloud recordings that still exist at the provider."""
        ...

    def delete_recording(self, meeting_id: str, recording: ProviderRecording) -> None:
        """Delete a recording permanently (not to a trash); a missing one is not an error."""
        ...

    def recording_exists(self, meeting_id: str, recording: ProviderRecording) -> bool:
        """Whether the recording still exists at the provider (a GET, never a DELETE)."""
        ...

    def notification_resources(self, meeting_id: str) -> list[str]:
        """What to subscribe to so the provider says when this meeting ends and its recordings
        are ready. Empty when the provider sends webhooks by its own configuration (Zoom)."""
        ...

    def subscribe(
        self, resource: str, notification_url: str, *, expires_at: datetime
    ) -> ProviderSubscription:
        """Create a change-notification subscription (clientState: the account's webhook
        secret). The provider first validates `notification_url` with a handshake."""
        ...

    def renew_subscription(
        self, subscription_id: str, *, expires_at: datetime
    ) -> ProviderSubscription:
        """Push a subscription's expiry out; ProviderNotFound when it has already lapsed."""
        ...

    def delete_subscription(self, subscription_id: str) -> None:
        """Delete a subscription; an already deleted one is not an error."""
        ...

    def parse_webhook(
        self, request: InboundWebhook, *, now: datetime
    ) -> WebhookChallenge | list[WebhookEvent]:
        """Verify a webhook delivery; answer a handshake or return the events it carries.

        Raises WebhookRejected when verification fails.
        """
        ...
