"""The Teams adapter against the Graph fake: finding recordings and deleting their files.

A callRecording cannot be deleted through Graph; its file in the organiser's OneDrive can.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.fakes.graph import GraphFake
from vcsafe.providers.base import (
    MeetingSpec,
    ProviderCredentials,
    ProviderRecording,
    ProviderRejected,
)
from vcsafe.providers.teams import TeamsProvider

ENDED = datetime(2031, 3, 4, 20, 5, tzinfo=UTC)


@pytest.fixture
def meeting_id(teams_provider: TeamsProvider) -> str:
    spec = MeetingSpec(
        title="Recorded talk", starts_at=ENDED - timedelta(hours=2), duration_minutes=90
    )
    return teams_provider.create_meeting(spec).meeting_id


def test_recordings_are_listed_with_their_file_and_end(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    teams_credentials: ProviderCredentials,
    meeting_id: str,
) -> None:
    recording_id = graph_fake.add_recording(meeting_id, ended_at=ENDED)

    [found] = teams_provider.list_recordings(meeting_id)

    assert found.recording_id == recording_id
    assert found.completed_at == ENDED
    [file] = graph_fake.drive_items(teams_credentials.host_user)
    assert found.refs["item_id"] == file["id"]
    assert found.refs["drive_id"] == file["parentReference"]["driveId"]


def test_every_page_of_recordings_is_read(
    teams_provider: TeamsProvider, graph_fake: GraphFake, meeting_id: str
) -> None:
    graph_fake.recordings_page_size = 2
    made = {graph_fake.add_recording(meeting_id) for _ in range(5)}

    found = teams_provider.list_recordings(meeting_id)

    assert {r.recording_id for r in found} == made
    assert len(graph_fake.calls("GET", "/recordings")) == 3


def test_deleting_a_recording_erases_its_file_for_good(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    teams_credentials: ProviderCredentials,
    meeting_id: str,
) -> None:
    graph_fake.add_recording(meeting_id)
    [found] = teams_provider.list_recordings(meeting_id)
    assert teams_provider.recording_exists(meeting_id, found)

    teams_provider.delete_recording(meeting_id, found)

    organiser = teams_credentials.host_user
    assert graph_fake.drive_items(organiser) == []
    assert graph_fake.recycle_bin(organiser) == []  # not merely moved to the recycle bin
    assert not teams_provider.recording_exists(meeting_id, found)
    assert graph_fake.calls("DELETE", "/recordings/") == []  # Graph cannot delete those
    assert graph_fake.deletes_of("driveItem", found.refs["item_id"]) == 1


def test_deleting_an_already_deleted_recording_is_fine(
    teams_provider: TeamsProvider, graph_fake: GraphFake, meeting_id: str
) -> None:
    graph_fake.add_recording(meeting_id)
    [found] = teams_provider.list_recordings(meeting_id)
    teams_provider.delete_recording(meeting_id, found)

    teams_provider.delete_recording(meeting_id, found)  # e.g. a purge worker restarted

    assert not teams_provider.recording_exists(meeting_id, found)


def test_a_file_named_by_user_drive_is_found_through_the_users_drive(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    teams_credentials: ProviderCredentials,
    meeting_id: str,
) -> None:
    graph_fake.add_recording(meeting_id, link="user")
    [found] = teams_provider.list_recordings(meeting_id)
    assert found.refs == {"user_id": teams_credentials.host_user, "item_id": found.refs["item_id"]}

    teams_provider.delete_recording(meeting_id, found)

    assert graph_fake.drive_items(teams_credentials.host_user) == []
    assert len(graph_fake.calls("GET", "/drive")) == 1


def test_a_recording_without_a_known_file_asks_for_deletion_by_hand(
    teams_provider: TeamsProvider,
    graph_fake: GraphFake,
    teams_credentials: ProviderCredentials,
    meeting_id: str,
) -> None:
    graph_fake.add_recording(meeting_id, link="none")
    [found] = teams_provider.list_recordings(meeting_id)
    assert found.refs == {}

    with pytest.raises(ProviderRejected, match="delete the recording in their OneDrive"):
        teams_provider.delete_recording(meeting_id, found)

    assert len(graph_fake.drive_items(teams_credentials.host_user)) == 1
    assert teams_provider.recording_exists(meeting_id, found)


def test_an_unknown_recording_does_not_exist(
    teams_provider: TeamsProvider, meeting_id: str
) -> None:
    ghost = ProviderRecording(recording_id="VjIjIzE5Z2hvc3Q", completed_at=ENDED)
    assert teams_provider.recording_exists(meeting_id, ghost) is False


def test_the_fake_refuses_to_delete_a_call_recording_as_graph_does(
    graph_fake: GraphFake, teams_credentials: ProviderCredentials, meeting_id: str
) -> None:
    recording_id = graph_fake.add_recording(meeting_id)
    token = graph_fake.access_token(teams_credentials.tenant)

    answer = requests.delete(
        f"{graph_fake.graph_url}/users/{teams_credentials.host_user}/onlineMeetings/"
        f"{meeting_id}/recordings/{recording_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )

    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "BadRequest"
    assert len(graph_fake.recordings(meeting_id)) == 1
