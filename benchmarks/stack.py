"""What every benchmark shares: a fresh PostgreSQL schema, gunicorn serving vcsafe, a signed-in
client, and latency statistics. Each benchmark starts and stops its own stack."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vcsafe.db import make_engine
from vcsafe.migrate import upgrade

PG_URL = os.environ.get(
    "VCSAFE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET_KEY = "benchmark-secret-key-" + "x" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def pg_schema() -> Iterator[str]:
    """A new PostgreSQL schema with vcsafe's tables; dropped afterwards. Yields its URL."""
    schema = f"vcsafe_bench_{secrets.token_hex(4)}"
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def app_env(database_url: str, instance: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VCSAFE_")}
    env.update(
        {
            "VCSAFE_DATABASE_URL": database_url,
            "VCSAFE_SECRET_KEY": SECRET_KEY,
            "VCSAFE_INSTANCE_PATH": str(instance),
            "VCSAFE_LOG_LEVEL": "WARNING",
        }
    )
    env.update({f"VCSAFE_{k.upper()}": v for k, v in settings.items()})
    return env


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]

    def rss_mb(self) -> float:
        """Resident memory of gunicorn's master and workers, in MB."""
        total = 0
        pids = [self.process.pid, *_children(self.process.pid)]
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except FileNotFoundError:
                pass
        return total / 1024


def _children(pid: int) -> list[int]:
    try:
        out = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(p) for p in out]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, threads: int = 1) -> Iterator[Server]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "vcsafe.app:create_app()",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:  # not listening yet, or a slow first answer
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield Server(base, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def csrf_from(page: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "no CSRF token"
    return match.group(1)


def signed_in(base: str, email: str, password: str) -> requests.Session:
    client = requests.Session()
    token = csrf_from(client.get(f"{base}/sign-in", timeout=10).text)
    answer = client.post(
        f"{base}/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        timeout=10,
    )
    assert answer.url.endswith("/console/"), "sign-in failed"
    return client


def percentile(samples: list[float], pct: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(samples_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples_ms, 50), 1),
        "p95_ms": round(percentile(samples_ms, 95), 1),
        "p99_ms": round(percentile(samples_ms, 99), 1),
        "mean_ms": round(statistics.fmean(samples_ms), 1) if samples_ms else 0.0,
    }
