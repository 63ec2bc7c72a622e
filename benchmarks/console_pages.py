"""Console speed at full size: the meeting list with 10,000 meetings and a meeting page with
20,000 registrants, on gunicorn (2 workers) + PostgreSQL, the meeting on the Zoom fake.

Usage: python benchmarks/console_pages.py [--quick]
Last line of output: JSON with meeting_list_p95_ms and meeting_page_p95_ms (target < 150 each).
"""

from __future__ import annotations

import argparse
import json
import logging
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert
from stack import ROOT, app_env, gunicorn, pg_schema, signed_in, summary

sys.path.insert(0, str(ROOT))

from stack import SECRET_KEY

from tests.fakes.zoom import ZoomFake
from vcsafe.crypto import SecretsBox, hash_password
from vcsafe.db import make_engine
from vcsafe.models import (
    CodeOfConduct,
    CodeOfConductVersion,
    ConsentDecision,
    ConsentPurpose,
    ConsentRecord,
    Meeting,
    MeetingState,
    Organisation,
    ProviderAccount,
    ProviderKind,
    Registrant,
    Role,
    User,
    utcnow,
)
from vcsafe.providers.registry import build_provider
from vcsafe.services import planning

PASSWORD = "benchmark password 1"
CODE_TEXT = "Be kind. No harassment. The host may remove anyone who breaks this code."


def seed(url: str, zoom: ZoomFake, meetings: int, registrants: int) -> tuple[int, str]:
    """Bulk-load one organisation; returns the big meeting's id and the admin's email."""
    engine = make_engine(url)
    now = utcnow()
    box = SecretsBox(SECRET_KEY)
    creds = zoom.provision_account()
    with engine.begin() as c:
        org_id = c.execute(
            insert(Organisation)
            .values(
                name="Bench Trust",
                incident_contact="x@y.z",
                age_threshold=13,
                max_registrant_retention_days=90,
                created_at=now,
            )
            .returning(Organisation.id)
        ).scalar_one()
        c.execute(
            insert(User).values(
                organisation_id=org_id,
                email="admin@bench.example",
                name="Admin",
                password_hash=hash_password(PASSWORD),
                role=Role.ADMIN,
                active=True,
                created_at=now,
            )
        )
        account_id = c.execute(
            insert(ProviderAccount)
            .values(
                organisation_id=org_id,
                kind=ProviderKind.ZOOM,
                label="Bench Zoom",
                tenant=creds.tenant,
                client_id=creds.client_id,
                client_secret_encrypted=box.encrypt(creds.client_secret),
                host_user=creds.host_user,
                api_base_url=creds.api_base_url,
                auth_base_url=creds.auth_base_url,
                status="ok",
                last_error="",
                created_at=now,
            )
            .returning(ProviderAccount.id)
        ).scalar_one()
        rows = [
            {
                "organisation_id": org_id,
                "provider_account_id": account_id,
                "title": f"Community talk {n}",
                "starts_at": now + timedelta(hours=n - meetings // 2),
                "duration_minutes": 60,
                "timezone": "Europe/London",
                "capacity": 100,
                "audience": "adults",
                "recording_policy": "none",
                "registrant_retention_days": 0,
                "recording_retention_days": 30,
                "offer_future_contact": False,
                "public_slug": secrets.token_urlsafe(16),
                "state": MeetingState.SCHEDULED,
                "safety_settings": {},
                "join_url": "",
                "provider_error": "",
                "drift": [],
                "legal_hold": False,
                "legal_hold_reason": "",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(meetings)
        ]
        for start in range(0, len(rows), 2000):
            c.execute(insert(Meeting), rows[start : start + 2000])
        # Real meetings pin a code of conduct (the checklist fails without one), and the page
        # then counts who has yet to accept the pinned version: that query must be measured.
        code_id = c.execute(
            insert(CodeOfConduct)
            .values(organisation_id=org_id, title="Community code", created_at=now)
            .returning(CodeOfConduct.id)
        ).scalar_one()
        code_sha = CodeOfConductVersion.hash_text(CODE_TEXT)
        version_id = c.execute(
            insert(CodeOfConductVersion)
            .values(
                code_of_conduct_id=code_id,
                number=1,
                body=CODE_TEXT,
                sha256=code_sha,
                published_at=now,
            )
            .returning(CodeOfConductVersion.id)
        ).scalar_one()
    # The big meeting exists at the Zoom fake, as a real one would.
    provider = build_provider("zoom", creds)
    with engine.begin() as c:
        big = c.execute(
            insert(Meeting)
            .values(
                organisation_id=org_id,
                provider_account_id=account_id,
                title="The big one",
                starts_at=now + timedelta(days=2),
                duration_minutes=90,
                timezone="UTC",
                capacity=registrants + 10,
                audience="adults",
                recording_policy="consent",
                code_of_conduct_version_id=version_id,
                registrant_retention_days=0,
                recording_retention_days=30,
                offer_future_contact=False,
                public_slug=secrets.token_urlsafe(16),
                state=MeetingState.SCHEDULED,
                safety_settings={},
                join_url="",
                provider_error="",
                drift=[],
                legal_hold=False,
                legal_hold_reason="",
                created_at=now,
                updated_at=now,
            )
            .returning(Meeting.id)
        ).scalar_one()
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        meeting = s.get(Meeting, big)
        assert meeting is not None
        planning.create_at_provider(s, meeting, provider, box=box)
        s.commit()
    with engine.begin() as c:
        batch = 5000
        for start in range(0, registrants, batch):
            ids = (
                c.execute(
                    insert(Registrant).returning(Registrant.id),
                    [
                        {
                            "meeting_id": big,
                            "name": f"Person {n}",
                            "email": f"p{n}@bench.example",
                            "age_band": "adult",
                            "guardian_name": "",
                            "guardian_email": "",
                            "future_contact": False,
                            # As the ledger below says: one in fifty refused recording.
                            "refused_recording": (n - start) % 50 == 0,
                            "accepted_code_sha256": code_sha,
                            "join_url": "",
                            "status": "active",
                            "push_state": "pushed",
                            "push_attempts": 0,
                            "purge_attempts": 0,
                            "purge_error": "",
                            "created_at": now,
                        }
                        for n in range(start, min(registrants, start + batch))
                    ],
                )
                .scalars()
                .all()
            )
            consents = []
            for i, rid in enumerate(ids):
                for purpose, decision in (
                    (ConsentPurpose.PRIVACY_NOTICE, ConsentDecision.GRANTED),
                    (ConsentPurpose.CODE_OF_CONDUCT, ConsentDecision.GRANTED),
                    (
                        ConsentPurpose.RECORDING,
                        ConsentDecision.REFUSED if i % 50 == 0 else ConsentDecision.GRANTED,
                    ),
                ):
                    consents.append(
                        {
                            "registrant_id": rid,
                            "purpose": purpose,
                            "decision": decision,
                            "text_sha256": code_sha
                            if purpose is ConsentPurpose.CODE_OF_CONDUCT
                            else "0" * 64,
                            "text_version": "v1",
                            "given_by": "registrant",
                            "recorded_at": now,
                        }
                    )
            c.execute(insert(ConsentRecord), consents)
        c.exec_driver_sql("ANALYZE")
    engine.dispose()
    return big, "admin@bench.example"


def timed(client, url: str, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        answer = client.get(url, timeout=30)
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (url, answer.status_code)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    args = parser.parse_args()
    meetings, registrants, n = (1_000, 2_000, 60) if args.quick else (10_000, 20_000, 200)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake's request lines
    zoom = ZoomFake().start()
    try:
        with pg_schema() as url, tempfile.TemporaryDirectory() as instance:
            t0 = time.perf_counter()
            big, email = seed(url, zoom, meetings, registrants)
            print(
                f"seeded {meetings} meetings and {registrants} registrants in "
                f"{time.perf_counter() - t0:.1f} s",
                flush=True,
            )
            with gunicorn(app_env(url, Path(instance))) as server:
                client = signed_in(server.base_url, email, PASSWORD)
                timed(client, f"{server.base_url}/console/meetings", 5)  # warm up
                list_ms = []
                for page in (1, 2, meetings // 50):
                    list_ms += timed(
                        client, f"{server.base_url}/console/meetings?page={page}", n // 4
                    )
                list_ms += timed(client, f"{server.base_url}/console/meetings?q=talk+99", n // 4)
                timed(client, f"{server.base_url}/console/meetings/{big}", 5)
                page_ms = timed(client, f"{server.base_url}/console/meetings/{big}", n // 2)
                page_ms += timed(
                    client, f"{server.base_url}/console/meetings/{big}?page=200", n // 4
                )
                page_ms += timed(
                    client, f"{server.base_url}/console/meetings/{big}?q=Person+19", n // 4
                )
    finally:
        zoom.stop()
    lists, pages = summary(list_ms), summary(page_ms)
    result = {
        "meetings": meetings,
        "registrants": registrants,
        "meeting_list_p50_ms": lists["p50_ms"],
        "meeting_list_p95_ms": lists["p95_ms"],
        "meeting_page_p50_ms": pages["p50_ms"],
        "meeting_page_p95_ms": pages["p95_ms"],
        "requests": len(list_ms) + len(page_ms),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
