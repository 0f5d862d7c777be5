"""Summaries on their way out: composed, rendered (with the map chart when asked), written to the outbox.

Every summary, asked for or scheduled, is an outbox row first (DESIGN.md section 3); the sender
delivers it within Telegram's limits. Keys make each post happen once:

    summary:{chat_id}:{schedule id}:{run, UTC ISO} a scheduled post (a second run of the job, or a
                                                   restart before `mark_run`, finds the key taken;
                                                   schedule ids are never reused, and both kinds of
                                                   a chat due at one time are two posts)
    summary:{chat_id}:ask:{message_id}             an answer to /summary (a redelivered update)

`SummaryDesk.post_due` is what the worker's job calls every 30 s: for each schedule that is due it
enqueues the post into the schedule's topic and moves the schedule to its next run, computed in the
chat's timezone from now, so runs missed while the bot was down are skipped rather than flooded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.maps.service import LiquidationMapService
from bot.maps.view import draw_map, gather_map
from bot.market.state import MarketState
from bot.outbox.payloads import outbox_item, send_payload
from bot.render.summary_text import CAPTION_LIMIT, MESSAGE_LIMIT, render_summary
from bot.store import Store
from bot.summaries.compose import FOCUS_BY_CADENCE, compose_summary
from bot.summaries.timetable import next_run
from bot.vocabulary.clock import Clock
from bot.vocabulary.events import Signal
from bot.vocabulary.records import Schedule

__all__ = [
    "SUMMARY_KINDS",
    "SummaryDesk",
    "SummaryPost",
    "schedule_kind",
    "scheduled_key",
]

log = logging.getLogger(__name__)
SUMMARY_KINDS = ("summary", "summary_chart")
"""Schedule kinds: the note alone, or the note as the caption of the first coin's map chart."""


def schedule_kind(chart: bool) -> str:
    """The schedule kind of a summary with or without the chart."""
    return SUMMARY_KINDS[1] if chart else SUMMARY_KINDS[0]


@dataclass(frozen=True, slots=True)
class SummaryPost:
    """A rendered summary: HTML text, and the chart PNG it captions (None: text only)."""

    text: str
    photo: bytes | None = None


def scheduled_key(schedule: Schedule) -> str:
    """The idempotency key of a schedule's pending run."""
    assert schedule.next_run_at is not None
    run = schedule.next_run_at.astimezone(UTC).isoformat(timespec="seconds")
    return f"summary:{schedule.chat_id}:{schedule.id}:{run}"


PostCache = dict[tuple[str, bool, str], SummaryPost]
"""Posts of one run of the job by (focus, chart, timezone): a thousand groups due at 08:00 share one."""


class SummaryDesk:
    """Composes summaries, writes them to the outbox, and posts the scheduled ones when due."""

    def __init__(  # noqa: PLR0917 - the collaborators, each named once at the composition root
        self,
        store: Store,
        market: MarketState,
        maps: LiquidationMapService,
        symbols: tuple[str, ...],
        default_venue: str,
        clock: Clock,
        outbox_written: Signal,
    ) -> None:
        self._store, self._market, self._maps = store, market, maps
        self.symbols, self._default_venue, self._clock = symbols, default_venue, clock
        self._outbox_written = outbox_written

    async def _chart(self, symbol: str, timezone: str) -> bytes | None:
        """The map chart of `symbol` (the one /map draws); None without a mark or a model yet."""
        view = await gather_map(
            self._market, self._maps, symbol, preferred_venue=self._default_venue, now=self._clock()
        )
        if view.quote is None or view.modeled.is_empty:
            return None
        return await draw_map(view, timezone)

    async def post(
        self, *, timezone: str, focus: str = "1h", symbol: str | None = None, chart: bool = False
    ) -> SummaryPost:
        """The summary now (of one coin or the market), with the chart of that coin (or the first)."""
        summary = await compose_summary(
            self._market, self._store.snapshots, self._maps.combined_map,
            symbols=self.symbols, preferred_venue=self._default_venue,
            now=self._clock(), focus=focus, symbol=symbol,
        )  # fmt: skip
        photo = None
        if chart and self.symbols:
            photo = await self._chart(symbol or self.symbols[0], timezone)
        limit = CAPTION_LIMIT if photo is not None else MESSAGE_LIMIT
        return SummaryPost(render_summary(summary, timezone, limit=limit), photo)

    async def enqueue(
        self, key: str, chat_id: int, post: SummaryPost, topic_id: int | None
    ) -> bool:
        """Write the post to the outbox and wake the sender; False when the key was written before."""
        payload = send_payload(post.text, message_thread_id=topic_id, photo=post.photo)
        written = await self._store.outbox.enqueue(
            outbox_item(key, chat_id, "summary", payload), self._clock()
        )
        if written:
            self._outbox_written.emit()
        return written

    async def _post_one(self, schedule: Schedule, now: datetime, cache: PostCache) -> bool:
        chat = await self._store.chats.get(schedule.chat_id)
        timezone = chat.timezone if chat else "UTC"
        written = False
        if chat is not None and not chat.paused:
            focus = FOCUS_BY_CADENCE.get(schedule.cadence, "1h")
            chart = schedule.kind == SUMMARY_KINDS[1]
            post = cache.get((focus, chart, timezone))
            if post is None:
                post = await self.post(timezone=timezone, focus=focus, chart=chart)
                cache[(focus, chart, timezone)] = post
            written = await self.enqueue(
                scheduled_key(schedule), schedule.chat_id, post, schedule.topic_id
            )
        assert schedule.id is not None
        following = next_run(schedule.cadence, schedule.at_time, timezone, now)
        await self._store.schedules.mark_run(schedule.id, now, following)
        return written

    async def post_due(self) -> int:
        """Enqueue every due scheduled summary and move each schedule on; how many were written."""
        now = self._clock()
        written, cache = 0, PostCache()
        for schedule in await self._store.schedules.due(now):
            try:
                written += await self._post_one(schedule, now, cache)
            except Exception:  # one chat's failure must not hold back the others
                log.exception(
                    "scheduled summary %s of chat %s failed", schedule.id, schedule.chat_id
                )
        return written
