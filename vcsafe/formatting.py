"""Formatting for pages and emails: times in the meeting's own time zone, counts in words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _zone(timezone: str) -> ZoneInfo:
    """The named zone; an unknown name falls back to UTC."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime | None, timezone: str = "UTC") -> str:
    """'Sat 28 Nov 2026, 18:30 GMT' in the given zone; an unknown zone falls back to UTC."""
    if moment is None:
        return "—"
    local = moment.astimezone(_zone(timezone))
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or timezone)


def iso_in_zone(moment: datetime, timezone: str = "UTC") -> str:
    """ISO 8601 with the zone's offset at that moment ('2026-11-28T18:30:00+00:00'), for a
    <time> element: the page's script compares that offset with the visitor's own."""
    return moment.astimezone(_zone(timezone)).isoformat()


def local_time_of(iso: str, timezone: str = "UTC") -> str:
    """`local_time` of a time written in ISO 8601, as the registrant's data export holds it."""
    return local_time(datetime.fromisoformat(iso), timezone)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 registrant', '3 registrants'; `plural` where adding an s is wrong ("person has",
    "people have")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
