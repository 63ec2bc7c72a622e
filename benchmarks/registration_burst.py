"""A registration rush: 5,000 registration POSTs as fast as 16 client threads can send them, on
gunicorn (2 workers) + PostgreSQL, next to a bare Flask endpoint doing one INSERT on the same
stack. Every registration must be stored (lost = 0).

Usage: python benchmarks/registration_burst.py [--quick]
Last line: JSON with registrations_per_s, baseline_per_s, ratio_to_baseline, p99_ms, lost.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import func, insert, select
from stack import ROOT, app_env, csrf_from, free_port, gunicorn, pg_schema, summary

sys.path.insert(0, str(ROOT))

from baseline_app import create_table

from vcsafe.db import make_engine
from vcsafe.models import (
    Meeting,
    MeetingState,
    Organisation,
    Registrant,
    utcnow,
)

CLIENTS = 16
# Both apps run as 2 gunicorn workers with this many threads each, on the same PostgreSQL.
THREADS = 4


def seed(url: str, capacity: int) -> str:
    engine = make_engine(url)
    now = utcnow()
    slug = secrets.token_urlsafe(16)
    with engine.begin() as c:
        org = c.execute(
            insert(Organisation)
            .values(
                name="Burst Trust",
                incident_contact="",
                age_threshold=13,
                max_registrant_retention_days=90,
                created_at=now,
            )
            .returning(Organisation.id)
        ).scalar_one()
        c.execute(
            insert(Meeting).values(
                organisation_id=org,
                title="The popular talk",
                starts_at=now + timedelta(days=3),
                duration_minutes=60,
                timezone="UTC",
                capacity=capacity,
                audience="adults",
                recording_policy="consent",
                registrant_retention_days=0,
                recording_retention_days=30,
                offer_future_contact=True,
                public_slug=slug,
                state=MeetingState.DRAFT,
                safety_settings={},
                join_url="",
                provider_error="",
                drift=[],
                legal_hold=False,
                legal_hold_reason="",
                created_at=now,
                updated_at=now,
            )
        )
    engine.dispose()
    return slug


def burst(
    total: int,
    send: Callable[[requests.Session, int], int],
    prepare: Callable[[requests.Session], None],
) -> tuple[float, list[float], int]:
    """Send `total` requests from CLIENTS threads; returns (seconds, latencies ms, successes)."""
    sessions = [requests.Session() for _ in range(CLIENTS)]
    for s in sessions:
        prepare(s)
    counter = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    ok = 0

    def worker(s: requests.Session) -> None:
        nonlocal ok
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            t0 = time.perf_counter()
            status = send(s, n)
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(elapsed)
                ok += status

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(worker, sessions))
    return time.perf_counter() - started, latencies, ok


def run_registrations(url: str, total: int) -> dict[str, float]:
    slug = seed(url, capacity=total + 100)
    with (
        tempfile.TemporaryDirectory() as instance,
        gunicorn(
            app_env(
                url,
                Path(instance),
                registration_limit_per_address="100000 per minute",
                registration_limit_per_meeting="100000 per minute",
                redis_url="redis://127.0.0.1:6379/0",
            ),
            workers=2,
            threads=THREADS,
        ) as server,
    ):
        page = f"{server.base_url}/m/{slug}"
        tokens: dict[int, str] = {}

        def prepare(s: requests.Session) -> None:
            tokens[id(s)] = csrf_from(s.get(page, timeout=30).text)

        def send(s: requests.Session, n: int) -> int:
            answer = s.post(
                page,
                data={
                    "name": f"Person {n}",
                    "email": f"person{n}@burst.example",
                    "accept_code": "y",
                    "recording": "yes" if n % 7 else "no",
                    "csrf_token": tokens[id(s)],
                },
                allow_redirects=False,
                timeout=60,
            )
            return int(answer.status_code == 302)

        seconds, latencies, ok = burst(total, send, prepare)
        rss = server.rss_mb()
    engine = make_engine(url)
    with engine.connect() as c:
        stored = c.execute(select(func.count(Registrant.id))).scalar_one()
    engine.dispose()
    return {"seconds": seconds, "ok": ok, "stored": stored, "rss_mb": rss, **summary(latencies)}


def run_baseline(url: str, total: int) -> dict[str, float]:
    create_table(url)
    port = free_port()
    env = app_env(url, Path(tempfile.gettempdir()))
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--threads",
            str(THREADS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "baseline_app:create()",
        ],
        env=env,
        cwd=ROOT / "benchmarks",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # as long as stack.gunicorn() waits for vcsafe
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("the baseline app did not start")

        def send(s: requests.Session, n: int) -> int:
            answer = s.post(
                f"{base}/insert",
                data={"name": f"Person {n}", "email": f"person{n}@burst.example"},
                timeout=60,
            )
            return int(answer.status_code == 204)

        seconds, latencies, ok = burst(total, send, lambda s: None)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    return {"seconds": seconds, "ok": ok, **summary(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1,000 registrations")
    args = parser.parse_args()
    total = 1_000 if args.quick else 5_000
    with pg_schema() as url:
        baseline = run_baseline(url, total)
        print(
            f"baseline: {total / baseline['seconds']:.0f}/s p99 {baseline['p99_ms']} ms", flush=True
        )
        reg = run_registrations(url, total)
        print(f"registrations: {total / reg['seconds']:.0f}/s p99 {reg['p99_ms']} ms", flush=True)
    per_s = total / reg["seconds"]
    base_per_s = total / baseline["seconds"]
    print(
        json.dumps(
            {
                "registrations": total,
                "registrations_per_s": round(per_s, 1),
                "baseline_per_s": round(base_per_s, 1),
                "ratio_to_baseline": round(per_s / base_per_s, 3),
                "p50_ms": reg["p50_ms"],
                "p99_ms": reg["p99_ms"],
                "baseline_p99_ms": baseline["p99_ms"],
                "lost": int(total - reg["stored"]),
                "accepted": int(reg["ok"]),
                "errors": int(total - reg["ok"]),
                "stored": int(reg["stored"]),
                "peak_rss_mb": round(reg["rss_mb"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
