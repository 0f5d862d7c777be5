"""When a scheduled summary runs next: pure wall-clock arithmetic in the chat's timezone.

Cadences (DESIGN.md section 1): ``hourly`` runs at the top of every local hour, ``4h`` at local 00:00,
04:00, 08:00, 12:00, 16:00 and 20:00, ``daily`` at ``at_time`` (``HH:MM``) local. Daylight saving:
a wall time skipped by a spring-forward gap runs at the same offset as before the gap (02:30 in a
02:00→03:00 gap runs at 03:30); a wall time that occurs twice in a fall-back runs at its first
occurrence, except hourly, which runs at both (both are the top of a local hour).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, get_args

from bot.vocabulary.zones import zone

__all__ = ["CADENCES", "PERIODS", "Cadence", "next_run"]

Cadence = Literal["hourly", "4h", "daily"]
CADENCES: tuple[Cadence, ...] = get_args(Cadence)
PERIODS: dict[str, timedelta] = {
    "hourly": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "daily": timedelta(days=1),
}
"""The nominal period of each cadence (a DST change lengthens or shortens one run by its shift)."""


def _wall_times(cadence: str, at_time: str | None, day: date) -> list[datetime]:
    """The cadence's naive local run times on one day."""
    if cadence == "hourly":
        hours = list(range(24))
    elif cadence == "4h":
        hours = list(range(0, 24, 4))
    elif cadence == "daily":
        hour, minute = (int(part) for part in (at_time or "08:00").split(":"))
        return [datetime.combine(day, time(hour, minute))]
    else:
        raise ValueError(f"unknown cadence {cadence!r}; one of {', '.join(CADENCES)}")
    return [datetime.combine(day, time(hour)) for hour in hours]


def _instants(wall: datetime, timezone: str, *, both_folds: bool) -> list[datetime]:
    """The UTC instants a naive local time names: one, two (fall-back) or its gap-shifted one."""
    tz = zone(timezone)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first == second or not both_folds:
        return [first]
    exists = first.astimezone(tz).replace(tzinfo=None) == wall
    return [first, second] if exists else [first]


def next_run(cadence: str, at_time: str | None, timezone: str, after: datetime) -> datetime:
    """The first run strictly after ``after`` (aware), as an aware UTC datetime.

    ``at_time`` is ``HH:MM`` and only read for ``daily`` (08:00 when None). ``timezone`` is an IANA
    name; an unknown one counts as UTC.

    Example: daily 08:00 in Europe/Berlin after 2025-03-29 07:00 UTC (08:00 CET) is the next
    morning's 08:00 CEST, 06:00 UTC: 23 hours later, across the spring-forward.

    >>> next_run("daily", "08:00", "Europe/Berlin", datetime(2025, 3, 29, 7, tzinfo=UTC))
    datetime.datetime(2025, 3, 30, 6, 0, tzinfo=datetime.timezone.utc)
    """
    if after.tzinfo is None:
        raise ValueError("next_run needs an aware datetime")
    local_day = after.astimezone(zone(timezone)).date()
    candidates = [
        instant
        for offset in (-1, 0, 1, 2)
        for wall in _wall_times(cadence, at_time, local_day + timedelta(days=offset))
        for instant in _instants(wall, timezone, both_folds=cadence == "hourly")
        if instant > after
    ]
    return min(candidates)
