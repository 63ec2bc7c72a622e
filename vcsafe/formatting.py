"""Formatting for pages and emails: times shown in the meeting's own time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_time(moment: datetime | None, timezone: str = "UTC") -> str:
    """'Sat 28 Nov 2026, 18:30 GMT' in the given zone; an unknown zone falls back to UTC."""
    if moment is None:
        return "—"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or timezone)
