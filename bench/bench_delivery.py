"""Delivery benchmark: 10,000 queued alerts drained through the fake Bot API at the configured rate.

Run from the repository root: `python bench/bench_delivery.py [--rate N]`. The fake enforces the same
limits the sender is configured with (overall N a second, 18 a minute per group, one a second per
private chat) and answers 429 over them, so "zero 429s" means the sender paced itself. Telegram's real
rate (25 a second) would take 400 s for 10,000 alerts; the bench runs the same code at a higher
configured rate. Prints `<figure>: <value> <unit> (target <op> <value>) ok|MISSED`, exits 0 either way.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert
from telegram import Bot

from bot.outbox.payloads import outbox_item, send_payload
from bot.outbox.sender import Sender
from bot.store import Store
from bot.store.tables import outbox
from bot.vocabulary.clock import utc_now
from tests.fakes.telegram_limits import LimitedTelegram, most_in_any_window

ALERTS = 10_000
GROUPS = 20  # each gets 10 alerts: under its 18 a minute
GROUP_ALERTS = 10
PRIVATE_ALERTS = 4  # per private chat: paced one a second each
GROUP_PER_MIN = 18
PRIVATE_PER_S = 1


def report(figure: str, value: float, unit: str, op: str, target: float) -> None:
    """Print one figure against its target."""
    met = {"≥": value >= target, "≤": value <= target, "=": value == target}[op]
    print(f"{figure}: {value:,.1f} {unit} (target {op} {target:,.1f}) {'ok' if met else 'MISSED'}")


def progress(label: str) -> None:
    """Say what is happening (to stderr, so the figures stay one line each)."""
    print(f"… {label}", file=sys.stderr, flush=True)


def alert_chats() -> list[int]:
    """The chat of each alert, round-robin over chats the way alerts arrive from many watches."""
    privates = (ALERTS - GROUPS * GROUP_ALERTS) // PRIVATE_ALERTS
    rounds = [list(range(1, privates + 1)) for _ in range(PRIVATE_ALERTS)]
    groups = [-1000 - g for g in range(GROUPS)]
    chats = [chat for batch in rounds for chat in batch]
    for n in range(GROUP_ALERTS):
        chats[n * len(chats) // GROUP_ALERTS : 0] = groups  # sprinkled through the queue
    return chats


async def enqueue_all(store: Store) -> None:
    """Write the 10,000 alerts to the outbox in one transaction (setup, not what is measured)."""
    now = utc_now()
    rows = [
        outbox_item(f"alert:{n}", chat_id, "position", send_payload(f"alert {n}"))
        for n, chat_id in enumerate(alert_chats())
    ]
    values = [
        {"key": r.key, "chat_id": r.chat_id, "kind": r.kind, "payload": r.payload}
        | {"status": "pending", "attempts": 0, "not_before": now, "created_at": now}
        for r in rows
    ]
    async with store.engine.begin() as conn:
        await conn.execute(insert(outbox), values)
    progress(f"queued {len(rows):,} alerts")


def serve_fake(rate: int, ready: Queue[tuple[str, str]], stop: Event, out: Queue[Any]) -> None:
    """In a child process, as Telegram is in another place: serve the limited fake until `stop`."""

    async def serve() -> None:
        limited = LimitedTelegram(
            overall_per_s=rate, group_per_min=GROUP_PER_MIN, private_per_s=PRIVATE_PER_S
        )
        async with limited as tg:
            ready.put((tg.token, tg.base_url))
            while not stop.is_set():  # noqa: ASYNC110 - a multiprocessing Event, not asyncio's
                await asyncio.sleep(0.1)
            calls = tg.calls("sendMessage")
            out.put([(c.ok, c.text, c.received_at.timestamp()) for c in calls])

    asyncio.run(serve())


async def drain(store: Store, token: str, base_url: str, rate: int) -> float:
    """Run the sender until the outbox is empty; return the seconds it took."""
    async with Bot(token, base_url=base_url) as bot:
        sender = Sender(
            bot,
            store,
            utc_now,
            overall_per_s=rate,
            group_per_min=GROUP_PER_MIN,
            private_per_s=PRIVATE_PER_S,
            batch=max(50, rate // 4),
            max_in_flight=16,
            idle_s=0.05,
        )
        stop = asyncio.Event()
        began = time.perf_counter()
        running = asyncio.create_task(sender.run(stop))
        while (
            done := await store.outbox.count("sent") + await store.outbox.count("failed")
        ) < ALERTS:
            await asyncio.sleep(2)
            progress(f"drained {done:,} of {ALERTS:,} ({time.perf_counter() - began:.0f} s)")
        elapsed = time.perf_counter() - began
        stop.set()
        await running
    return elapsed


async def main(rate: int) -> None:
    """Queue, drain through a fake in its own process, and print the figures."""
    context = multiprocessing.get_context("spawn")
    ready: Queue[tuple[str, str]] = context.Queue()
    out: Queue[Any] = context.Queue()
    stop = context.Event()
    fake = context.Process(target=serve_fake, args=(rate, ready, stop, out), daemon=True)
    fake.start()
    token, base_url = ready.get(timeout=30)
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            await enqueue_all(store)
            progress(f"draining at a configured {rate:,}/s; the fake enforces the same")
            elapsed = await drain(store, token, base_url, rate)
            drained = await store.outbox.count("sent")
        finally:
            await store.close()
    stop.set()
    calls = out.get(timeout=60)
    fake.join(timeout=10)
    sent = [(text, at) for ok, text, at in calls if ok]
    duplicates = sum(n - 1 for n in Counter(text for text, _ in sent).values())
    report("drained", drained, "alerts", "=", ALERTS)
    report("429 answers", len(calls) - len(sent), "responses", "=", 0)
    report("duplicate sends", duplicates, "messages", "=", 0)
    report("busiest second", most_in_any_window([at for _, at in sent], 1.0), "messages", "≤", rate)
    report("achieved rate", drained / elapsed, "msg/s", "≥", 0.9 * rate)
    report("achieved share of configured", 100 * drained / elapsed / rate, "%", "≥", 90)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=150, help="configured messages per second")
    asyncio.run(main(parser.parse_args().rate))
