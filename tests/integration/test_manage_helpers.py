"""Console steps that public-page tests need."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import csrf_token
from vcsafe.models import Meeting


def publish_v2_and_move(admin_client: FlaskClient, meeting: Meeting) -> None:
    """Publish a new version of the meeting's code of conduct and move the meeting to it."""
    code_id = meeting.code_of_conduct_version.code_of_conduct_id
    url = f"/console/codes/{code_id}"
    response = admin_client.post(
        url,
        data={
            "body": "Be kind.\nNo harassment.\nNo recording by attendees.",
            "csrf_token": csrf_token(admin_client, url),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting_url = f"/console/meetings/{meeting.id}"
    token = csrf_token(admin_client, "/console/codes")
    response = admin_client.post(
        f"{meeting_url}/code-of-conduct/latest", data={"csrf_token": token}
    )
    assert response.status_code == 302
