"""Forms for the code-of-conduct library, incidents and organisation settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from vcsafe.models import IncidentKind, IncidentStatus

CODE_BODY_HINT = (
    "Plain text. Registrants see exactly this text and accept it; once published it cannot change."
)


class NewCodeForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the code a title."), Length(max=200)]
    )
    body = TextAreaField(
        "Text",
        description=CODE_BODY_HINT,
        validators=[DataRequired("Write the code's text."), Length(max=50_000)],
    )


class NewVersionForm(FlaskForm):
    body = TextAreaField(
        "Text of the new version",
        description=CODE_BODY_HINT,
        validators=[DataRequired("Write the new version's text."), Length(max=50_000)],
    )


class IncidentForm(FlaskForm):
    kind = RadioField(
        "Kind",
        choices=[
            SelectChoice(IncidentKind.DISRUPTION.value, "Disruption (for example Zoom bombing)"),
            SelectChoice(
                IncidentKind.BREACH.value,
                "Personal-data breach (the 72-hour reporting clock starts at discovery)",
            ),
        ],
        default=IncidentKind.DISRUPTION.value,
    )
    meeting_id = SelectField("Meeting", coerce=int)
    summary = StringField(
        "What happened",
        description="Briefly. Do not name people: say how many were affected below.",
        validators=[DataRequired("Say briefly what happened."), Length(max=300)],
    )
    occurred_at = DateTimeLocalField(
        "When it happened (UTC)",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(message="Give the date and time it happened.")],
    )
    discovered_at = DateTimeLocalField(
        "When it was discovered (UTC)",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(message="Give the date and time it was discovered.")],
    )
    affected_count = IntegerField(
        "How many people were affected",
        default=0,
        validators=[
            InputRequired("Give the number of people affected (0 if none)."),
            NumberRange(min=0, max=10_000_000),
        ],
    )
    actions_taken = TextAreaField("Actions taken", validators=[Optional(), Length(max=5000)])


class IncidentStatusForm(FlaskForm):
    status = SelectField(
        "Decision",
        choices=[
            SelectChoice(IncidentStatus.REPORTED.value, "Reported to the regulator"),
            SelectChoice(IncidentStatus.NOT_REPORTABLE.value, "Not reportable (reason in actions)"),
            SelectChoice(IncidentStatus.CLOSED.value, "Closed"),
        ],
    )


class OrganisationForm(FlaskForm):
    name = StringField(
        "Organisation name",
        validators=[DataRequired("Enter the organisation's name."), Length(max=200)],
    )
    age_threshold = IntegerField(
        "Age threshold",
        description="People under this age register with a guardian's consent (13 by default).",
        validators=[InputRequired("Give an age."), NumberRange(min=1, max=21)],
    )
    max_registrant_retention_days = IntegerField(
        "Longest time organisers may keep registrant data (days after a meeting)",
        validators=[InputRequired("Give a number of days."), NumberRange(min=0, max=3650)],
    )
    default_code_of_conduct_id = SelectField("Default code of conduct", coerce=int)
    incident_contact = StringField(
        "Incident contact",
        description="Who deals with disruptions and breaches: a name, email or phone number.",
        validators=[Optional(), Length(max=320)],
    )
