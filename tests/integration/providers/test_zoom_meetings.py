"""The Zoom adapter against the Zoom fake: the account, meetings, their safety settings and
registrants. The real zoomus and requests code runs; the fake checks every request against
Zoom's description of its Meetings API."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.fakes.zoom import ZoomFake, passcode_is_zooms
from tests.fakes.zoom_fixtures import FAST_RETRIES
from vcsafe.providers.base import (
    Chat,
    MeetingSpec,
    ProviderAuthError,
    ProviderCredentials,
    ProviderNotFound,
    RegistrantRequest,
)
from vcsafe.providers.registry import build_provider
from vcsafe.providers.zoom import ZoomProvider

STARTS = datetime(2031, 3, 4, 18, 30, tzinfo=UTC)


def safe_spec(**changes: object) -> MeetingSpec:
    """What planning.safety_spec asks for a meeting without children."""
    spec = MeetingSpec(
        title="Local history talk", starts_at=STARTS, duration_minutes=90, timezone="Europe/London"
    )
    return replace(spec, **changes)  # type: ignore[arg-type]


def test_connection_check_names_the_host_and_reuses_the_token(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    assert zoom_provider.check_connection() == "Harbour Events"
    assert zoom_provider.check_connection() == "Harbour Events"
    assert len(zoom_fake.calls("POST", "/oauth/token")) == 1


def test_a_wrong_secret_says_what_zoom_refused(
    zoom_fake: ZoomFake, zoom_credentials: ProviderCredentials
) -> None:
    typo = replace(zoom_credentials, client_secret="not-the-secret")
    with pytest.raises(ProviderAuthError) as failure:
        ZoomProvider(typo, policy=FAST_RETRIES).check_connection()
    message = str(failure.value)
    assert "Invalid client_id or client_secret" in message
    assert "client secret" in message
    assert not zoom_fake.calls("GET", "/v2/")  # no call went out with a bad token


def test_a_new_meeting_holds_the_safe_settings(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    created = zoom_provider.create_meeting(safe_spec())
    held = zoom_fake.meeting(created.meeting_id)

    assert held["topic"] == "Local history talk"
    assert held["start_time"] == "2031-03-04T18:30:00Z" and held["duration"] == 90
    assert held["timezone"] == "Europe/London"
    settings = held["settings"]
    assert settings["waiting_room"] is True
    assert settings["join_before_host"] is False
    assert settings["mute_upon_entry"] is True
    assert settings["approval_type"] == 1  # nobody approves themselves
    assert settings["auto_recording"] == "none"
    assert settings["meeting_authentication"] is False
    assert settings["registrants_email_notification"] is False  # vcsafe sends the links
    assert settings["continuous_meeting_chat"] == {"enable": False}
    assert passcode_is_zooms(held["password"]) and created.passcode == held["password"]
    assert created.join_url == held["join_url"] and created.host_url == held["start_url"]
    assert created.uuid == held["uuid"]


def test_every_meeting_gets_its_own_passcode(zoom_provider: ZoomProvider) -> None:
    codes = {zoom_provider.create_meeting(safe_spec()).passcode for _ in range(5)}
    assert len(codes) == 5


def test_recording_and_sign_in_requirements_reach_zoom(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    created = zoom_provider.create_meeting(
        safe_spec(auto_recording=True, authenticated_users_only=True)
    )
    settings = zoom_fake.meeting(created.meeting_id)["settings"]
    assert settings["auto_recording"] == "cloud"
    assert settings["meeting_authentication"] is True


def test_live_settings_read_back_what_was_set_and_show_drift(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    created = zoom_provider.create_meeting(safe_spec())
    live = zoom_provider.read_settings(created.meeting_id)
    assert live.waiting_room is True and live.passcode_required is True
    assert live.registration_required is True and live.manual_approval is True
    assert live.join_before_host is False and live.mute_on_entry is True
    assert live.auto_recording is False
    # What the Meetings API cannot set or read is "unknown", not pretended.
    assert live.screen_share_host_only is None and live.annotation is None and live.chat is None

    zoom_fake.set_setting(created.meeting_id, "waiting_room", False)
    zoom_fake.set_setting(created.meeting_id, "approval_type", 0)
    zoom_fake.set_setting(created.meeting_id, "password", "")
    drifted = zoom_provider.read_settings(created.meeting_id)
    assert drifted.waiting_room is False
    assert drifted.manual_approval is False
    assert drifted.passcode_required is False


def test_an_update_applies_the_settings_again_and_restores_a_removed_passcode(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    created = zoom_provider.create_meeting(safe_spec())
    assert zoom_provider.update_meeting(created.meeting_id, safe_spec(title="Moved")) is None
    assert zoom_fake.meeting(created.meeting_id)["password"] == created.passcode  # kept

    zoom_fake.set_setting(created.meeting_id, "waiting_room", False)
    zoom_fake.set_setting(created.meeting_id, "password", "")
    fresh = zoom_provider.update_meeting(created.meeting_id, safe_spec(title="Moved"))
    held = zoom_fake.meeting(created.meeting_id)
    assert held["topic"] == "Moved" and held["settings"]["waiting_room"] is True
    assert fresh is not None and held["password"] == fresh and passcode_is_zooms(fresh)


def test_automatic_recording_is_switched_off(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    created = zoom_provider.create_meeting(safe_spec(auto_recording=True))
    zoom_provider.set_auto_recording(created.meeting_id, False)
    assert zoom_fake.meeting(created.meeting_id)["settings"]["auto_recording"] == "none"
    assert zoom_provider.read_settings(created.meeting_id).auto_recording is False


def test_deleting_a_meeting_twice_is_fine(zoom_provider: ZoomProvider, zoom_fake: ZoomFake) -> None:
    created = zoom_provider.create_meeting(safe_spec())
    zoom_provider.delete_meeting(created.meeting_id)
    zoom_provider.delete_meeting(created.meeting_id)
    assert created.meeting_id not in zoom_fake.meeting_ids()
    with pytest.raises(ProviderNotFound):
        zoom_provider.read_settings(created.meeting_id)


def test_registrants_get_personal_links_and_are_deleted_for_good(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    meeting_id = zoom_provider.create_meeting(safe_spec()).meeting_id
    ada = zoom_provider.add_registrant(
        meeting_id, RegistrantRequest("Ada King Lovelace", "ada@example.org")
    )
    alan = zoom_provider.add_registrant(meeting_id, RegistrantRequest("Alan", "alan@example.org"))
    held = {r["id"]: r for r in zoom_fake.registrants(meeting_id)}
    assert held[ada.registrant_id]["join_url"] == ada.join_url != alan.join_url
    assert held[ada.registrant_id]["status"] == "approved"
    assert (held[ada.registrant_id]["first_name"], held[ada.registrant_id]["last_name"]) == (
        "Ada King",
        "Lovelace",
    )
    assert zoom_provider.registrant_exists(meeting_id, ada.registrant_id)

    zoom_provider.remove_registrant(meeting_id, ada.registrant_id)
    zoom_provider.remove_registrant(meeting_id, ada.registrant_id)  # already gone: fine
    assert [r["id"] for r in zoom_fake.registrants(meeting_id)] == [alan.registrant_id]
    assert not zoom_provider.registrant_exists(meeting_id, ada.registrant_id)
    # Removed with DELETE, not "cancelled" through a status change.
    assert zoom_fake.deletes_of("registrant", ada.registrant_id) == 2
    assert not zoom_fake.calls("PUT", "/registrants/status")


def test_the_registry_builds_the_zoom_adapter(zoom_credentials: ProviderCredentials) -> None:
    provider = build_provider("zoom", zoom_credentials, FAST_RETRIES)
    assert isinstance(provider, ZoomProvider) and provider.personal_join_links
    assert provider.check_connection() == "Harbour Events"


def test_chat_is_not_claimed_where_zoom_cannot_set_it(zoom_provider: ZoomProvider) -> None:
    created = zoom_provider.create_meeting(safe_spec(chat=Chat.OFF))
    assert zoom_provider.read_settings(created.meeting_id).chat is None
