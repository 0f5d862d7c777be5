"""Summaries on their way out: composed, rendered (with the map chart when asked), written to the outbox.

Every summary, asked for or scheduled, is an outbox row first (DESIGN.md section 3); the sender
delivers it within Telegram's limits. Keys make each post happen once:

    summary:{chat_id}:{schedule id}:{run, UTC ISO} a scheduled post (a second run of the job, or a
                                                   restart before `mark_run`, finds the key taken;
                                                   schedule ids are never reused, and both kinds of
                                                   a chat due at one time are two posts)
    summary:{chat_id}:ask:{message_id}             an answer to /summary (a redelivered update)

`post_due_summaries` is what the worker's job calls every 30 s: for each schedule that is due it
enqueues the post into the schedule's topic and moves the schedule to its next run, computed in the
chat's timezone from now, so runs missed while the bot was down are skipped rather than flooded.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.outbox.payloads import outbox_item, send_payload
from bot.render.map_chart import render_liquidation_map
from bot.render.summary_text import CAPTION_LIMIT, MESSAGE_LIMIT, render_summary
from bot.services import Services
from bot.summaries.compose import FOCUS_BY_CADENCE, compose_summary, pick_mark
from bot.summaries.timetable import next_run
from bot.vocabulary.records import Schedule
from bot.vocabulary.venues import venue_name
from bot.vocabulary.zones import zone

__all__ = [
    "SUMMARY_KINDS",
    "SummaryPost",
    "enqueue_summary",
    "post_due_summaries",
    "schedule_kind",
    "scheduled_key",
    "summary_post",
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


async def _chart(services: Services, symbol: str, timezone: str) -> bytes | None:
    """The map chart of `symbol`, drawn off the event loop; None without a mark or a model yet."""
    now = services.clock()
    quote = pick_mark(services.market.quotes(symbol, now), services.settings.default_venue)
    liq_map = services.maps.combined_map(symbol)
    if quote is None or liq_map.is_empty:
        return None
    venues = " + ".join(venue_name(v) for v in services.maps.venues_for(symbol)) or "all venues"
    return await asyncio.to_thread(
        render_liquidation_map,
        liq_map,
        symbol=symbol,
        venue_label=venues,
        mark_price=quote.mark_price,
        now=now.astimezone(zone(timezone)),
    )


async def summary_post(
    services: Services,
    *,
    timezone: str,
    focus: str = "1h",
    symbol: str | None = None,
    chart: bool = False,
) -> SummaryPost:
    """The summary now (of one coin or the market), with the chart of that coin (or the first)."""
    settings = services.settings
    summary = await compose_summary(
        services.market, services.store.snapshots, services.maps.combined_map,
        symbols=settings.symbols, preferred_venue=settings.default_venue,
        now=services.clock(), focus=focus, symbol=symbol,
    )  # fmt: skip
    photo = None
    if chart and settings.symbols:
        photo = await _chart(services, symbol or settings.symbols[0], timezone)
    limit = CAPTION_LIMIT if photo is not None else MESSAGE_LIMIT
    return SummaryPost(render_summary(summary, timezone, limit=limit), photo)


async def enqueue_summary(
    services: Services, key: str, chat_id: int, post: SummaryPost, topic_id: int | None
) -> bool:
    """Write the post to the outbox and wake the sender; False when the key was written before."""
    payload = send_payload(post.text, message_thread_id=topic_id, photo=post.photo)
    written = await services.store.outbox.enqueue(
        outbox_item(key, chat_id, "summary", payload), services.clock()
    )
    if written:
        services.wake_sender()
    return written


def scheduled_key(schedule: Schedule) -> str:
    """The idempotency key of a schedule's pending run."""
    assert schedule.next_run_at is not None
    run = schedule.next_run_at.astimezone(UTC).isoformat(timespec="seconds")
    return f"summary:{schedule.chat_id}:{schedule.id}:{run}"


PostCache = dict[tuple[str, bool, str], SummaryPost]
"""Posts of one run of the job by (focus, chart, timezone): a thousand groups due at 08:00 share one."""


async def _post_one(
    services: Services, schedule: Schedule, now: datetime, cache: PostCache
) -> bool:
    chat = await services.store.chats.get(schedule.chat_id)
    timezone = chat.timezone if chat else "UTC"
    written = False
    if chat is not None and not chat.paused:
        focus = FOCUS_BY_CADENCE.get(schedule.cadence, "1h")
        chart = schedule.kind == SUMMARY_KINDS[1]
        post = cache.get((focus, chart, timezone))
        if post is None:
            post = await summary_post(services, timezone=timezone, focus=focus, chart=chart)
            cache[(focus, chart, timezone)] = post
        written = await enqueue_summary(
            services, scheduled_key(schedule), schedule.chat_id, post, schedule.topic_id
        )
    assert schedule.id is not None
    following = next_run(schedule.cadence, schedule.at_time, timezone, now)
    await services.store.schedules.mark_run(schedule.id, now, following)
    return written


async def post_due_summaries(services: Services) -> int:
    """Enqueue every due scheduled summary and move each schedule on; returns how many were written."""
    now = services.clock()
    written, cache = 0, PostCache()
    for schedule in await services.store.schedules.due(now):
        try:
            written += await _post_one(services, schedule, now, cache)
        except Exception:  # one chat's failure must not hold back the others
            log.exception("scheduled summary %s of chat %s failed", schedule.id, schedule.chat_id)
    return written
