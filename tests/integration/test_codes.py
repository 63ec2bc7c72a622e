"""The code-of-conduct library: versions never change, meetings keep theirs until moved, and
moving a meeting asks its registrants to accept the new text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import csrf_token
from tests.public import manage_link, register
from vcsafe.models import (
    CodeOfConduct,
    CodeOfConductVersion,
    Meeting,
    Organisation,
    Registrant,
    utcnow,
)


def _create(client: FlaskClient, title: str, body: str) -> int:
    response = client.post(
        "/console/codes",
        data={"title": title, "body": body, "csrf_token": csrf_token(client, "/console/codes")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _publish(client: FlaskClient, code_id: int, body: str) -> FlaskClient:
    url = f"/console/codes/{code_id}"
    return client.post(url, data={"body": body, "csrf_token": csrf_token(client, url)})


def test_versions_are_published_never_changed(
    organiser_client: FlaskClient, session: Session, organisation: Organisation
) -> None:
    code_id = _create(organiser_client, "Community rules", "Be kind.")
    assert _publish(organiser_client, code_id, "Be kind.\nNo recording.").status_code == 302
    page = organiser_client.get(f"/console/codes/{code_id}").get_data(as_text=True)
    assert "Version 2" in page and "Version 1" in page
    versions = session.scalars(
        select(CodeOfConductVersion)
        .where(CodeOfConductVersion.code_of_conduct_id == code_id)
        .order_by(CodeOfConductVersion.number)
    ).all()
    assert [v.body for v in versions] == ["Be kind.", "Be kind.\nNo recording."]
    # The old text stays readable, exactly as people accepted it.
    old = organiser_client.get(f"/console/codes/versions/{versions[0].id}").get_data(as_text=True)
    assert "Be kind." in old and "No recording." not in old
    # The first code becomes the organisation's default for new meetings.
    session.refresh(organisation)
    assert organisation.default_code_of_conduct_id == code_id


def test_publishing_the_same_text_or_nothing_is_refused(organiser_client: FlaskClient) -> None:
    code_id = _create(organiser_client, "Rules", "Be kind.")
    same = _publish(organiser_client, code_id, "Be kind.")
    assert same.status_code == 400
    assert "same as the latest version" in same.get_data(as_text=True)
    empty = _publish(organiser_client, code_id, "   ")
    assert empty.status_code == 400
    assert "Write the new version&#39;s text." in empty.get_data(as_text=True)


def test_moving_a_meeting_asks_registrants_to_accept_again(
    client: FlaskClient,
    organiser_client: FlaskClient,
    session: Session,
    organisation: Organisation,
) -> None:
    version = factories.code_of_conduct(session, organisation, body="Be kind.")
    meeting = factories.meeting(session, organisation, code_of_conduct_version_id=version.id)
    other = factories.meeting(session, organisation, code_of_conduct_version_id=version.id)
    session.commit()
    visitor = client.application.test_client()
    for name, email in (("Ada Lovelace", "ada@example.org"), ("Alan Turing", "alan@example.org")):
        assert register(visitor, meeting, name=name, email=email).status_code == 302

    url = f"/console/meetings/{meeting.id}"
    # The button to move appears only once there is a newer version to move to.
    assert "Move to version" not in organiser_client.get(url).get_data(as_text=True)
    code_id = version.code_of_conduct_id
    assert _publish(organiser_client, code_id, "Be kind.\nCameras on.").status_code == 302
    library = organiser_client.get(f"/console/codes/{code_id}").get_data(as_text=True)
    assert library.count("older version") == 2  # both meetings still pin version 1
    assert "Move to version 2 of the code of conduct" in organiser_client.get(url).get_data(
        as_text=True
    )

    moved = organiser_client.post(
        f"{url}/code-of-conduct/latest",
        data={"csrf_token": csrf_token(organiser_client, url)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "now uses version 2" in moved
    assert "Move to version" not in moved
    assert "Yet to accept version 2" in moved
    assert "Ada Lovelace" in moved and "Alan Turing" in moved
    session.expire_all()
    assert session.get(Meeting, other.id).code_of_conduct_version_id == version.id  # untouched

    # Ada follows the fresh link in her newest email and accepts the new text.
    ada = session.scalars(select(Registrant).where(Registrant.email == "ada@example.org")).one()
    person = client.application.test_client()
    person.get(manage_link(session, ada.id))
    assert "Cameras on." in person.get("/manage").get_data(as_text=True)
    person.post("/manage/accept-code", data={"csrf_token": csrf_token(person, "/manage")})
    page = organiser_client.get(url).get_data(as_text=True)
    waiting = page.split("Yet to accept version 2")[1].split("</section>")[0]
    assert "Alan Turing" in waiting and "Ada Lovelace" not in waiting


@pytest.mark.parametrize("started", [True, False])
def test_only_future_meetings_move(
    organiser_client: FlaskClient, session: Session, organisation: Organisation, started: bool
) -> None:
    version = factories.code_of_conduct(session, organisation)
    starts = utcnow() - timedelta(hours=1) if started else utcnow() + timedelta(days=1)
    meeting = factories.meeting(
        session, organisation, code_of_conduct_version_id=version.id, starts_at=starts
    )
    session.commit()
    code = session.get(CodeOfConduct, version.code_of_conduct_id)
    assert code is not None
    url = f"/console/meetings/{meeting.id}"
    page = organiser_client.post(
        f"{url}/code-of-conduct/latest",
        data={"csrf_token": csrf_token(organiser_client, url)},
        follow_redirects=True,
    ).get_data(as_text=True)
    expected = "has not started" if started else "already uses the newest version"
    assert expected in page
