"""The command line, run as an operator runs it: real processes, real database."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import TEST_SECRET_KEY
from vcsafe.models import Role, User, utcnow

VCSAFE = str(Path(sys.executable).parent / "vcsafe")


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VCSAFE_")}
    env.update({f"VCSAFE_{k.upper()}": v for k, v in settings.items()})
    return env


def run(*args: str, input: str | None = None, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [VCSAFE, *args],
        env=_env(**settings),
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def db_settings(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "database_url": database_url,
        "secret_key": TEST_SECRET_KEY,
        "instance_path": str(tmp_path / "instance"),
    }


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "worker", "purge", "create-admin", "db"):
        assert command in result.stdout


def test_create_admin_then_sign_in_works(db_settings: dict[str, str], session: Session) -> None:
    result = run(
        "create-admin",
        "--organisation",
        "Riverside Library",
        "--email",
        "ada@riverside.example",
        "--name",
        "Ada",
        admin_password="a strong first password",
        **db_settings,
    )
    assert result.returncode == 0, result.stderr
    user = session.scalar(select(User).where(User.email == "ada@riverside.example"))
    assert user is not None
    assert user.role is Role.ADMIN and user.organisation.name == "Riverside Library"


def test_create_admin_refuses_a_weak_password(db_settings: dict[str, str]) -> None:
    result = run(
        "create-admin",
        "--organisation",
        "X",
        "--email",
        "x@x.example",
        "--name",
        "X",
        admin_password="short",
        **db_settings,
    )
    assert result.returncode == 2
    assert "at least 12 characters" in result.stderr


def test_invalid_setting_is_one_clear_line(db_settings: dict[str, str]) -> None:
    result = run("purge", **db_settings, port="eighty")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "vcsafe: configuration error: VCSAFE_PORT must be a whole number, not 'eighty'"
    )


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = run("db", "upgrade", database_url=url, instance_path=str(tmp_path))
    assert result.returncode == 0, result.stderr
    import sqlite3

    tables = {
        row[0]
        for row in sqlite3.connect(tmp_path / "fresh.db").execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    assert {"organisation", "user_account", "meeting", "registrant", "consent_record"} <= tables


def test_purge_dry_run_reports_what_is_due(db_settings: dict[str, str], session: Session) -> None:
    org = factories.organisation(session)
    meeting = factories.meeting(session, org)
    factories.registrant(session, meeting, purge_due_at=utcnow() - timedelta(hours=1))
    factories.registrant(session, meeting, purge_due_at=utcnow() + timedelta(days=3))
    session.commit()
    result = run("purge", "--dry-run", **db_settings)
    assert result.returncode == 0, result.stderr
    assert "Would delete 1 registrant and 0 recordings across 1 meeting." in result.stdout


def test_worker_starts_and_stops_cleanly(db_settings: dict[str, str]) -> None:
    process = subprocess.Popen(
        [VCSAFE, "worker"],
        env=_env(**db_settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = _drain(process)
    # Generous limits: on a loaded machine the jobs that run at start-up can take seconds, and
    # SIGTERM waits for them. A passing run takes about two seconds either way.
    try:
        started = _wait_for_line(output, "worker: started", timeout=60)
        assert started, "the worker did not start:\n" + "".join(output.lines)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, "".join(output.lines)
        assert _wait_for_line(output, "worker: stopped"), "".join(output.lines)
    finally:
        process.kill()


@dataclass
class _Output:
    """A child's output lines as they come, and whether its stream has ended."""

    lines: list[str] = field(default_factory=list)
    ended: threading.Event = field(default_factory=threading.Event)


def _drain(process: subprocess.Popen[str]) -> _Output:
    """Read a child's output as it comes, so a full pipe never blocks it."""
    output = _Output()
    assert process.stdout is not None
    stream = process.stdout

    def read() -> None:
        output.lines.extend(iter(stream.readline, ""))
        output.ended.set()

    threading.Thread(target=read, daemon=True).start()
    return output


def _wait_for_line(output: _Output, needle: str, timeout: float = 20) -> bool:
    """Whether `needle` appears in the output within `timeout`; once the stream has ended
    (the child exited) and every line is read, the answer is known at once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ended = output.ended.is_set()  # before reading the lines: none can come after it
        if any(needle in line for line in list(output.lines)):
            return True
        if ended:
            return False
        time.sleep(0.05)
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(
    tmp_path: Path, *args: str
) -> Iterator[tuple[str, dict[str, str], subprocess.Popen[str]]]:
    """`vcsafe serve` on a fresh instance folder, as a newcomer runs it."""
    port = _free_port()
    settings = {"instance_path": str(tmp_path / "instance"), "port": str(port)}
    process = subprocess.Popen(
        [VCSAFE, "serve", *args],
        env=_env(**settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _drain(process)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail("vcsafe serve did not answer within 30 s")
        yield base, settings, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], subprocess.Popen[str]]]:
    """The embedded default: SQLite in the instance folder, the worker in the same process."""
    with _serving(tmp_path) as running:
        yield running


def test_serve_on_a_fresh_machine_then_sign_in(
    served: tuple[str, dict[str, str], subprocess.Popen[str]],
) -> None:
    base, settings, _process = served
    assert requests.get(f"{base}/healthz", timeout=5).json()["database"] is True
    created = run(
        "create-admin",
        "--organisation",
        "Town Choir",
        "--email",
        "conductor@choir.example",
        "--name",
        "Conductor",
        admin_password="sing loud and clear",
        **settings,
    )
    assert created.returncode == 0, created.stderr

    browser = requests.Session()
    page = browser.get(f"{base}/sign-in", timeout=5).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    response = browser.post(
        f"{base}/sign-in",
        data={
            "email": "conductor@choir.example",
            "password": "sing loud and clear",
            "csrf_token": token.group(1),
        },
        timeout=10,
    )
    assert response.url == f"{base}/console/"
    assert "Town Choir" in response.text
    assert (Path(settings["instance_path"]) / "vcsafe.db").exists()
    assert (Path(settings["instance_path"]) / "secret_key").exists()


def test_demo_registrant_has_their_email_within_seconds(tmp_path: Path) -> None:
    """In the embedded default the worker runs in the web process; a person who registers
    finds their confirmation (written to the mail folder in the demo) seconds later."""
    with _serving(tmp_path, "--demo") as (base, settings, _process):
        instance = Path(settings["instance_path"])
        with sqlite3.connect(instance / "demo.db") as database:
            (slug,) = database.execute("SELECT public_slug FROM meeting LIMIT 1").fetchone()
        visitor = requests.Session()
        page = visitor.get(f"{base}/m/{slug}", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token
        answer = visitor.post(
            f"{base}/m/{slug}",
            data={
                "name": "Grace Hopper",
                "email": "grace@example.org",
                "accept_code": "y",
                "recording": "no",
                "csrf_token": token.group(1),
            },
            timeout=10,
        )
        assert answer.url == f"{base}/m/{slug}/registered", "the registration was refused"
        registered = time.monotonic()
        folder = instance / "mail"
        while time.monotonic() - registered < 10:
            if folder.is_dir() and any(
                "grace@example.org" in p.read_text(errors="replace") for p in folder.iterdir()
            ):
                break
            time.sleep(0.2)
        else:
            pytest.fail("no confirmation email for the new registrant within 10 s")


def test_rotating_the_secret_key_keeps_secrets_readable(
    db_settings: dict[str, str], session: Session
) -> None:
    from vcsafe.crypto import SecretsBox
    from vcsafe.models import OutboundEmail

    org = factories.organisation(session)
    account = factories.provider_account(session, org)  # encrypted under TEST_SECRET_KEY
    waiting = OutboundEmail(
        organisation_id=org.id,
        kind="confirmation",
        to_address="ada@example.org",
        subject="You are registered",
        body_encrypted=factories.BOX.encrypt("Your private link: /manage/abc"),
    )
    session.add(waiting)
    session.commit()
    new_key = "a-brand-new-secret-key-of-enough-length-0123456789"
    # With only the new key, the old secret cannot be read: the error says what to do.
    failed = run("rotate-secrets", **(db_settings | {"secret_key": new_key}))
    assert failed.returncode == 2
    assert "previous_secret_keys" in failed.stderr
    # Listing the old key lets the rotation re-encrypt everything under the new one.
    done = run(
        "rotate-secrets",
        **(db_settings | {"secret_key": new_key, "previous_secret_keys": TEST_SECRET_KEY}),
    )
    assert done.returncode == 0, done.stderr
    # The provider's secret, and the body of the email waiting to be sent.
    assert "2 secrets are now encrypted under the current key" in done.stdout
    session.expire_all()
    stored = session.get(type(account), account.id)
    assert stored is not None
    assert SecretsBox(new_key).decrypt(stored.client_secret_encrypted) == "not-a-real-secret"
    email = session.get(OutboundEmail, waiting.id)
    assert email is not None and email.body_encrypted is not None
    assert SecretsBox(new_key).decrypt(email.body_encrypted) == "Your private link: /manage/abc"
