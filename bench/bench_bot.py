"""Benchmark of /risk round trips: an update served by the fake Bot API to the sendMessage it causes,
through the real python-telegram-bot Application, with warm market data from the fake exchange, 20
chats at once. Prints p50 and p99 beside the target; always exits 0."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.app import tune_runtime
from bot.feeds.ingest import IngestConfig
from tests.e2e.harness import running_bot

CHATS = 20
ROUNDS = 30
WARM_UP_ROUNDS = 3
ROUND_EVERY_S = 1.0
"""20 chats a second: under Telegram's ~30 messages/s, which AIORateLimiter enforces (bursts included)."""
P99_TARGET_MS = 50.0


def report(figure: str, value: float, unit: str, op: str, target: float) -> None:
    """One line: `<figure>: <value> <unit> (target <op> <target>) ok|MISSED`."""
    verdict = "ok" if (value <= target if op == "<=" else value >= target) else "MISSED"
    print(f"{figure}: {value:.1f} {unit} (target {op} {target:g}) {verdict}", flush=True)


async def one_round(bot, number: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Send /risk from every chat at once; the latency of each reply in ms."""
    sent_at: dict[int, datetime] = {}
    base = len(bot.telegram.calls("sendMessage"))
    for chat in range(CHATS):
        chat_id = 1_000 + chat
        sent_at[chat_id] = datetime.now(UTC)
        bot.telegram.push_message(chat_id, f"/risk BTC {5 + number % 20}x long")
    replies = (await bot.telegram.wait_for("sendMessage", count=base + CHATS, timeout=30))[base:]
    return [(r.received_at - sent_at[r.chat_id]).total_seconds() * 1000 for r in replies]


async def main() -> None:
    """Run the rounds and print the figures."""
    tune_runtime()
    with tempfile.TemporaryDirectory() as tmp:
        # Production stream timings (pings every 20 s), not the tests' 50 ms ones.
        async with running_bot(
            Path(tmp), ingest_config=IngestConfig(), server_ping_interval_s=None
        ) as bot:
            latencies: list[float] = []
            start = time.perf_counter()
            for number in range(WARM_UP_ROUNDS + ROUNDS):
                round_start = time.perf_counter()
                measured = await one_round(bot, number)
                await asyncio.sleep(max(0.0, ROUND_EVERY_S - (time.perf_counter() - round_start)))
                if number >= WARM_UP_ROUNDS:
                    latencies.extend(measured)
                print(
                    f"… round {number + 1}/{WARM_UP_ROUNDS + ROUNDS}", file=sys.stderr, flush=True
                )
            elapsed = time.perf_counter() - start
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"samples: {len(latencies)} replies in {elapsed:.1f} s", file=sys.stderr)
    report("/risk round trip p50 (20 concurrent chats)", p50, "ms", "<=", P99_TARGET_MS)
    report("/risk round trip p99 (20 concurrent chats)", p99, "ms", "<=", P99_TARGET_MS)


if __name__ == "__main__":
    asyncio.run(main())
