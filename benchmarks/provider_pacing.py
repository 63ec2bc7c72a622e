"""Recording deletion against a rate-limited Zoom: how close the purge keeps to the limit.

The Zoom fake refuses (429, Retry-After) every API request beyond 20 in any sliding second.
Ten ended meetings hold 1,000 cloud recordings past their retention; a real `vcsafe purge`
process deletes them all. The adapter starts at its default pace (30 a second, Zoom's figure
for a Pro account), so it must find the lower limit from the refusals and settle under it.

Figures, from the fake's own log of what arrived and what it answered:
- rate_per_s: recording DELETEs accepted per second, first request to last;
- fraction_of_limit: that rate over the limit (target at least 0.9);
- refused: requests answered 429; refused_twice_in_a_row: a request refused, then refused
  again on its next try (target 0);
- not_deleted: recordings still at Zoom or in vcsafe afterwards (must be 0).

Usage: python benchmarks/provider_pacing.py [--quick]   (--quick: 300 recordings)
Last line: JSON with rate_per_s, limit_per_s, fraction_of_limit, refused_twice_in_a_row,
not_deleted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from stack import SECRET_KEY, app_env, pg_schema

from tests.fakes.zoom import ZoomFake
from tests.integration import purge_world
from tests.planning import connect
from vcsafe.app import create_app
from vcsafe.db import db
from vcsafe.models import Organisation, ProviderKind, Recording

LIMIT_PER_S = 20
MEETINGS = 10


def vcsafe_app(url: str, instance: Path) -> Flask:
    return create_app(
        {
            "database_url": url,
            "secret_key": SECRET_KEY,
            "instance_path": str(instance),
            "auto_migrate": False,
            "log_level": "WARNING",
        }
    )


def build(app: Flask, fake: ZoomFake, recordings: int) -> list[str]:
    """Ten meetings that ended ten days ago (7-day retention), with their recordings at the
    fake and known to vcsafe. Returns the meetings' Zoom ids."""
    zoom_ids = []
    session = db.factory(app)()
    try:
        organisation = Organisation(name="Pacing Trust")
        session.add(organisation)
        session.commit()
        credentials = fake.provision_account()
        account = connect(app, session, organisation, credentials, ProviderKind.ZOOM, "Zoom")
        for n in range(MEETINGS):
            meeting = purge_world.meeting(
                app, session, organisation, account, f"Due {n}", ended_days_ago=10
            )
            held = purge_world.Held(meeting.id, meeting.provider_meeting_id or "")
            purge_world.recordings(
                session, fake, meeting, held, recordings // MEETINGS, days_ago=10
            )
            zoom_ids.append(held.zoom_id)
    finally:
        session.close()
    return zoom_ids


def refused_twice(fake: ZoomFake) -> int:
    """Requests refused whose next try (the next request to the same path) was refused too."""
    last: dict[tuple[str, str], int | None] = {}
    twice = 0
    for r in fake.server.requests:
        key = (r.method, r.path)
        if r.status == 429 and last.get(key) == 429:
            twice += 1
        last[key] = r.status
    return twice


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="300 recordings instead of 1,000")
    args = parser.parse_args()
    total = 300 if args.quick else 1000

    fake = ZoomFake().start()
    try:
        with pg_schema() as url, tempfile.TemporaryDirectory() as tmp:
            app = vcsafe_app(url, Path(tmp))
            zoom_ids = build(app, fake, total)
            fake.rate_limit(LIMIT_PER_S)
            seen = len(fake.server.requests)
            env = app_env(url, Path(tmp))
            print(f"purging {total} recordings at Zoom (limit {LIMIT_PER_S}/s)", flush=True)
            run = subprocess.run(
                [str(Path(sys.executable).parent / "vcsafe"), "purge"],
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            print(run.stdout.strip(), flush=True)
            if run.returncode != 0:
                raise SystemExit(f"vcsafe purge failed ({run.returncode}):\n{run.stderr}")
            sent = fake.server.requests[seen:]
            deletes = [r for r in sent if r.method == "DELETE" and "/recordings" in r.path]
            accepted = [r for r in deletes if r.status == 204]
            seconds = sent[-1].at - sent[0].at
            with db.factory(app)() as session:
                local = session.scalar(select(func.count()).select_from(Recording)) or 0
            db.factory(app).kw["bind"].dispose()
            at_zoom = sum(len(fake.recordings(m)) for m in zoom_ids)
    finally:
        fake.stop()

    rate = len(accepted) / seconds
    figures = {
        "recordings": total,
        "requests": len(sent),
        "seconds": round(seconds, 1),
        "rate_per_s": round(rate, 2),
        "limit_per_s": LIMIT_PER_S,
        "fraction_of_limit": round(rate / LIMIT_PER_S, 3),
        "refused": sum(1 for r in sent if r.status == 429),
        "refused_twice_in_a_row": refused_twice(fake),
        "deleted_twice": len(accepted) - len({r.path for r in accepted}),
        "not_deleted": local + at_zoom,
        "spec_violations": len(fake.violations),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
