"""Purge speed at scale: 1,000,000 registrants (3 consent records each) across 10,000 meetings
on PostgreSQL, with a provider that answers at once (this measures vcsafe's own part), next to a
plain SQL DELETE of the same rows on an identical copy. Also reports the purge's peak memory.

Usage: python benchmarks/purge.py [--quick]
Last line: JSON with purged, seconds, sql_delete_seconds, ratio_to_sql_delete, peak_rss_mb.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from stack import ROOT, SECRET_KEY, pg_schema

sys.path.insert(0, str(ROOT))

from vcsafe.crypto import SecretsBox
from vcsafe.db import make_engine
from vcsafe.models import DeletionReceipt, Registrant
from vcsafe.services import purge

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class InstantProvider:
    """The provider port answered in-process at once, so the figure is vcsafe's own work."""

    kind = "zoom"
    personal_join_links = True

    def __init__(self) -> None:
        self.removed = 0

    def remove_registrant(self, meeting_id: str, registrant_id: str) -> None:
        self.removed += 1

    def registrant_exists(self, meeting_id: str, registrant_id: str) -> bool:
        return True


def seed(url: str, meetings: int, per_meeting: int) -> None:
    """Seed in SQL (generate_series): organisation, account, meetings, registrants, consents."""
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(
            text("""
            INSERT INTO organisation (id, name, age_threshold, max_registrant_retention_days,
                                      incident_contact, created_at)
            VALUES (1, 'Bench', 13, 90, '', now());
            INSERT INTO provider_account (id, organisation_id, kind, label, tenant, client_id,
                client_secret_encrypted, host_user, api_base_url, auth_base_url, status,
                last_error, created_at)
            VALUES (1, 1, 'zoom', 'Bench Zoom', 't', 'c', '\\x00', 'me', '', '', 'ok', '', now());
        """)
        )
        c.execute(
            text("""
            INSERT INTO meeting (id, organisation_id, provider_account_id, title, starts_at,
                duration_minutes, timezone, capacity, audience, recording_policy,
                registrant_retention_days, recording_retention_days, offer_future_contact,
                public_slug, state, safety_settings, provider_meeting_id, join_url,
                provider_error, drift, ended_at, registrants_purge_due_at, legal_hold,
                legal_hold_reason, created_at, updated_at)
            SELECT g, 1, 1, 'Meeting ' || g, now() - interval '10 days', 60, 'UTC', 1000,
                'adults', 'none', 0, 30, false, 'slug-' || g, 'ended', '{}', '9' || g, '', '',
                '[]', now() - interval '9 days', now() - interval '9 days', false, '', now(), now()
            FROM generate_series(1, :meetings) AS g
        """),
            {"meetings": meetings},
        )
        c.execute(
            text("""
            INSERT INTO registrant (meeting_id, name, email, age_band, guardian_name,
                guardian_email, future_contact, provider_registrant_id, join_url, status,
                push_state, push_attempts, purge_due_at, purge_attempts, purge_error,
                created_at, next_push_at)
            SELECT m, 'Person ' || r, 'p' || r || '@m' || m || '.example', 'adult', '', '',
                false, 'zr' || m || '-' || r, '', 'active', 'pushed', 0,
                now() - interval '1 day', 0, '', now(), null
            FROM generate_series(1, :meetings) AS m, generate_series(1, :per) AS r
        """),
            {"meetings": meetings, "per": per_meeting},
        )
        c.execute(
            text("""
            INSERT INTO consent_record (registrant_id, purpose, decision, text_sha256,
                text_version, given_by, recorded_at)
            SELECT r.id, p.purpose, 'granted', repeat('0', 64), 'v1', 'registrant', now()
            FROM registrant r,
                 (VALUES ('privacy_notice'), ('code_of_conduct'), ('recording')) AS p(purpose)
        """)
        )
        c.execute(text("ANALYZE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 registrants, 1,000 meetings")
    args = parser.parse_args()
    meetings, per = (1_000, 100) if args.quick else (10_000, 100)
    total = meetings * per

    with pg_schema() as url:
        seed(url, meetings, per)
        engine = make_engine(url)
        started = time.perf_counter()
        with engine.begin() as c:
            c.execute(text("DELETE FROM registrant WHERE purge_due_at <= now()"))  # cascades
        sql_seconds = time.perf_counter() - started
        engine.dispose()
    print(f"plain SQL DELETE of {total} registrants: {sql_seconds:.1f} s", flush=True)

    with pg_schema() as url:
        seed(url, meetings, per)
        engine = make_engine(url)
        from sqlalchemy.orm import sessionmaker

        factory = sessionmaker(engine, expire_on_commit=False)
        provider = InstantProvider()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        report = purge.run(
            factory,
            lambda account: provider,  # type: ignore[arg-type,return-value]
            box=SecretsBox(SECRET_KEY),
            now=NOW.now(UTC),
        )
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with engine.connect() as c:
            left = c.execute(select(func.count(Registrant.id))).scalar_one()
            receipts = c.execute(select(func.count(DeletionReceipt.id))).scalar_one()
        engine.dispose()
    print(
        f"vcsafe purge of {report.registrants} registrants: {seconds:.1f} s, "
        f"{receipts} receipts, {left} left",
        flush=True,
    )
    print(
        json.dumps(
            {
                "purged": report.registrants,
                "meetings": meetings,
                "provider_deletes": provider.removed,
                "left": left,
                "receipts": receipts,
                "seconds": round(seconds, 1),
                "sql_delete_seconds": round(sql_seconds, 1),
                "ratio_to_sql_delete": round(seconds / sql_seconds, 2),
                "peak_rss_mb": round(peak, 1),
                "rss_before_mb": round(rss_before, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
