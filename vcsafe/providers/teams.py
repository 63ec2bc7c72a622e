"""The Microsoft Teams adapter: online meetings, their recordings and change notifications
through Microsoft Graph v1.0, with app-only tokens from msal (teams_client.py).

Every Graph call goes through http.send_with_retries: retries with backoff, Retry-After, one
token refresh on 401, and typed errors whose message quotes Graph's own (ODataError) message.
The account's app needs the application permissions OnlineMeetings.ReadWrite.All (and a Teams
application access policy for the organiser), OnlineMeetingRecording.Read.All,
Files.ReadWrite.All (to delete recording files) and User.Read.All (the connection check).

Recordings are files in the organiser's OneDrive: teams_recording_files.py deletes them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vcsafe.providers.base import (
    InboundWebhook,
    LiveSettings,
    MeetingSpec,
    ProviderCredentials,
    ProviderMeeting,
    ProviderRecording,
    ProviderRegistrant,
    ProviderRejected,
    ProviderSubscription,
    RegistrantRequest,
    WebhookChallenge,
    WebhookEvent,
    WebhookKind,
)
from vcsafe.providers.http import DEFAULT_TIMEOUT, RetryPolicy
from vcsafe.providers.teams_client import PROVIDER, GraphClient
from vcsafe.providers.teams_client import path_segment as _q
from vcsafe.providers.teams_notifications import (
    Notice,
    call_events_resource,
    read_delivery,
    recordings_resource,
    subscription_body,
)
from vcsafe.providers.teams_recording_files import RecordingFiles
from vcsafe.providers.teams_settings import (
    create_or_get_body,
    drive_item_refs,
    graph_time,
    live_settings,
    meeting_body,
    objects,
    parse_time,
    passcode_of,
    recording_fields,
    recording_from,
)

NO_REGISTRATION = "Teams online meetings have no per-person registration"
_NAMED_BY_JOIN_LINK = {WebhookKind.MEETING_ENDED, WebhookKind.MEETING_STARTED}


class TeamsProvider:
    """MeetingProvider for Microsoft Teams: one shared join link per meeting."""

    kind = "teams"
    personal_join_links = False
    repeats_are_replays = False  # Graph redelivers what was not acknowledged in time

    def __init__(
        self,
        credentials: ProviderCredentials,
        *,
        policy: RetryPolicy,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self._credentials = credentials
        self._client = GraphClient(credentials, policy, timeout)
        self._user_path = f"/users/{_q(credentials.host_user)}"
        # Learnt on the way, so most notifications need no look-up: joinWebUrl -> meeting id.
        self._meeting_ids: dict[str, str] = {}
        self._files = RecordingFiles(self._client)

    # --- the account ---------------------------------------------------------------------
    def check_connection(self) -> str:
        """Fetch a token and read the organiser's user; return their display name."""
        user = self._client.json(
            "GET",
            self._user_path,
            what="read the organiser's Microsoft account",
            params={"$select": "id,displayName"},
        )
        return str(user.get("displayName") or self._credentials.host_user)

    # --- meetings --------------------------------------------------------------------------
    def create_meeting(self, spec: MeetingSpec) -> ProviderMeeting:
        """Create an online meeting with the safe settings; Teams generates the passcode.

        With vcsafe's reference, Graph's createOrGet (externalId) makes the create
        idempotent: a try whose answer was lost is found, not made twice; the safe settings
        are then applied with an update."""
        if spec.reference:
            first = self._client.json(
                "POST",
                f"{self._user_path}/onlineMeetings/createOrGet",
                body=create_or_get_body(spec),
                what="create the meeting",
            )
            data = self._client.json(
                "PATCH",
                self._meeting_path(str(first.get("id") or "")),
                body=meeting_body(spec),
                what="apply the safe settings to the meeting",
            )
        else:
            data = self._client.json(
                "POST",
                f"{self._user_path}/onlineMeetings",
                body=meeting_body(spec),
                what="create the meeting",
            )
        meeting_id, join_url = str(data.get("id") or ""), str(data.get("joinWebUrl") or "")
        if not meeting_id or not join_url:
            raise ProviderRejected(f"{PROVIDER} created a meeting without an id or a join link.")
        self._meeting_ids[join_url] = meeting_id
        # Teams has no separate start link: the organiser joins with the same link.
        return ProviderMeeting(
            meeting_id=meeting_id, join_url=join_url, host_url=join_url, passcode=passcode_of(data)
        )

    def update_meeting(self, meeting_id: str, spec: MeetingSpec) -> str | None:
        """Apply the spec's time, title and safe settings to the meeting. Teams keeps its
        passcode (read-only at Graph), so there is never a new one to return."""
        self._client.json(
            "PATCH",
            self._meeting_path(meeting_id),
            body=meeting_body(spec),
            what="update the meeting",
        )
        return None

    def delete_meeting(self, meeting_id: str) -> None:
        """Delete the online meeting; an already deleted one is fine."""
        self._client.request(
            "DELETE", self._meeting_path(meeting_id), what="delete the meeting", missing_ok=True
        )

    def read_settings(self, meeting_id: str) -> LiveSettings:
        """The meeting's safety settings as Teams has them now."""
        return live_settings(self._meeting(meeting_id))

    def set_auto_recording(self, meeting_id: str, enabled: bool) -> None:
        """Switch automatic recording, and with it the record button, on or off."""
        self._client.json(
            "PATCH",
            self._meeting_path(meeting_id),
            body=recording_fields(enabled),
            what="change the meeting's recording setting",
        )

    # --- registrants: Teams online meetings have none ---------------------------------------
    def add_registrant(self, meeting_id: str, person: RegistrantRequest) -> ProviderRegistrant:
        """Not available: vcsafe sends the shared link to people who gave their consents."""
        raise ProviderRejected(NO_REGISTRATION)

    def remove_registrant(self, meeting_id: str, registrant_id: str) -> None:
        """Not available: no registrant is ever created at Teams."""
        raise ProviderRejected(NO_REGISTRATION)

    def registrant_exists(self, meeting_id: str, registrant_id: str) -> bool:
        """Always False: Teams holds no registrants for vcsafe."""
        return False

    # --- recordings -------------------------------------------------------------------------
    def list_recordings(self, meeting_id: str) -> list[ProviderRecording]:
        """The meeting's recordings, all pages, with the OneDrive item of each where known."""
        now = datetime.now(UTC)
        url: str | None = f"{self._meeting_path(meeting_id)}/recordings"
        found: list[ProviderRecording] = []
        while url:
            page = self._client.json("GET", url, what="list the meeting's recordings")
            items = objects(page.get("value"))
            found += [recording_from(i, default_time=now) for i in items if i.get("id")]
            next_link = page.get("@odata.nextLink")
            url = str(next_link) if next_link else None
        return found

    def delete_recording(self, meeting_id: str, recording: ProviderRecording) -> None:
        """Delete the recording's file from the organiser's OneDrive for good."""
        refs = dict(recording.refs)
        if "item_id" not in refs:  # maybe Teams says more now than when it was listed
            data = self._client.optional_json(
                self._recording_path(meeting_id, recording), what="read the recording"
            )
            refs = drive_item_refs((data or {}).get("recordingContentUrl"))
        self._files.delete(refs)

    def recording_exists(self, meeting_id: str, recording: ProviderRecording) -> bool:
        """Whether Teams still lists the recording (a GET, never a DELETE)."""
        path = self._recording_path(meeting_id, recording)
        return self._client.optional_json(path, what="check the recording") is not None

    # --- change notifications ----------------------------------------------------------------
    def notification_resources(self, meeting_id: str) -> list[str]:
        """The meeting's call events (it ended) and its recordings (one is ready)."""
        join_url = str(self._meeting(meeting_id).get("joinWebUrl") or "")
        if not join_url:
            raise ProviderRejected(f"{PROVIDER} gave no join link for the meeting.")
        return [call_events_resource(join_url), recordings_resource(meeting_id)]

    def subscribe(
        self, resource: str, notification_url: str, *, expires_at: datetime
    ) -> ProviderSubscription:
        """Create a subscription; Graph first checks that `notification_url` answers."""
        body = subscription_body(
            resource,
            notification_url,
            expires_at=expires_at,
            client_state=self._credentials.webhook_secret,
        )
        data = self._client.json(
            "POST", "/subscriptions", body=body, what="subscribe to the meeting's notifications"
        )
        return self._subscription(data, resource, expires_at)

    def renew_subscription(
        self, subscription_id: str, *, expires_at: datetime
    ) -> ProviderSubscription:
        """Push the expiry out; ProviderNotFound when the subscription has lapsed."""
        data = self._client.json(
            "PATCH",
            f"/subscriptions/{_q(subscription_id)}",
            body={"expirationDateTime": graph_time(expires_at)},
            what="renew the meeting's notification subscription",
        )
        return self._subscription(data, str(data.get("resource") or ""), expires_at)

    def delete_subscription(self, subscription_id: str) -> None:
        """Delete a subscription; an already deleted one is fine."""
        self._client.request(
            "DELETE",
            f"/subscriptions/{_q(subscription_id)}",
            what="delete a notification subscription",
            missing_ok=True,
        )

    def parse_webhook(
        self, request: InboundWebhook, *, now: datetime
    ) -> WebhookChallenge | list[WebhookEvent]:
        """Echo Graph's validation token, or verify clientState and read the notifications.

        Call events name their meeting by its join link: the meeting id is looked up (from
        memory, else with one Graph call), so a ProviderError can come out of here too.
        """
        read = read_delivery(request, client_state=self._credentials.webhook_secret, now=now)
        if isinstance(read, WebhookChallenge):
            return read
        return [self._event(notice) for notice in read]

    # --- plumbing -----------------------------------------------------------------------------
    def _event(self, notice: Notice) -> WebhookEvent:
        meeting_id = notice.meeting_id
        if not meeting_id and notice.kind in _NAMED_BY_JOIN_LINK:
            meeting_id = self._meeting_for(notice.join_web_url)
        return WebhookEvent(
            kind=notice.kind,
            meeting_id=meeting_id,
            occurred_at=notice.occurred_at,
            event_id=notice.event_id,
        )

    def _meeting_path(self, meeting_id: str) -> str:
        return f"{self._user_path}/onlineMeetings/{_q(meeting_id)}"

    def _recording_path(self, meeting_id: str, recording: ProviderRecording) -> str:
        return f"{self._meeting_path(meeting_id)}/recordings/{_q(recording.recording_id)}"

    def _meeting(self, meeting_id: str) -> dict[str, Any]:
        data = self._client.json("GET", self._meeting_path(meeting_id), what="read the meeting")
        if data.get("joinWebUrl"):
            self._meeting_ids[str(data["joinWebUrl"])] = meeting_id
        return data

    def _meeting_for(self, join_url: str) -> str:
        """The id of the organiser's meeting with this join link ("" when there is none)."""
        if not join_url or join_url in self._meeting_ids:
            return self._meeting_ids.get(join_url, "")
        literal = join_url.replace("'", "''")  # an OData string literal
        page = self._client.json(
            "GET",
            f"{self._user_path}/onlineMeetings",
            params={"$filter": f"JoinWebUrl eq '{literal}'"},
            what="find the meeting a notification is about",
        )
        items = objects(page.get("value"))
        if items and items[0].get("id"):
            self._meeting_ids[join_url] = str(items[0]["id"])
        return self._meeting_ids.get(join_url, "")

    @staticmethod
    def _subscription(data: dict[str, Any], resource: str, asked: datetime) -> ProviderSubscription:
        subscription_id = str(data.get("id") or "")
        if not subscription_id:
            raise ProviderRejected(f"{PROVIDER} answered without a subscription id.")
        return ProviderSubscription(
            subscription_id=subscription_id,
            resource=str(data.get("resource") or resource),
            expires_at=parse_time(data.get("expirationDateTime"), asked),
        )
