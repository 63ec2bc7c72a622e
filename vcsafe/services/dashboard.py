"""What the console's first page shows: what needs attention now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vcsafe.models import AccountStatus, Incident, Meeting, ProviderAccount
from vcsafe.services import incidents, meeting_lists


@dataclass(frozen=True)
class Dashboard:
    upcoming: list[Meeting]
    upcoming_total: int
    open_breaches: list[Incident]
    failing_accounts: list[ProviderAccount]
    drafts_with_errors: list[Meeting]
    people_stuck: list[Meeting]  # someone there keeps failing to get their joining link


def load(session: Session, organisation_id: int, *, now: datetime) -> Dashboard:
    upcoming = meeting_lists.list_meetings(
        session, organisation_id, when="upcoming", page=1, per_page=5, now=now
    )
    return Dashboard(
        upcoming=upcoming.items,
        upcoming_total=upcoming.total,
        open_breaches=incidents.open_breaches(session, organisation_id),
        failing_accounts=list(
            session.scalars(
                select(ProviderAccount).where(
                    ProviderAccount.organisation_id == organisation_id,
                    ProviderAccount.status == AccountStatus.FAILING,
                )
            )
        ),
        drafts_with_errors=list(
            session.scalars(
                select(Meeting)
                .where(Meeting.organisation_id == organisation_id, Meeting.provider_error != "")
                .order_by(Meeting.starts_at)
                .limit(10)
            )
        ),
        people_stuck=meeting_lists.meetings_with_people_stuck(session, organisation_id),
    )
