"""The command line: vcsafe serve | worker | purge | create-admin | db upgrade."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any, NoReturn

import click
from flask import Flask

from vcsafe.formatting import counted
from vcsafe.settings import SettingsError

log = logging.getLogger("vcsafe")


def _app(**overrides: Any) -> Flask:
    from vcsafe.app import create_app

    try:
        return create_app({k: v for k, v in overrides.items() if v is not None})
    except SettingsError as exc:
        _fail(f"configuration error: {exc}")


def _fail(message: str) -> NoReturn:
    click.echo(f"vcsafe: {message}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """vcsafe: safe online meetings on Zoom and Microsoft Teams."""


@main.command()
@click.option("--host", help="Address to listen on (default from settings: 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default from settings: 8000).")
@click.option("--threads", default=8, show_default=True, help="Request threads.")
@click.option(
    "--demo",
    is_flag=True,
    help="Start local Zoom and Teams fakes, a fresh demo database, an admin and sample meetings.",
)
def serve(host: str | None, port: int | None, threads: int, demo: bool) -> None:
    """Run the web console and the background worker in one process (one machine)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from waitress import serve as waitress_serve

    from vcsafe.app import settings_of
    from vcsafe.jobs.worker import schedule_jobs

    overrides: dict[str, Any] = {"host": host, "port": port}
    stack = None
    if demo or _demo_from_settings():
        overrides |= _demo_overrides()
    app = _app(**overrides)
    settings = settings_of(app)
    if settings.demo:
        stack, login = _start_demo(app)
    scheduler = schedule_jobs(BackgroundScheduler(timezone="UTC"), app)
    scheduler.start()
    _print_welcome(app)
    if settings.demo:
        click.echo("Demo mode: Zoom and Teams are local fakes; the demo data is new each run.")
        click.echo(f"    Sign in as {login.email} with the password {login.password}")
    try:
        waitress_serve(app, host=settings.host, port=settings.port, threads=threads, ident="vcsafe")
    finally:
        scheduler.shutdown(wait=False)
        if stack is not None:
            stack.stop()


def _demo_from_settings() -> bool:
    from vcsafe.settings import load_settings

    try:
        return load_settings().demo
    except SettingsError as exc:
        _fail(f"configuration error: {exc}")


def _demo_overrides() -> dict[str, Any]:
    """A throw-away SQLite database beside the real one, so a demo never mixes with real data."""
    from pathlib import Path

    from vcsafe.settings import load_settings

    try:
        instance = Path(load_settings().instance_path)
    except SettingsError as exc:
        _fail(f"configuration error: {exc}")
    instance.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (instance / f"demo.db{suffix}").unlink(missing_ok=True)
    return {"demo": True, "database_url": f"sqlite:///{instance / 'demo.db'}", "auto_migrate": True}


def _start_demo(app: Flask) -> tuple[Any, Any]:
    from vcsafe.demo import DemoUnavailable, seed, start_fakes

    try:
        stack = start_fakes()
    except DemoUnavailable as exc:
        _fail(str(exc))
    try:
        return stack, seed(app, stack)
    except Exception:
        stack.stop()
        raise


@main.command()
def worker() -> None:
    """Run the background worker alone (production: one or more beside the web processes)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from vcsafe.jobs.worker import schedule_jobs

    app = _app()
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        log.info("worker: signal %d received, stopping after the current item", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    scheduler = schedule_jobs(BackgroundScheduler(timezone="UTC"), app)
    scheduler.start()
    log.info("worker: started")
    stop.wait()
    scheduler.shutdown(wait=True)
    log.info("worker: stopped")


@main.command()
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
def purge(dry_run: bool) -> None:
    """Run one cleanup now (for cron or a Kubernetes CronJob)."""
    from vcsafe.jobs.worker import plan_cleanup, run_cleanup

    app = _app()
    plan = plan_cleanup(app)
    if dry_run:
        click.echo(
            f"Would delete {counted(plan.registrants, 'registrant')} and "
            f"{counted(plan.recordings, 'recording')} across {counted(plan.meetings, 'meeting')}. "
            "Nothing was deleted."
        )
        return
    total = plan.registrants + plan.recordings
    if total and sys.stderr.isatty():
        with click.progressbar(length=total, label="Purging", file=sys.stderr) as bar:
            report = run_cleanup(app, progress=bar.update)
    else:
        report = run_cleanup(app)
    click.echo(
        f"Deleted {counted(report.registrants, 'registrant')} and "
        f"{counted(report.recordings, 'recording')}; "
        f"{report.contacts_kept} kept in the contact list with their consent; "
        f"{report.failed} failed and will be retried."
    )
    if report.failed:
        sys.exit(1)


@main.command("create-admin")
@click.option("--organisation", prompt="Organisation name", help="Name of the new organisation.")
@click.option("--email", prompt="Admin email", help="The admin's sign-in email.")
@click.option("--name", prompt="Admin name", help="The admin's name.")
@click.password_option(
    "--password",
    envvar="VCSAFE_ADMIN_PASSWORD",
    help="At least 12 characters (or set VCSAFE_ADMIN_PASSWORD; prompted if absent).",
)
def create_admin(organisation: str, email: str, name: str, password: str) -> None:
    """Create an organisation and its first admin."""
    from vcsafe.db import db
    from vcsafe.services import accounts
    from vcsafe.services.errors import DomainError

    app = _app()
    try:
        with db.begin(app) as session:
            accounts.create_organisation(
                session, organisation_name=organisation, email=email, name=name, password=password
            )
    except DomainError as exc:
        _fail(str(exc))
    click.echo(f"Created {organisation!r} with admin {email}. Sign in at the console.")


@main.command("rotate-secrets")
def rotate_secrets() -> None:
    """Re-encrypt stored secrets under the current secret key (the last step of a rotation)."""
    from vcsafe.app import secrets_of
    from vcsafe.db import db
    from vcsafe.services.secret_rotation import rotate_secrets as rotate

    app = _app()
    try:
        with db.begin(app) as session:
            count = rotate(session, secrets_of(app))
    except ValueError as exc:
        _fail(str(exc))
    click.echo(
        f"{counted(count, 'secret is', 'secrets are')} now encrypted under the current key; "
        "the old key can be removed from VCSAFE_PREVIOUS_SECRET_KEYS."
    )


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Upgrade the database schema to the newest version."""
    from vcsafe.app import settings_of
    from vcsafe.migrate import upgrade

    app = _app(auto_migrate=False)
    settings = settings_of(app)
    upgrade(settings.database_url, secret_key=settings.secret_key)
    click.echo("The database schema is up to date.")


def _print_welcome(app: Flask) -> None:
    from sqlalchemy import func, select

    from vcsafe.app import settings_of
    from vcsafe.db import db
    from vcsafe.models import User

    settings = settings_of(app)
    with db.begin(app) as session:
        users = session.scalar(select(func.count(User.id))) or 0
    click.echo(f"vcsafe is serving the console at {settings.base_url}/")
    if not users and not settings.demo:
        click.echo("No one can sign in yet. In another terminal, create the first admin:")
        click.echo("    .venv/bin/vcsafe create-admin")
