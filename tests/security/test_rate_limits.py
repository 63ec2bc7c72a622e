"""Rate limits count each visitor, also behind a proxy, and a flood is refused clearly."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import app_overrides, csrf_token
from tests.factories import TEST_SECRET_KEY
from vcsafe.app import create_app
from vcsafe.models import Meeting, Registrant


def _post(client: FlaskClient, meeting: Meeting, n: int, token: str, forwarded: str) -> int:
    return client.post(
        f"/m/{meeting.public_slug}",
        data={
            "name": f"Person {n}",
            "email": f"p{n}@example.org",
            "accept_code": "y",
            "recording": "yes",
            "csrf_token": token,
        },
        headers={"X-Forwarded-For": forwarded},
    ).status_code


def test_behind_a_proxy_each_visitor_has_their_own_limit(
    database_url: str,
    tmp_path: Path,
    session: Session,
    public_meeting: Meeting,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    public_meeting.capacity = 1000
    session.commit()
    app = create_app(app_overrides(database_url, tmp_path / "proxied", proxy_hops=1))
    client = app.test_client()
    token = csrf_token(client, f"/m/{public_meeting.public_slug}")
    # 40 people behind the same proxy, each from their own address: all registered.
    statuses = [_post(client, public_meeting, n, token, f"198.51.100.{n}") for n in range(40)]
    assert statuses == [302] * 40
    # One address sending many: refused after 30 a minute, with a clear answer.
    flood = [_post(client, public_meeting, 100 + n, token, "203.0.113.7") for n in range(35)]
    assert flood[:30] == [302] * 30 and set(flood[30:]) == {429}
    assert session.scalar(select(func.count(Registrant.id))) == 70
    # The refusals are logged (by Flask-Limiter), naming the visitor only by a keyed hash.
    assert "exceeded at endpoint" in caplog.text
    assert "203.0.113.7" not in caplog.text


def test_without_the_setting_forwarded_headers_are_not_believed(
    client: FlaskClient, session: Session, public_meeting: Meeting
) -> None:
    public_meeting.capacity = 1000
    session.commit()
    token = csrf_token(client, f"/m/{public_meeting.public_slug}")
    # Anyone can write X-Forwarded-For: with no proxy configured it changes nothing.
    statuses = [_post(client, public_meeting, n, token, f"198.51.100.{n}") for n in range(35)]
    assert statuses[:30] == [302] * 30 and set(statuses[30:]) == {429}


def test_with_redis_the_limit_is_shared_by_every_process(
    database_url: str, tmp_path: Path, session: Session, public_meeting: Meeting
) -> None:
    """gunicorn with two worker processes: with Redis configured, one address gets 30 a
    minute in all, whichever process answers (in memory, each process would count alone)."""
    import random
    import signal
    import socket
    import subprocess
    import sys
    import time

    import redis
    import requests

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.RedisError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    public_meeting.capacity = 1000
    session.commit()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VCSAFE_")} | {
        "VCSAFE_DATABASE_URL": database_url,
        "VCSAFE_SECRET_KEY": TEST_SECRET_KEY,
        "VCSAFE_INSTANCE_PATH": str(tmp_path / "gunicorn"),
        "VCSAFE_PROXY_HOPS": "1",
        "VCSAFE_REDIS_URL": "redis://127.0.0.1:6379/0",
        "VCSAFE_LOG_LEVEL": "WARNING",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "vcsafe.app:create_app()"], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        address = f"192.0.2.{random.randint(1, 254)}"  # not counted by an earlier run
        url = f"{base}/m/{public_meeting.public_slug}"
        statuses = []
        for n in range(35):
            browser = requests.Session()  # a new connection: either process may answer
            page = browser.get(url, timeout=10).text
            token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            statuses.append(
                browser.post(
                    url,
                    data={
                        "name": f"P {n}",
                        "email": f"r{n}@example.org",
                        "accept_code": "y",
                        "recording": "yes",
                        "csrf_token": token,
                    },
                    headers={"X-Forwarded-For": address},
                    allow_redirects=False,
                    timeout=10,
                ).status_code
            )
        counters = [k.decode() for k in redis.Redis.from_url(env["VCSAFE_REDIS_URL"]).keys("*")]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert statuses.count(302) == 30 and statuses.count(429) == 5
    # The shared counters name the visitor only by a keyed hash, never by their address.
    assert any("LIMITER" in k for k in counters)
    assert not [k for k in counters if address in k]
