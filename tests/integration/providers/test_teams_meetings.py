"""The Teams adapter against the Graph fake: the account, meetings and their safety settings.

The real msal and requests code runs; the fake at the HTTP boundary checks every request
against Microsoft's description of Graph.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.fakes import server
from tests.fakes.graph import GraphFake, graph_specs_available
from tests.fakes.graph_fixtures import FAST_RETRIES
from vcsafe.providers.base import (
    Chat,
    MeetingSpec,
    ProviderAuthError,
    ProviderCredentials,
    ProviderNotFound,
    ProviderRejected,
    RegistrantRequest,
)
from vcsafe.providers.registry import build_provider
from vcsafe.providers.teams import TeamsProvider

STARTS = datetime(2031, 3, 4, 18, 30, tzinfo=UTC)


def safe_spec(**changes: object) -> MeetingSpec:
    """What planning.safety_spec asks for a recorded meeting without children."""
    spec = MeetingSpec(title="Local history talk", starts_at=STARTS, duration_minutes=90)
    return replace(spec, **changes)  # type: ignore[arg-type]


def test_connection_check_names_the_organiser_and_reuses_the_token(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    assert teams_provider.check_connection() == "Harbour Events Team"
    assert teams_provider.check_connection() == "Harbour Events Team"
    assert len(graph_fake.calls("POST", "/oauth2/v2.0/token")) == 1


def test_a_wrong_secret_says_what_microsoft_refused(
    graph_fake: GraphFake, teams_credentials: ProviderCredentials
) -> None:
    typo = replace(teams_credentials, client_secret="not-the-secret")
    with pytest.raises(ProviderAuthError) as failure:
        TeamsProvider(typo, policy=FAST_RETRIES).check_connection()
    message = str(failure.value)
    assert "client secret" in message
    assert "AADSTS7000215" in message
    assert "Trace ID" not in message  # Microsoft's trace lines are noise to an organiser
    assert not graph_fake.calls("GET", "/v1.0/")


def test_an_unknown_tenant_is_named_as_the_problem(
    graph_fake: GraphFake, teams_credentials: ProviderCredentials
) -> None:
    wrong = replace(teams_credentials, tenant="00000000-0000-0000-0000-000000000000")
    with pytest.raises(ProviderAuthError, match="tenant"):
        TeamsProvider(wrong, policy=FAST_RETRIES).check_connection()


def test_the_registry_builds_the_teams_adapter(teams_credentials: ProviderCredentials) -> None:
    provider = build_provider("teams", teams_credentials, FAST_RETRIES)
    assert isinstance(provider, TeamsProvider)
    assert provider.kind == "teams"
    assert provider.personal_join_links is False


def test_credentials_never_travel_over_plain_http_to_a_real_host(
    teams_credentials: ProviderCredentials,
) -> None:
    leaky = replace(teams_credentials, auth_base_url="http://login.example.org")
    provider = TeamsProvider(leaky, policy=FAST_RETRIES)  # building it never fails
    with pytest.raises(ProviderRejected, match="https"):
        provider.check_connection()


def test_a_new_meeting_holds_the_safe_settings(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    created = teams_provider.create_meeting(safe_spec())

    held = graph_fake.meeting(created.meeting_id)
    assert held["subject"] == "Local history talk"
    assert held["startDateTime"].startswith("2031-03-04T18:30:00")
    assert held["endDateTime"].startswith("2031-03-04T20:00:00")
    assert held["lobbyBypassSettings"] == {"scope": "organizer", "isDialInBypassEnabled": False}
    assert held["allowedPresenters"] == "organizer"
    assert held["allowedLobbyAdmitters"] == "organizerAndCoOrganizers"
    assert held["allowMeetingChat"] == "disabled"  # Teams has no host-only chat
    assert held["recordAutomatically"] is False
    assert held["allowRecording"] is False
    assert held["allowTranscription"] is False
    assert held["allowAttendeeToEnableMic"] is False
    assert held["allowAttendeeToEnableCamera"] is False
    assert held["allowWhiteboard"] is False
    assert held["isEntryExitAnnounced"] is True
    assert held["joinMeetingIdSettings"]["isPasscodeRequired"] is True
    # One shared link; Teams has no separate start link, and generates the passcode.
    assert created.join_url == created.host_url == held["joinWebUrl"]
    assert created.passcode == held["joinMeetingIdSettings"]["passcode"]


def test_children_profile_and_allowed_recording_reach_teams(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    no_chat = teams_provider.create_meeting(safe_spec(chat=Chat.OFF))
    recorded = teams_provider.create_meeting(safe_spec(auto_recording=True, chat=Chat.EVERYONE))

    assert graph_fake.meeting(no_chat.meeting_id)["allowMeetingChat"] == "disabled"
    held = graph_fake.meeting(recorded.meeting_id)
    assert held["allowMeetingChat"] == "enabled"
    assert held["recordAutomatically"] is True
    assert held["allowRecording"] is True


def test_live_settings_read_back_what_was_set(teams_provider: TeamsProvider) -> None:
    created = teams_provider.create_meeting(safe_spec())

    live = teams_provider.read_settings(created.meeting_id)

    assert live.waiting_room is True
    assert live.join_before_host is False
    assert live.passcode_required is True
    assert live.mute_on_entry is True
    assert live.screen_share_host_only is True
    assert live.annotation is False
    assert live.chat is Chat.OFF  # host-only chat is switched off on Teams
    assert live.auto_recording is False
    assert live.announce_entry is True
    # Plain online meetings have no registration or sign-in requirement Teams could report.
    assert live.registration_required is None
    assert live.manual_approval is None
    assert live.authenticated_users_only is None


def test_changes_made_in_teams_show_as_drift(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    created = teams_provider.create_meeting(safe_spec())
    graph_fake.set_setting(created.meeting_id, "lobbyBypassSettings.scope", "everyone")
    graph_fake.set_setting(created.meeting_id, "allowMeetingChat", "enabled")
    graph_fake.set_setting(created.meeting_id, "allowedPresenters", "everyone")
    graph_fake.set_setting(created.meeting_id, "recordAutomatically", True)
    graph_fake.set_setting(created.meeting_id, "joinMeetingIdSettings.isPasscodeRequired", False)

    live = teams_provider.read_settings(created.meeting_id)

    assert live.waiting_room is False
    assert live.join_before_host is True
    assert live.chat is Chat.EVERYONE
    assert live.screen_share_host_only is False
    assert live.auto_recording is True
    assert live.passcode_required is False


def test_dial_in_bypassing_the_lobby_is_no_waiting_room(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    created = teams_provider.create_meeting(safe_spec())
    graph_fake.set_setting(created.meeting_id, "lobbyBypassSettings.isDialInBypassEnabled", True)

    assert teams_provider.read_settings(created.meeting_id).waiting_room is False


def test_update_moves_the_meeting_and_puts_safe_settings_back(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    created = teams_provider.create_meeting(safe_spec())
    graph_fake.set_setting(created.meeting_id, "allowedPresenters", "everyone")

    later = STARTS + timedelta(days=1)
    teams_provider.update_meeting(created.meeting_id, safe_spec(starts_at=later, title="Moved"))

    held = graph_fake.meeting(created.meeting_id)
    assert held["subject"] == "Moved"
    assert held["startDateTime"].startswith("2031-03-05T18:30:00")
    assert held["allowedPresenters"] == "organizer"
    assert held["joinWebUrl"] == created.join_url
    assert held["joinMeetingIdSettings"]["passcode"] == created.passcode


def test_switching_automatic_recording_off_removes_recording(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    created = teams_provider.create_meeting(safe_spec(auto_recording=True))

    teams_provider.set_auto_recording(created.meeting_id, False)

    held = graph_fake.meeting(created.meeting_id)
    assert held["recordAutomatically"] is False
    assert held["allowRecording"] is False
    assert teams_provider.read_settings(created.meeting_id).auto_recording is False


def test_deleting_a_meeting_twice_is_fine(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    created = teams_provider.create_meeting(safe_spec())

    teams_provider.delete_meeting(created.meeting_id)
    teams_provider.delete_meeting(created.meeting_id)

    assert created.meeting_id not in graph_fake.meeting_ids()
    assert graph_fake.deletes_of("onlineMeeting", created.meeting_id) == 2


def test_a_missing_meeting_is_not_found_with_graphs_words(teams_provider: TeamsProvider) -> None:
    with pytest.raises(ProviderNotFound) as failure:
        teams_provider.read_settings("MSpub3QtYS1tZWV0aW5n")
    assert "The online meeting was not found." in str(failure.value)


def test_teams_has_no_per_person_registration(
    teams_provider: TeamsProvider, graph_fake: GraphFake
) -> None:
    created = teams_provider.create_meeting(safe_spec())
    person = RegistrantRequest(name="Ada Example", email="ada@example.org")
    before = len(graph_fake.server.requests)

    with pytest.raises(ProviderRejected, match="no per-person registration"):
        teams_provider.add_registrant(created.meeting_id, person)
    with pytest.raises(ProviderRejected, match="no per-person registration"):
        teams_provider.remove_registrant(created.meeting_id, "anything")
    assert teams_provider.registrant_exists(created.meeting_id, "anything") is False
    assert len(graph_fake.server.requests) == before  # nothing about the person left vcsafe


def _raw_create(
    fake: GraphFake, credentials: ProviderCredentials, body: dict[str, object]
) -> requests.Response:
    return requests.post(
        f"{fake.graph_url}/users/{credentials.host_user}/onlineMeetings",
        json=body,
        headers={"Authorization": f"Bearer {fake.access_token(credentials.tenant)}"},
        timeout=5,
    )


@pytest.mark.skipif(not graph_specs_available(), reason=server.SPECS_MISSING_REASON)
def test_the_fake_refuses_what_graphs_description_forbids(
    graph_fake: GraphFake, teams_credentials: ProviderCredentials
) -> None:
    answer = _raw_create(graph_fake, teams_credentials, {"allowMeetingChat": "hostOnly"})

    assert answer.status_code == 400
    assert "allowMeetingChat" in answer.json()["error"]["message"]
    [violation] = graph_fake.take_violations()
    assert "'hostOnly' is not one of" in violation


def test_the_fake_refuses_setting_the_passcode(
    graph_fake: GraphFake, teams_credentials: ProviderCredentials
) -> None:
    settings = {"isPasscodeRequired": True, "passcode": "123456"}
    answer = _raw_create(graph_fake, teams_credentials, {"joinMeetingIdSettings": settings})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "BadRequest"
    assert graph_fake.take_violations() == [
        f"POST /v1.0/users/{teams_credentials.host_user}/onlineMeetings: "
        "joinMeetingIdSettings/passcode: the property is read-only"
    ]
