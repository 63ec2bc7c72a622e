"""The Zoom adapter: meetings with safe settings, registrants with personal join links, cloud
recordings deleted for good, and signed webhooks. Built on zoomus (zoom_client.py sends its
calls through one session with retries, pacing and token refresh).

The safe settings and how they map to Zoom's fields: zoom_settings.py.
Zoom's own registration emails are switched off: vcsafe sends people their link, with the
code of conduct and their private link, only once their consents are on record.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests

from vcsafe.providers.base import (
    InboundWebhook,
    LiveSettings,
    MeetingSpec,
    ProviderCredentials,
    ProviderMeeting,
    ProviderNotFound,
    ProviderRecording,
    ProviderRegistrant,
    ProviderRejected,
    ProviderSubscription,
    RegistrantRequest,
    WebhookChallenge,
    WebhookEvent,
)
from vcsafe.providers.http import DEFAULT_TIMEOUT, RetryPolicy, raise_for_answer
from vcsafe.providers.zoom_client import PROVIDER, ZoomCall, ZoomClient
from vcsafe.providers.zoom_settings import (
    REFERENCE_LABEL,
    live_settings,
    names_of,
    new_passcode,
    settings_of,
    uuid_in_path,
)
from vcsafe.providers.zoom_webhooks import parse, recording_of

NO_SUBSCRIPTIONS = (
    "Zoom sends its webhooks by the app's own event subscriptions (set up in the Zoom App "
    "Marketplace); vcsafe creates none."
)


class ZoomProvider:
    """MeetingProvider for Zoom (Server-to-Server OAuth app)."""

    kind = "zoom"
    personal_join_links = True
    repeats_are_replays = True  # a delivery is signed with its own timestamp: twice is a replay

    def __init__(
        self,
        credentials: ProviderCredentials,
        *,
        policy: RetryPolicy,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self._credentials = credentials
        self._client = ZoomClient(credentials, policy, timeout)

    # --- the account ----------------------------------------------------------------------
    def check_connection(self) -> str:
        """Fetch a token and read the host user; return their name."""
        user = self._json(
            self._client.users.get(id=self._credentials.host_user), what="read the host user"
        )
        name = user.get("display_name") or " ".join(
            str(user.get(k) or "") for k in ("first_name", "last_name")
        )
        return str(name).strip() or str(user.get("email") or self._credentials.host_user)

    # --- meetings -------------------------------------------------------------------------
    def create_meeting(self, spec: MeetingSpec) -> ProviderMeeting:
        """Create a scheduled meeting with registration, the safe settings and a new passcode.
        If an earlier try created it but its answer was lost, that meeting is returned."""
        agenda = f"{spec.agenda}\n\n{REFERENCE_LABEL} {spec.reference}" if spec.reference else ""
        data = self._find(spec.reference) if spec.reference else None
        if data is None:
            data = self._json(
                self._client.meetings.create(
                    user_id=self._credentials.host_user,
                    topic=spec.title[:200],
                    type=2,
                    start_time=spec.starts_at.astimezone(UTC),
                    duration=spec.duration_minutes,
                    timezone=spec.timezone,
                    agenda=(agenda or spec.agenda).strip()[:2000],
                    password=new_passcode(),
                    settings=settings_of(spec),
                ),
                what="create the meeting",
            )
        if not data.get("id") or not data.get("join_url"):
            raise ProviderRejected("Zoom created a meeting without an id or a join link.")
        return ProviderMeeting(
            meeting_id=str(data["id"]),
            join_url=str(data["join_url"]),
            host_url=str(data.get("start_url") or ""),
            passcode=str(data.get("password") or "") or None,
            uuid=str(data.get("uuid") or "") or None,
        )

    def _find(self, reference: str) -> dict[str, Any] | None:
        """The host's upcoming meeting that carries vcsafe's reference, if there is one."""
        listing = self._json(
            self._client.meetings.list(
                user_id=self._credentials.host_user, type="upcoming", page_size=300
            ),
            what="look for the meeting",
        )
        marker = f"{REFERENCE_LABEL} {reference}"
        for item in listing.get("meetings") or []:
            if isinstance(item, dict) and marker in str(item.get("agenda") or ""):
                return self._json(self._client.meetings.get(id=item["id"]), what="read the meeting")
        return None

    def update_meeting(self, meeting_id: str, spec: MeetingSpec) -> str | None:
        """Apply the spec's time, title and settings. A meeting whose passcode was removed at
        Zoom gets a new one, which is returned."""
        live = self._json(self._client.meetings.get(id=meeting_id), what="read the meeting")
        passcode = None if live.get("password") else new_passcode()
        changes: dict[str, Any] = {
            "topic": spec.title[:200],
            "agenda": (
                f"{spec.agenda}\n\n{REFERENCE_LABEL} {spec.reference}"
                if spec.reference
                else spec.agenda
            ).strip()[:2000],
            "start_time": spec.starts_at.astimezone(UTC),
            "duration": spec.duration_minutes,
            "timezone": spec.timezone,
            "settings": settings_of(spec),
        }
        if passcode:
            changes["password"] = passcode
        self._ok(self._client.meetings.update(id=meeting_id, **changes), "change the meeting")
        return passcode

    def delete_meeting(self, meeting_id: str) -> None:
        """Delete the meeting at Zoom; one already gone is fine."""
        self._gone_ok(self._client.meetings.delete(id=meeting_id), "delete the meeting")

    def read_settings(self, meeting_id: str) -> LiveSettings:
        """The meeting's safety settings as Zoom has them now."""
        meeting = self._json(self._client.meetings.get(id=meeting_id), what="read the meeting")
        return live_settings(meeting)

    def set_auto_recording(self, meeting_id: str, enabled: bool) -> None:
        """Switch Zoom's automatic cloud recording on or off."""
        call = self._client.meetings.update(
            id=meeting_id, settings={"auto_recording": "cloud" if enabled else "none"}
        )
        self._ok(call, "switch automatic recording")

    # --- registrants ----------------------------------------------------------------------
    def add_registrant(self, meeting_id: str, person: RegistrantRequest) -> ProviderRegistrant:
        """Register and approve a person; Zoom gives them their own join link."""
        if len(person.email) > 128:
            raise ProviderRejected("Zoom accepts email addresses of at most 128 characters.")
        first, last = names_of(person.name)
        data = self._json(
            self._client.meetings.add_registrant(
                id=meeting_id,
                first_name=first,
                last_name=last,
                email=person.email,
                auto_approve=True,
            ),
            what="register a person for the meeting",
        )
        if not data.get("registrant_id") or not data.get("join_url"):
            raise ProviderRejected("Zoom registered the person without a join link.")
        return ProviderRegistrant(str(data["registrant_id"]), str(data["join_url"]))

    def remove_registrant(self, meeting_id: str, registrant_id: str) -> None:
        """Delete the registrant at Zoom for good (not just cancel them)."""
        call = ZoomCall("DELETE", _registrant_path(meeting_id, registrant_id))
        self._gone_ok(call, "delete a registrant")

    def registrant_exists(self, meeting_id: str, registrant_id: str) -> bool:
        """Whether Zoom still holds the registrant."""
        call = ZoomCall("GET", _registrant_path(meeting_id, registrant_id))
        return self._exists(call, "look up a registrant")

    # --- recordings -----------------------------------------------------------------------
    def list_recordings(self, meeting_id: str) -> list[ProviderRecording]:
        """The meeting's cloud recording (its latest instance), if Zoom holds one."""
        response = self._client.send(
            self._client.recordings.get(meeting_id=meeting_id), what="list the recordings"
        )
        if response.status_code == 404:
            return []
        raise_for_answer(response, what="list the recordings", provider=PROVIDER)
        data = _json_of(response)
        if not data.get("recording_files") or not data.get("uuid"):
            return []
        return [recording_of(data, datetime.now(UTC))]

    def delete_recording(self, meeting_id: str, recording: ProviderRecording) -> None:
        """Delete the recording's files for good (action=delete, not the 30-day trash)."""
        uuid = recording.refs.get("meeting_uuid") or recording.recording_id
        call = self._client.recordings.delete(meeting_id=uuid_in_path(uuid), action="delete")
        self._gone_ok(call, "delete a recording")

    def recording_exists(self, meeting_id: str, recording: ProviderRecording) -> bool:
        """Whether Zoom still holds the recording."""
        uuid = recording.refs.get("meeting_uuid") or recording.recording_id
        call = self._client.recordings.get(meeting_id=uuid_in_path(uuid))
        return self._exists(call, "look up a recording")

    # --- notifications --------------------------------------------------------------------
    def notification_resources(self, meeting_id: str) -> list[str]:
        """None: Zoom's webhooks are configured in the Zoom app."""
        return []

    def subscribe(
        self, resource: str, notification_url: str, *, expires_at: datetime
    ) -> ProviderSubscription:
        """Not applicable to Zoom."""
        raise ProviderRejected(NO_SUBSCRIPTIONS)

    def renew_subscription(
        self, subscription_id: str, *, expires_at: datetime
    ) -> ProviderSubscription:
        """Not applicable to Zoom."""
        raise ProviderRejected(NO_SUBSCRIPTIONS)

    def delete_subscription(self, subscription_id: str) -> None:
        """Not applicable to Zoom."""
        raise ProviderRejected(NO_SUBSCRIPTIONS)

    def parse_webhook(
        self, request: InboundWebhook, *, now: datetime
    ) -> WebhookChallenge | list[WebhookEvent]:
        """Verify a delivery's signature and age; answer the URL check or return its events."""
        return parse(request, self._credentials.webhook_secret, now=now)

    # --- plumbing -------------------------------------------------------------------------
    def _json(self, call: ZoomCall, *, what: str) -> dict[str, Any]:
        response = self._client.send(call, what=what)
        raise_for_answer(response, what=what, provider=PROVIDER)
        return _json_of(response)

    def _ok(self, call: ZoomCall, what: str) -> None:
        raise_for_answer(self._client.send(call, what=what), what=what, provider=PROVIDER)

    def _gone_ok(self, call: ZoomCall, what: str) -> None:
        with contextlib.suppress(ProviderNotFound):  # already gone: what was asked is true
            self._ok(call, what)

    def _exists(self, call: ZoomCall, what: str) -> bool:
        try:
            self._ok(call, what)
        except ProviderNotFound:
            return False
        return True


def _registrant_path(meeting_id: str, registrant_id: str) -> str:
    return f"/meetings/{quote(meeting_id, safe='')}/registrants/{quote(registrant_id, safe='')}"


def _json_of(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise ProviderRejected("Zoom answered with something that is not JSON.") from None
    if not isinstance(data, dict):
        raise ProviderRejected("Zoom answered with something vcsafe did not expect.")
    return data
