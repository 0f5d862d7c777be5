"""Summary schedules: show, set and stop a chat's timetable (the rule behind /schedule)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.summaries import ScheduleRequest
from bot.store import Store
from bot.summaries.posts import SUMMARY_KINDS, schedule_kind
from bot.summaries.timetable import next_run
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import Schedule

__all__ = ["ScheduleBook", "ScheduleChange", "ScheduleTarget"]


@dataclass(frozen=True, slots=True)
class ScheduleTarget:
    """The chat whose schedule a /schedule changes, in the words the answer uses."""

    chat_id: int
    timezone: str
    where: str
    topic_id: int | None = None
    channel: bool = False


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    """What a /schedule did: the schedule now in force (None: none), and whether it changed."""

    schedule: Schedule | None
    changed: bool
    existed: bool


class ScheduleBook:
    """Reads and writes a chat's summary schedule: one summary kind per chat at a time."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store, self._clock = store, clock

    async def current(self, chat_id: int) -> Schedule | None:
        """The chat's summary schedule, if any."""
        schedules = await self._store.schedules.list_for_chat(chat_id)
        return next((s for s in schedules if s.kind in SUMMARY_KINDS), None)

    async def apply(
        self, target: ScheduleTarget, request: ScheduleRequest, user_id: int | None
    ) -> ScheduleChange:
        """Show, set (replacing the other kind) or stop the target's schedule."""
        current = await self.current(target.chat_id)
        if request.action == "show":
            return ScheduleChange(current, changed=False, existed=current is not None)
        for kind in SUMMARY_KINDS:
            if request.action == "off" or kind != schedule_kind(request.chart):
                await self._store.schedules.remove(target.chat_id, kind)
        if request.action == "off":
            return ScheduleChange(None, changed=True, existed=current is not None)
        assert request.cadence is not None
        first = next_run(request.cadence, request.at_time, target.timezone, self._clock())
        stored = await self._store.schedules.upsert(
            Schedule(target.chat_id, schedule_kind(request.chart), request.cadence, request.at_time,
                     target.topic_id, user_id, next_run_at=first)
        )  # fmt: skip
        return ScheduleChange(stored, changed=True, existed=current is not None)

    async def remove_all(self, chat_id: int) -> int:
        """Remove every schedule of the chat; how many there were."""
        schedules = await self._store.schedules.list_for_chat(chat_id)
        for schedule in schedules:
            await self._store.schedules.remove(chat_id, schedule.kind)
        return len(schedules)
