"""Console pages as organisers reach them: addresses typed by hand, the dashboard's summary."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests import factories
from vcsafe.models import Organisation


def test_an_address_typed_with_a_trailing_slash_finds_the_page(
    organiser_client: FlaskClient,
) -> None:
    for address in ("/console/meetings/", "/console/codes/", "/console/incidents/"):
        response = organiser_client.get(address)
        assert response.status_code == 200, address
    assert "<h1>Meetings</h1>" in organiser_client.get("/console/meetings/").get_data(as_text=True)


def test_the_dashboard_says_how_full_each_next_meeting_is(
    organiser_client: FlaskClient, session: Session, organisation: Organisation
) -> None:
    talk = factories.meeting(session, organisation, title="Spring talk", capacity=40)
    for _ in range(3):
        factories.registrant(session, talk)
    factories.meeting(session, organisation, title="Quiet talk", capacity=10)
    session.commit()
    page = organiser_client.get("/console").get_data(as_text=True)
    assert "3 of 40 registered" in page
    assert "0 of 10 registered" in page
