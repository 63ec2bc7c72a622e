"""A sustained mix for a long while: public page views, registrations, console use and the
purge running, on gunicorn (2 workers) + PostgreSQL + one `vcsafe worker`, with Zoom played by
the local fake. Reports throughput, p50/p99 latency, errors and memory over time, and draws
latency and memory over time into a PNG.

Usage: python benchmarks/soak.py [--quick] [--minutes N] [--plot PATH]
Last line of output: JSON with requests, errors, p50_ms, p99_ms, peak_rss_mb (and more).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stack import ROOT, SECRET_KEY, Server, app_env, gunicorn, percentile, pg_schema, signed_in

sys.path.insert(0, str(ROOT))

from tests.fakes.zoom import ZoomFake
from vcsafe.crypto import SecretsBox, hash_password
from vcsafe.db import make_engine
from vcsafe.models import (
    Audience,
    CodeOfConduct,
    CodeOfConductVersion,
    DeletionReceipt,
    Meeting,
    Organisation,
    ProviderAccount,
    ProviderKind,
    RecordingPolicy,
    Registrant,
    Role,
    User,
    utcnow,
)
from vcsafe.providers.registry import build_provider
from vcsafe.services import lifecycle, meetings

PASSWORD = "soak test password 1"
CLIENTS = 8
THINK_SECONDS = 0.1
SAMPLE_SECONDS = 5.0
#: A meeting ends this often (its registrants then become due for the purge).
END_EVERY_SECONDS = 20.0
#: What the clients do, by weight.
MIX = {"view": 55, "register": 20, "meeting_list": 10, "meeting_page": 10, "dashboard": 5}


@dataclass
class Stats:
    """Latencies and errors, for the whole run and per sampling window."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    window: list[float] = field(default_factory=list)
    errors: int = 0
    window_errors: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    error_kinds: dict[str, int] = field(default_factory=dict)
    registered: int = 0

    def record(self, kind: str, ms: float, failure: str) -> None:
        """One request of `kind`; `failure` says what went wrong ("" when nothing did)."""
        with self.lock:
            self.latencies.append(ms)
            self.window.append(ms)
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
            if failure:
                self.errors += 1
                self.window_errors += 1
                key = f"{kind}: {failure}"
                self.error_kinds[key] = self.error_kinds.get(key, 0) + 1

    def take_window(self) -> tuple[list[float], int]:
        with self.lock:
            window, errors = self.window, self.window_errors
            self.window, self.window_errors = [], 0
        return window, errors


def seed(url: str, zoom: ZoomFake, meetings_count: int) -> tuple[str, list[tuple[int, str]]]:
    """An organisation, its admin, a Zoom account on the fake and upcoming meetings created
    there through the planning service. Returns the admin's email and (id, slug) per meeting."""
    engine = make_engine(url)
    box = SecretsBox(SECRET_KEY)
    creds = zoom.provision_account()
    provider = build_provider("zoom", creds)
    with Session(engine) as s:
        org = Organisation(name="Soak Trust", incident_contact="safe@soak.example")
        s.add(org)
        s.flush()
        admin = User(
            organisation_id=org.id,
            email="admin@soak.example",
            name="Admin",
            password_hash=hash_password(PASSWORD),
            role=Role.ADMIN,
        )
        account = ProviderAccount(
            organisation_id=org.id,
            kind=ProviderKind.ZOOM,
            label="Soak Zoom",
            tenant=creds.tenant,
            client_id=creds.client_id,
            client_secret_encrypted=box.encrypt(creds.client_secret),
            host_user=creds.host_user,
            api_base_url=creds.api_base_url,
            auth_base_url=creds.auth_base_url,
        )
        code = CodeOfConduct(organisation_id=org.id, title="Community code")
        s.add_all([admin, account, code])
        s.flush()
        text = "Be kind. No harassment. Follow the host."
        version = CodeOfConductVersion(
            code_of_conduct_id=code.id,
            number=1,
            body=text,
            sha256=CodeOfConductVersion.hash_text(text),
        )
        s.add(version)
        s.flush()
        made = []
        for n in range(meetings_count):
            starts = (utcnow() + timedelta(days=2, hours=n)).replace(
                tzinfo=None, second=0, microsecond=0
            )
            meeting = meetings.plan_meeting(
                s,
                org,
                meetings.MeetingChoices(
                    title=f"Soak talk {n}",
                    provider_account_id=account.id,
                    starts_local=starts,
                    timezone="UTC",
                    duration_minutes=60,
                    capacity=100_000,
                    audience=Audience.ADULTS,
                    recording_policy=RecordingPolicy.WITH_CONSENT,
                    code_of_conduct_version_id=version.id,
                    registrant_retention_days=0,
                    recording_retention_days=30,
                    offer_future_contact=False,
                ),
                provider_for=lambda _account: provider,
                box=box,
                actor=admin,
                now=utcnow(),
            )
            made.append((meeting.id, meeting.public_slug))
        s.commit()
    engine.dispose()
    return "admin@soak.example", made


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def client_loop(
    base: str,
    open_meetings: list[tuple[int, str]],
    lock: threading.Lock,
    stats: Stats,
    stop: threading.Event,
    seed_n: int,
) -> None:
    rng = random.Random(seed_n)
    console = signed_in(base, "admin@soak.example", PASSWORD)
    public = requests.Session()
    token = ""
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    n = 0
    while not stop.is_set():
        with lock:
            meeting_id, slug = rng.choice(open_meetings)
        kind = rng.choices(kinds, weights)[0]
        if kind == "register" and not token:
            kind = "view"  # a form's token comes with a view of the page
        started = time.perf_counter()
        answer = None
        try:
            if kind == "view":
                answer = public.get(f"{base}/m/{slug}", timeout=30)
                ok = answer.status_code == 200
                if ok and not token:
                    found = re.search(
                        r'name="csrf_token" type="hidden" value="([^"]+)"', answer.text
                    )
                    token = found.group(1) if found else ""
            elif kind == "register":
                answer = public.post(
                    f"{base}/m/{slug}",
                    data={
                        "name": f"Soak person {seed_n}-{n}",
                        "email": f"s{seed_n}-{n}@soak.example",
                        "accept_code": "y",
                        "recording": "yes" if n % 5 else "no",
                        "csrf_token": token,
                    },
                    allow_redirects=False,
                    timeout=30,
                )
                # 409: the meeting ended a moment ago (the ender closed it), a clear answer.
                ok = answer.status_code in (302, 409)
                if answer.status_code == 302:
                    with stats.lock:
                        stats.registered += 1
                n += 1
            else:
                address = {
                    "meeting_list": "/console/meetings?q=talk",
                    "meeting_page": f"/console/meetings/{meeting_id}",
                    "dashboard": "/console/",
                }[kind]
                # Not followed: a console page that sends the organiser to sign in has failed.
                answer = console.get(base + address, timeout=30, allow_redirects=False)
                ok = answer.status_code == 200
            failure = "" if ok else f"status {answer.status_code if answer is not None else '?'}"
        except requests.RequestException as exc:
            failure = type(exc).__name__
        stats.record(kind, (time.perf_counter() - started) * 1000, failure)
        stop.wait(THINK_SECONDS)


def ender_loop(
    url: str, open_meetings: list[tuple[int, str]], lock: threading.Lock, stop: threading.Event
) -> None:
    """Every so often a meeting ends: its registrants become due, and the worker's purge
    deletes them at Zoom and here while the load goes on."""
    engine = make_engine(url)
    while not stop.wait(END_EVERY_SECONDS):
        with lock:
            if len(open_meetings) <= 3:
                continue
            meeting_id, _slug = open_meetings.pop(0)
        with Session(engine) as s:
            meeting = s.get(Meeting, meeting_id)
            if meeting is not None:
                lifecycle.meeting_ended(
                    s, meeting, ended_at=utcnow() - timedelta(minutes=1), source="soak"
                )
                s.commit()
    engine.dispose()


def plot(samples: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [s["t"] for s in samples]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    top.plot(t, [s["p50_ms"] for s in samples], label="p50")
    top.plot(t, [s["p99_ms"] for s in samples], label="p99")
    top.set_ylabel("latency (ms)")
    top.legend()
    top.set_title("vcsafe soak: gunicorn (2 workers) + PostgreSQL + worker, Zoom fake")
    bottom.plot(t, [s["web_rss_mb"] for s in samples], label="gunicorn (all processes)")
    bottom.plot(t, [s["worker_rss_mb"] for s in samples], label="vcsafe worker")
    bottom.set_ylabel("memory (MB RSS)")
    bottom.set_xlabel("seconds")
    bottom.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the Zoom fake's request lines
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one minute instead of ten")
    parser.add_argument("--minutes", type=float, help="how long to run (default 10, quick 1)")
    parser.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "out" / "soak.png")
    args = parser.parse_args()
    minutes = args.minutes or (1.0 if args.quick else 10.0)
    zoom = ZoomFake().start()
    try:
        with pg_schema() as url, tempfile.TemporaryDirectory() as instance:
            _admin, made = seed(url, zoom, meetings_count=12 if args.quick else 40)
            env = app_env(
                url,
                Path(instance),
                registration_limit_per_address="100000 per minute",
                registration_limit_per_meeting="100000 per minute",
                push_interval_seconds="5",
                cleanup_interval_minutes="1",
            )
            worker = subprocess.Popen(
                [str(Path(sys.executable).parent / "vcsafe"), "worker"], env=env, cwd=ROOT
            )
            try:
                with gunicorn(env, workers=2, threads=4) as server:
                    samples, stats = run(server, worker, url, made, minutes)
            finally:
                worker.terminate()
                worker.wait(timeout=60)
            engine = make_engine(url)
            with engine.connect() as c:
                stored = c.execute(select(func.count(Registrant.id))).scalar_one()
                purged = c.execute(
                    select(func.coalesce(func.sum(DeletionReceipt.registrants_deleted), 0))
                ).scalar_one()
            engine.dispose()
    finally:
        zoom.stop()
    plot(samples, args.plot)
    duration = minutes * 60
    result = {
        "minutes": minutes,
        "requests": len(stats.latencies),
        "errors": stats.errors,
        "throughput_per_s": round(len(stats.latencies) / duration, 1),
        "p50_ms": round(percentile(stats.latencies, 50), 1),
        "p99_ms": round(percentile(stats.latencies, 99), 1),
        "peak_rss_mb": round(max(s["web_rss_mb"] + s["worker_rss_mb"] for s in samples), 1),
        "rss_start_mb": round(samples[0]["web_rss_mb"] + samples[0]["worker_rss_mb"], 1),
        "rss_end_mb": round(samples[-1]["web_rss_mb"] + samples[-1]["worker_rss_mb"], 1),
        "registered": stats.registered,
        "stored": stored,
        "purged": int(purged),
        "lost": stats.registered - stored - int(purged),
        "by_kind": stats.by_kind,
        "error_kinds": stats.error_kinds,
        "plot": str(args.plot),
    }
    print(json.dumps(result))


def run(
    server: Server,
    worker: subprocess.Popen[bytes],
    url: str,
    made: list[tuple[int, str]],
    minutes: float,
) -> tuple[list[dict[str, float]], Stats]:
    stats = Stats()
    stop = threading.Event()
    lock = threading.Lock()
    open_meetings = list(made)
    threads = [
        threading.Thread(
            target=client_loop, args=(server.base_url, open_meetings, lock, stats, stop, n)
        )
        for n in range(CLIENTS)
    ]
    threads.append(threading.Thread(target=ender_loop, args=(url, open_meetings, lock, stop)))
    for thread in threads:
        thread.start()
    samples: list[dict[str, float]] = []
    started = time.monotonic()
    end = started + minutes * 60

    def web_pids() -> list[int]:
        return [server.process.pid, *_children(server.process.pid)]

    while time.monotonic() < end:
        time.sleep(SAMPLE_SECONDS)
        window, errors = stats.take_window()
        samples.append(
            {
                "t": round(time.monotonic() - started, 1),
                "requests": len(window),
                "errors": errors,
                "p50_ms": percentile(window, 50),
                "p99_ms": percentile(window, 99),
                "web_rss_mb": rss_mb(web_pids()),
                "worker_rss_mb": rss_mb([worker.pid]),
            }
        )
        last = samples[-1]
        print(
            f"{last['t']:6.0f}s  {last['requests'] / SAMPLE_SECONDS:5.1f} req/s  "
            f"p50 {last['p50_ms']:6.1f} ms  p99 {last['p99_ms']:7.1f} ms  errors {errors}  "
            f"rss {last['web_rss_mb']:.0f}+{last['worker_rss_mb']:.0f} MB",
            flush=True,
        )
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return samples, stats


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


if __name__ == "__main__":
    main()
