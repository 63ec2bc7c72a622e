"""Proof of consent for one meeting, as a CSV file: every ledger entry with the text's
version and sha256. Each download is written to the audit log."""

from __future__ import annotations

import csv
import io

from flask import Blueprint
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from vcsafe.console.access import owned_meeting
from vcsafe.db import db
from vcsafe.services import audit, meeting_lists

bp = Blueprint("consent_export", __name__, url_prefix="/console/meetings")

CSV_HEADER = (
    "name",
    "email",
    "purpose",
    "decision",
    "given_by",
    "text_version",
    "text_sha256",
    "recorded_at_utc",
)


@bp.get("/<int:meeting_id>/consents.csv")
@login_required
def consents_csv(meeting_id: int) -> Response:
    meeting = owned_meeting(meeting_id)
    rows = meeting_lists.consent_proof_rows(db.session, meeting)
    audit.record(
        db.session,
        meeting.organisation_id,
        "registrants.exported",
        actor_id=current_user.id,
        subject=meeting,
        rows=len(rows),
    )
    db.session.commit()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_safe(row) for row in rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="consents-meeting-{meeting.id}.csv"'
        },
    )


def _csv_safe(row: tuple[str, ...]) -> tuple[str, ...]:
    # A cell starting with = + - @ is a formula to spreadsheet programs: neutralise it.
    return tuple("'" + c if c[:1] in ("=", "+", "-", "@", "\t", "\r") else c for c in row)
