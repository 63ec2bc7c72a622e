"""Console forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from vcsafe.models import Role
from vcsafe.services.accounts import MIN_PASSWORD_LENGTH

ROLE_CHOICES = [
    SelectChoice(Role.ORGANISER.value, "Organiser"),
    SelectChoice(Role.ADMIN.value, "Admin"),
]
PASSWORD_LENGTH = Length(
    min=MIN_PASSWORD_LENGTH,
    max=200,
    message=f"Use at least {MIN_PASSWORD_LENGTH} characters (and at most 200).",
)


class SignInForm(FlaskForm):
    email = EmailField(
        "Email", validators=[DataRequired("Enter your email address."), Length(max=320)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=200)]
    )


class SignOutForm(FlaskForm):
    """Only a CSRF token: signing out is a POST so other sites cannot sign people out."""


class AddUserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter their name."), Length(max=200)])
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter their email address."),
            Email("Enter an email address like name@example.org."),
            Length(max=320),
        ],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.ORGANISER.value)
    password = PasswordField(
        "First password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Ask them to change it.",
        validators=[DataRequired("Give them a first password."), PASSWORD_LENGTH],
    )


class EditUserForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("May sign in")


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=200)],
    )
    new = PasswordField(
        "New password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        validators=[DataRequired("Enter a new password."), PASSWORD_LENGTH],
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Enter the new password again."),
            EqualTo("new", message="The two new passwords differ."),
        ],
    )


class ConnectAccountForm(FlaskForm):
    kind = SelectField(
        "Provider",
        choices=[SelectChoice("zoom", "Zoom"), SelectChoice("teams", "Microsoft Teams")],
    )
    label = StringField(
        "Name in vcsafe",
        description="For example “Events Zoom”. Shown when planning a meeting.",
        validators=[DataRequired("Give the account a name."), Length(max=100)],
    )
    tenant = StringField(
        "Zoom account ID or Microsoft tenant ID",
        description="Zoom: the Server-to-Server OAuth app's Account ID. "
        "Teams: the Directory (tenant) ID of the app registration.",
        validators=[DataRequired("Enter the account or tenant ID."), Length(max=200)],
    )
    client_id = StringField(
        "Client ID", validators=[DataRequired("Enter the client ID."), Length(max=200)]
    )
    client_secret = PasswordField(
        "Client secret",
        description="Stored encrypted. vcsafe never shows it again.",
        validators=[DataRequired("Enter the client secret."), Length(max=500)],
    )
    host_user = StringField(
        "Host user",
        description="Zoom: the host's user ID or email, or “me”. "
        "Teams: the organiser's user ID (object ID) in Microsoft Entra.",
        validators=[DataRequired("Enter the host user."), Length(max=200)],
        default="me",
    )
    webhook_secret = PasswordField(
        "Webhook secret (optional)",
        description="Zoom: the app's webhook Secret Token. Teams: any long random text "
        "(used as the notifications' clientState). Stored encrypted.",
        validators=[Length(max=500)],
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: only a CSRF token."""


class PersonRequestForm(FlaskForm):
    """An admin looking up what is held under one email address (a person's request)."""

    email = EmailField(
        "Their email address",
        description="As they registered with it, or as a child's parent or guardian.",
        validators=[
            DataRequired("Enter the email address the request is about."),
            Email("Enter an email address like name@example.org."),
            Length(max=320),
        ],
    )
    checked = BooleanField(
        "I have checked that the request comes from the person who uses this address"
    )
