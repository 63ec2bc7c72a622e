"""The application factory: the one place where vcsafe is wired together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from flask import Flask, redirect, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from vcsafe import errors, headers, input_guard
from vcsafe.crypto import SecretsBox
from vcsafe.db import db
from vcsafe.extensions import csrf, limiter, login_manager
from vcsafe.formatting import counted, iso_in_zone, local_time, local_time_of
from vcsafe.mailer import FolderMailer, Mailer, mailer_for
from vcsafe.models import Meeting, ProviderAccount
from vcsafe.providers.base import MeetingProvider
from vcsafe.providers.http import RetryPolicy
from vcsafe.providers.registry import ProviderRegistry
from vcsafe.services.provider_accounts import ProviderFor, credentials_of
from vcsafe.settings import PROJECT_ROOT, Settings, load_settings


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build a vcsafe app from config/default.toml, VCSAFE_* variables and `overrides`."""
    settings = load_settings(overrides)
    app = Flask(
        "vcsafe",
        instance_path=settings.instance_path,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    # "/console/meetings/" finds the same page as "/console/meetings", as people type it.
    app.url_map.strict_slashes = False
    _configure(app, settings)
    _configure_logging(settings)
    if settings.proxy_hops:
        # Behind a proxy: the visitor's address (rate limits) and scheme come from its headers.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    db.init_app(app, settings.database_url)
    if settings.auto_migrate:
        from vcsafe.migrate import upgrade

        upgrade(settings.database_url, secret_key=settings.secret_key)

    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    _init_providers(app)
    headers.init_app(app, https=settings.https)
    input_guard.init_app(app)
    errors.init_app(app)

    from vcsafe.console import (
        accounts,
        auth,
        codes,
        consent_export,
        incidents,
        mail,
        meeting_actions,
        meetings,
        organisation,
        person_requests,
        retention,
        users,
        views,
    )
    from vcsafe.health import bp as health_bp
    from vcsafe.public import contacts, manage, registration
    from vcsafe.webhooks import receivers

    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(users.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(meeting_actions.bp)
    app.register_blueprint(consent_export.bp)
    app.register_blueprint(codes.bp)
    app.register_blueprint(incidents.bp)
    app.register_blueprint(mail.bp)
    app.register_blueprint(organisation.bp)
    app.register_blueprint(retention.bp)
    app.register_blueprint(person_requests.bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(registration.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(contacts.bp)
    app.register_blueprint(receivers.bp)

    @app.get("/")
    def index() -> Response:
        return redirect(url_for("console.dashboard"))

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"demo_mode": settings.demo, "registration_url": _registration_url}

    def _registration_url(meeting: Meeting) -> str:
        return f"{settings.base_url}/m/{meeting.public_slug}"

    app.add_template_filter(local_time)
    app.add_template_filter(local_time_of)
    app.add_template_filter(iso_in_zone)
    app.add_template_filter(counted)

    return app


def settings_of(app: Flask) -> Settings:
    """The validated settings an app was built with."""
    settings: Settings = app.extensions["vcsafe.settings"]
    return settings


def secrets_of(app: Flask) -> SecretsBox:
    """The box that encrypts and decrypts secrets at rest."""
    box: SecretsBox = app.extensions["vcsafe.secrets"]
    return box


def providers_of(app: Flask) -> ProviderFor:
    """The adapter for a connected account, built once and reused."""
    provider_for: ProviderFor = app.extensions["vcsafe.provider_for"]
    return provider_for


def interactive_providers_of(app: Flask) -> ProviderFor:
    """Adapters for calls a person waits on: fewer retries, a short total time."""
    provider_for: ProviderFor = app.extensions["vcsafe.provider_for_interactive"]
    return provider_for


def mailer_of(app: Flask) -> Mailer:
    mailer: Mailer = app.extensions["vcsafe.mailer"]
    return mailer


def mail_eraser_of(app: Flask) -> Callable[[int], int] | None:
    """Deletes a registrant's emails from the mail folder (embedded default), if one is used."""
    mailer = mailer_of(app)
    return mailer.delete_for_registrant if isinstance(mailer, FolderMailer) else None


def _init_providers(app: Flask) -> None:
    box = secrets_of(app)
    settings = settings_of(app)
    # Background work may wait out an outage; a page a person is looking at may not.
    patient_policy = RetryPolicy(
        max_attempts=settings.provider_max_attempts,
        base_delay=settings.provider_backoff_seconds,
        total_seconds=settings.provider_total_seconds,
    )
    timeout = (5.0, settings.provider_read_timeout_seconds)
    patient = ProviderRegistry(patient_policy, timeout)
    interactive = ProviderRegistry(
        replace(
            patient_policy,
            max_attempts=min(2, patient_policy.max_attempts),
            total_seconds=min(8.0, patient_policy.total_seconds),
        ),
        timeout,
    )

    def provider_for(account: ProviderAccount) -> MeetingProvider:
        return patient.get(account.id, account.kind.value, credentials_of(account, box))

    def interactive_for(account: ProviderAccount) -> MeetingProvider:
        return interactive.get(account.id, account.kind.value, credentials_of(account, box))

    app.extensions["vcsafe.providers"] = (patient, interactive)
    app.extensions["vcsafe.provider_for"] = provider_for
    app.extensions["vcsafe.provider_for_interactive"] = interactive_for


def _configure(app: Flask, settings: Settings) -> None:
    app.extensions["vcsafe.settings"] = settings
    app.extensions["vcsafe.mailer"] = mailer_for(settings)
    app.extensions["vcsafe.secrets"] = SecretsBox(
        settings.secret_key, settings.previous_secret_keys
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="vcsafe_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        # A console session ends after this long without a request (console/auth.py).
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.https,
        PREFERRED_URL_SCHEME="https" if settings.https else "http",
        MAX_CONTENT_LENGTH=1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=settings.https,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=False,  # errors.py: Retry-After on refusals only
        RATELIMIT_KEY_PREFIX="vcsafe",
        LOGIN_ATTEMPTS_LIMIT=settings.login_attempts_limit,
        REGISTRATION_LIMIT_PER_ADDRESS=settings.registration_limit_per_address,
        REGISTRATION_LIMIT_PER_MEETING=settings.registration_limit_per_meeting,
    )


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("vcsafe").setLevel(settings.log_level.upper())
    # Libraries' routine chatter (every migration plugin, every scheduler tick) stays quiet,
    # and at any level vcsafe runs at, none may log what would carry personal data or
    # secrets: SQL parameters (sqlalchemy.engine), request URLs and bodies (urllib3, msal,
    # werkzeug's request lines with private links).
    for noisy in ("alembic", "apscheduler", "sqlalchemy", "urllib3", "msal", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _init_login(app: Flask) -> None:
    from vcsafe.models import User

    # Templates get the lazy proxy, not the user loaded for every render (Flask-Login's own
    # context processor): base.html asks only a session that has signed in. Asking an
    # anonymous one holding a CSRF token would trip the strong session protection below,
    # which rewrites the visitor's cookie and deletes a remember-me cookie vcsafe never sets.
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(session_id: str) -> User | None:
        user_id, _, generation = session_id.partition(":")
        if not user_id.isdigit() or not generation.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_generation != int(generation):
            return None
        return user
