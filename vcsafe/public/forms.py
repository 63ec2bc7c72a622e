"""Public forms. Every field has a size limit; choices start unticked."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from vcsafe.models import RecordingPolicy
from vcsafe.services.public_meetings import PublicMeeting
from vcsafe.services.registration import Registration, problems


class RegistrationForm(FlaskForm):
    name = StringField(
        "Your name",
        validators=[DataRequired(message="Enter your name."), Length(max=200)],
    )
    email = EmailField(
        "Your email",
        description="Your confirmation and private link are sent here.",
        validators=[
            DataRequired(message="Enter your email address."),
            Email(message="Enter an email address like name@example.org."),
            Length(max=320),
        ],
    )
    age_band = RadioField("Your age", validators=[Optional()])
    guardian_name = StringField("Parent or guardian's name", validators=[Length(max=200)])
    guardian_email = EmailField(
        "Parent or guardian's email",
        description="The confirmation and the private link go to this address.",
        validators=[
            Optional(),
            Email(message="Enter an email address like name@example.org."),
            Length(max=320),
        ],
    )
    guardian_consent = BooleanField(
        "I am the parent or guardian and I give my consent as described above"
    )
    accept_code = BooleanField("I have read the code of conduct and I accept it (required)")
    recording = RadioField(
        "May we record you?",
        choices=[SelectChoice("yes", "Yes, I agree to be recorded"), SelectChoice("no", "No")],
        validators=[Optional()],
    )
    recording_required = BooleanField("I agree to be recorded (required to join)")
    future_contact = BooleanField("Yes, you may email me about future events")
    # A honeypot: hidden from people, filled in by bots.
    website = StringField("Leave this empty", validators=[Length(max=200)])
    # Which texts the page showed (PublicMeeting.digest); the template writes the value.
    notices_digest = HiddenField()

    def configure(self, meeting: PublicMeeting) -> None:
        threshold = meeting.age_threshold
        self.age_band.choices = [
            SelectChoice("adult", f"{threshold} or over"),
            SelectChoice("child", f"Under {threshold} (a parent or guardian consents)"),
        ]
        # The box is labelled with the very text whose hash the consent ledger records.
        self.future_contact.label.text = meeting.future_contact.text

    def validate_for(self, meeting: PublicMeeting) -> bool:
        """The meeting's own rules, on top of the fields' checks: the choices asked only where
        they apply, and the registration service's rules. Every problem goes to its field (one
        message per field), so a person sees all of them on the first try."""
        found: list[tuple[str, str]] = []
        if meeting.children and not self.age_band.data:
            found.append(("age_band", "Choose your age group."))
        if meeting.recording_policy is RecordingPolicy.WITH_CONSENT and not self.recording.data:
            found.append(("recording", "Choose whether you agree to be recorded."))
        submitted = self.registration(meeting)
        found += [(p.field or "name", str(p)) for p in problems(meeting, submitted)]
        for name, message in found:
            if not self[name].errors:
                self[name].errors = [message]
        return not found

    def registration(self, meeting: PublicMeeting) -> Registration:
        if meeting.recording_policy is RecordingPolicy.REQUIRED:
            recording = bool(self.recording_required.data)
        else:
            recording = self.recording.data == "yes"
        return Registration(
            name=self.name.data or "",
            email=self.email.data or "",
            child=self.age_band.data == "child",
            guardian_name=self.guardian_name.data or "",
            guardian_email=self.guardian_email.data or "",
            accepts_code=bool(self.accept_code.data),
            recording=recording,
            future_contact=bool(self.future_contact.data),
            guardian_consents=bool(self.guardian_consent.data),
            shown=self.notices_digest.data or "",
        )


class CorrectNamesForm(FlaskForm):
    """On the private page: the names a registrant gave, to correct."""

    name = StringField(
        "Your name",
        validators=[DataRequired(message="Enter your name."), Length(max=200)],
    )
    guardian_name = StringField("Parent or guardian's name", validators=[Length(max=200)])
