"""The one form an organiser fills to plan or edit a meeting."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from vcsafe.models import (
    Audience,
    CodeOfConductVersion,
    Meeting,
    ProviderAccount,
    RecordingPolicy,
    utcnow,
)
from vcsafe.services.meetings import MeetingChoices


@functools.cache
def timezone_choices() -> list[SelectChoice]:
    names = sorted(n for n in zoneinfo.available_timezones() if "/" in n or n == "UTC")
    return [SelectChoice(n, n.replace("_", " ")) for n in names]


class MeetingForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the meeting a title."), Length(max=200)]
    )
    provider_account_id = SelectField("Zoom or Teams account", coerce=int)
    starts_local = DateTimeLocalField(
        "Starts",
        format="%Y-%m-%dT%H:%M",
        description="In the time zone below.",
        validators=[InputRequired(message="Give the date and time it starts.")],
    )
    timezone = SelectField("Time zone", default="Europe/London")
    duration_minutes = IntegerField(
        "Duration (minutes)",
        default=60,
        validators=[InputRequired("Give the length in minutes."), NumberRange(min=5, max=1440)],
    )
    capacity = IntegerField(
        "Capacity",
        default=100,
        description="Registration closes when this many people have registered.",
        validators=[
            InputRequired("Give how many people may register."),
            NumberRange(min=1, max=100_000),
        ],
    )
    audience = RadioField(
        "Who may attend",
        choices=[
            SelectChoice(Audience.ADULTS.value, "Adults only"),
            SelectChoice(
                Audience.MAY_INCLUDE_CHILDREN.value,
                "May include children under the organisation's age threshold",
            ),
        ],
        default=Audience.ADULTS.value,
    )
    recording_policy = RadioField(
        "Recording",
        choices=[
            SelectChoice(RecordingPolicy.NONE.value, "No recording"),
            SelectChoice(
                RecordingPolicy.WITH_CONSENT.value, "Recording with each person's consent"
            ),
            SelectChoice(RecordingPolicy.REQUIRED.value, "Recording is a condition of joining"),
        ],
        default=RecordingPolicy.NONE.value,
    )
    code_of_conduct_version_id = SelectField("Code of conduct", coerce=int)
    registrant_retention_days = IntegerField(
        "Keep registrant data for (days after the meeting)",
        default=0,
        description="0 deletes it at the first cleanup after the meeting ends.",
        validators=[
            InputRequired("Give a number of days (0 for the first cleanup)."),
            NumberRange(min=0, max=3650),
        ],
    )
    recording_retention_days = IntegerField(
        "Keep recordings for (days after they are made)",
        default=30,
        validators=[InputRequired("Give a number of days."), NumberRange(min=1, max=365)],
    )
    offer_future_contact = BooleanField(
        "Offer registrants to be told about future events (unticked for them by default)"
    )

    def validate_starts_local(self, field: DateTimeLocalField) -> None:
        """A start in the past is marked on its field, with the form's other mistakes, instead
        of alone after them (the planning service refuses it as well)."""
        if field.data is None:
            return
        try:
            zone = zoneinfo.ZoneInfo(self.timezone.data or "")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return  # the time zone field reports that
        if field.data.replace(tzinfo=zone) <= utcnow():
            raise ValidationError("The start must be in the future.")

    def fill_choices(
        self, accounts: list[ProviderAccount], versions: list[CodeOfConductVersion]
    ) -> None:
        self.provider_account_id.choices = [
            SelectChoice(a.id, f"{a.label} ({'Zoom' if a.kind.value == 'zoom' else 'Teams'})")
            for a in accounts
        ]
        self.code_of_conduct_version_id.choices = [SelectChoice(0, "None")] + [
            SelectChoice(v.id, f"{v.code_of_conduct.title} — version {v.number}") for v in versions
        ]
        self.timezone.choices = timezone_choices()

    def load(self, meeting: Meeting) -> None:
        """Fill the form from a meeting (editing)."""
        zone = zoneinfo.ZoneInfo(meeting.timezone)
        self.title.data = meeting.title
        self.provider_account_id.data = meeting.provider_account_id
        self.starts_local.data = meeting.starts_at.astimezone(zone).replace(tzinfo=None)
        self.timezone.data = meeting.timezone
        self.duration_minutes.data = meeting.duration_minutes
        self.capacity.data = meeting.capacity
        self.audience.data = meeting.audience.value
        self.recording_policy.data = meeting.recording_policy.value
        self.code_of_conduct_version_id.data = meeting.code_of_conduct_version_id or 0
        self.registrant_retention_days.data = meeting.registrant_retention_days
        self.recording_retention_days.data = meeting.recording_retention_days
        self.offer_future_contact.data = meeting.offer_future_contact

    def choices(self) -> MeetingChoices:
        starts: datetime = self.starts_local.data
        return MeetingChoices(
            title=self.title.data or "",
            provider_account_id=int(self.provider_account_id.data or 0),
            starts_local=starts,
            timezone=self.timezone.data or "UTC",
            duration_minutes=self.duration_minutes.data or 0,
            capacity=self.capacity.data or 0,
            audience=Audience(self.audience.data),
            recording_policy=RecordingPolicy(self.recording_policy.data),
            code_of_conduct_version_id=self.code_of_conduct_version_id.data or None,
            registrant_retention_days=self.registrant_retention_days.data or 0,
            recording_retention_days=self.recording_retention_days.data or 0,
            offer_future_contact=bool(self.offer_future_contact.data),
        )
