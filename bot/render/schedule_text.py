"""What `/schedule` answers: the schedule as it stands, set, or stopped. Pure: data in, text out."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.vocabulary.records import Schedule
from bot.vocabulary.zones import zone

__all__ = [
    "SCHEDULE_USAGE",
    "render_schedule",
    "render_schedule_missing",
    "render_schedule_stopped",
]

GROUP_HINT = "Change the timezone with /alerts tz Europe/Berlin; stop with /schedule off."
CHANNEL_HINT = (
    "A channel's posts follow your timezone in this chat (/alerts tz Europe/Berlin, then /schedule "
    "again); stop with /schedule @channel off."
)
_CADENCE_TEXT = {
    "hourly": "every hour, on the hour",
    "4h": "every 4 hours (00, 04, 08, 12, 16, 20)",
}


def _when(schedule: Schedule) -> str:
    if schedule.cadence == "daily":
        return f"daily at {schedule.at_time}"
    return _CADENCE_TEXT.get(schedule.cadence, schedule.cadence)


def _next(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return "not planned"
    return f"{moment.astimezone(zone(timezone)):%a %d %b %H:%M}"


def render_schedule(
    schedule: Schedule, timezone: str, where: str, *, changed: bool, channel: bool = False
) -> str:
    """One schedule, e.g. "📅 Summary for this group: daily at 08:00 (Europe/Berlin), with chart."."""
    extras = " with the map chart," if schedule.kind.endswith("chart") else ""
    topic = " into this topic," if schedule.topic_id is not None else ""
    verb = "scheduled" if changed else "is scheduled"
    return (
        f"📅 Summary for {escape(where)} {verb}: {_when(schedule)} ({escape(timezone)}),{extras}{topic}"
        f" next {_next(schedule.next_run_at, timezone)}.\n"
        + (CHANNEL_HINT if channel else GROUP_HINT)
    )


def render_schedule_missing(where: str) -> str:
    """No summary scheduled yet."""
    return f"No summary is scheduled for {escape(where)}.\n{SCHEDULE_USAGE}"


def render_schedule_stopped(where: str, *, existed: bool) -> str:
    """The answer to /schedule off."""
    if not existed:
        return f"No summary was scheduled for {escape(where)}."
    return f"Scheduled summaries for {escape(where)} stopped."


SCHEDULE_USAGE = (
    "Usage: /schedule hourly | 4h | daily [HH:MM] [chart] · /schedule off · /schedule to see it\n"
    "Examples: /schedule daily 08:00 · /schedule 4h chart · /schedule hourly\n"
    "A channel, from a private chat with me: /schedule @mychannel daily 08:00"
)
