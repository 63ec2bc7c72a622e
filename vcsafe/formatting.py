"""Formatting for pages and emails: times in the meeting's own time zone, counts in words."""

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


def local_time_of(iso: str, timezone: str = "UTC") -> str:
    """`local_time` of a time written in ISO 8601, as the registrant's data export holds it."""
    return local_time(datetime.fromisoformat(iso), timezone)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 registrant', '3 registrants'; `plural` where adding an s is wrong ("person has",
    "people have")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
