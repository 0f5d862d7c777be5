"""Schedule timing: the next run of hourly, 4h and daily summaries in the chat's timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.summaries.timetable import PERIODS, next_run

ZONES = [
    "UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
    "America/Santiago", "Pacific/Chatham", "Asia/Tokyo", "America/St_Johns", "Europe/London",
]  # fmt: skip
DST_SLOP = timedelta(hours=1)  # a run that straddles a DST change is longer by the shift (≤ 1 h)

NAIVE_BOUNDS = (datetime(2000, 1, 1), datetime(2040, 1, 1))  # noqa: DTZ001 - hypothesis wants naive bounds
instants = st.datetimes(*NAIVE_BOUNDS, timezones=st.just(UTC))
clock_times = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def skipped_by_dst(wall: datetime, timezone: str) -> bool:
    """Whether a naive local time does not exist (it falls in a spring-forward gap)."""
    tz = ZoneInfo(timezone)
    return wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall


@given(after=instants, timezone=st.sampled_from(ZONES), cadence=st.sampled_from(list(PERIODS)))
def test_next_run_is_after_and_within_one_period(
    after: datetime, timezone: str, cadence: str
) -> None:
    """The next run is strictly later, and never more than one period (plus a DST shift) away."""
    run = next_run(cadence, "08:00", timezone, after)
    assert run > after
    assert run - after <= PERIODS[cadence] + DST_SLOP
    assert run.tzinfo is UTC


@given(after=instants, timezone=st.sampled_from(ZONES))
def test_hourly_runs_on_the_local_hour(after: datetime, timezone: str) -> None:
    """Hourly runs at minute 00 local time (half-hour offsets included) within the hour."""
    run = next_run("hourly", None, timezone, after)
    local = run.astimezone(ZoneInfo(timezone))
    assert (local.minute, local.second, local.microsecond) == (0, 0, 0)
    assert run - after <= PERIODS["hourly"]


@given(after=instants, timezone=st.sampled_from(ZONES))
def test_four_hourly_runs_at_the_six_local_slots(after: datetime, timezone: str) -> None:
    """4h runs at local 00, 04, 08, 12, 16 or 20 o'clock, unless DST skipped that wall time."""
    run = next_run("4h", None, timezone, after)
    local = run.astimezone(ZoneInfo(timezone))
    on_slot = local.hour % 4 == 0 and local.minute == 0
    wall = local.replace(tzinfo=None)
    slot = wall.replace(hour=wall.hour - wall.hour % 4, minute=0)
    assert on_slot or skipped_by_dst(slot, timezone)


@given(after=instants, timezone=st.sampled_from(ZONES), at_time=clock_times)
def test_daily_runs_at_the_local_clock_time(after: datetime, timezone: str, at_time: str) -> None:
    """Daily runs at HH:MM local time, or just after a DST gap that swallowed HH:MM that day."""
    run = next_run("daily", at_time, timezone, after)
    local = run.astimezone(ZoneInfo(timezone))
    hour, minute = (int(part) for part in at_time.split(":"))
    wanted = local.replace(tzinfo=None, hour=hour, minute=minute, second=0, microsecond=0)
    assert f"{local:%H:%M}" == at_time or skipped_by_dst(wanted, timezone)
    assert run - after <= PERIODS["daily"] + DST_SLOP


@pytest.mark.parametrize(
    ("cadence", "at_time", "timezone", "after", "expected"),
    [
        # Berlin springs forward on 2025-03-30: 08:00 CET is 07:00 UTC, 08:00 CEST is 06:00 UTC.
        (
            "daily",
            "08:00",
            "Europe/Berlin",
            utc(2025, 3, 29, 7, 0),
            utc(2025, 3, 30, 6, 0),
        ),
        # …and falls back on 2025-10-26: 25 hours between two 08:00 runs.
        (
            "daily",
            "08:00",
            "Europe/Berlin",
            utc(2025, 10, 25, 6, 0),
            utc(2025, 10, 26, 7, 0),
        ),
        # 02:30 does not exist on 2025-03-30 in Berlin: it runs at 03:30 CEST (01:30 UTC).
        (
            "daily",
            "02:30",
            "Europe/Berlin",
            utc(2025, 3, 29, 12, 0),
            utc(2025, 3, 30, 1, 30),
        ),
        # 4h in Tokyo (UTC+9): the slot after 05:10 local is 08:00 local, 23:00 UTC the day before.
        ("4h", None, "Asia/Tokyo", utc(2025, 5, 31, 20, 10), utc(2025, 5, 31, 23, 0)),
        # Hourly in Kolkata (UTC+5:30) lands on the half hour UTC.
        ("hourly", None, "Asia/Kolkata", utc(2025, 5, 1, 10, 0), utc(2025, 5, 1, 10, 30)),
        # Exactly on a run: the next one, not the same.
        ("hourly", None, "UTC", utc(2025, 5, 1, 10, 0), utc(2025, 5, 1, 11, 0)),
        # New York falls back on 2025-11-02: 01:00 EDT and 01:00 EST are both hourly runs.
        (
            "hourly",
            None,
            "America/New_York",
            utc(2025, 11, 2, 5, 0),
            utc(2025, 11, 2, 6, 0),
        ),
        # An unknown timezone counts as UTC.
        ("daily", "08:00", "Mars/Olympus", utc(2025, 5, 1, 9, 0), utc(2025, 5, 2, 8, 0)),
    ],
)
def test_known_runs(
    cadence: str, at_time: str | None, timezone: str, after: datetime, expected: datetime
) -> None:
    """Worked examples across DST changes, odd offsets and exact boundaries."""
    assert next_run(cadence, at_time, timezone, after) == expected


def test_naive_datetimes_and_unknown_cadences_are_refused() -> None:
    """A naive `after` and a cadence other than hourly, 4h or daily raise ValueError."""
    with pytest.raises(ValueError, match="aware"):
        next_run("daily", "08:00", "UTC", datetime(2025, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="cadence"):
        next_run("weekly", None, "UTC", datetime(2025, 1, 1, tzinfo=UTC))
