"""Zoom cloud recordings: listed, deleted for good (never to the trash), UUIDs encoded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fakes.zoom import ZoomFake
from tests.integration.providers.test_zoom_meetings import safe_spec
from vcsafe.providers.base import ProviderRecording
from vcsafe.providers.zoom import ZoomProvider, uuid_in_path


def test_a_recording_is_listed_then_deleted_for_good(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    meeting_id = zoom_provider.create_meeting(safe_spec()).meeting_id
    assert zoom_provider.list_recordings(meeting_id) == []
    ended = datetime(2031, 3, 4, 20, 0, tzinfo=UTC)
    uuid = zoom_fake.add_recording(meeting_id, completed_at=ended)

    [found] = zoom_provider.list_recordings(meeting_id)
    assert found.recording_id == uuid and found.completed_at == ended
    assert zoom_provider.recording_exists(meeting_id, found)

    zoom_provider.delete_recording(meeting_id, found)
    assert zoom_fake.recordings(meeting_id) == []
    assert zoom_fake.trash() == []  # action=delete: not kept 30 more days in the trash
    assert not zoom_provider.recording_exists(meeting_id, found)
    zoom_provider.delete_recording(meeting_id, found)  # already gone: fine


def test_uuids_with_slashes_are_encoded_as_zoom_asks(
    zoom_provider: ZoomProvider, zoom_fake: ZoomFake
) -> None:
    meeting_id = zoom_provider.create_meeting(safe_spec()).meeting_id
    for awkward in ("/starts+with/slash==", "has//double==", "one/inside=="):
        uuid = zoom_fake.add_recording(meeting_id, instance_uuid=awkward)
        recording = ProviderRecording(
            recording_id=uuid,
            completed_at=datetime.now(UTC) - timedelta(days=1),
            refs={"meeting_uuid": uuid},
        )
        assert zoom_provider.recording_exists(meeting_id, recording), awkward
        zoom_provider.delete_recording(meeting_id, recording)
        assert not zoom_provider.recording_exists(meeting_id, recording), awkward
    assert zoom_fake.recordings(meeting_id) == []
    assert uuid_in_path("/ab//c=") == "%252Fab%252F%252Fc%253D"
    assert uuid_in_path("ab/c=") == "ab%2Fc%3D"
