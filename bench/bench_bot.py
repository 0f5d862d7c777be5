"""Benchmark of /risk round trips: from the update the fake Bot API serves to the sendMessage it
receives, with warm market data, in three patterns: one chat at a time; 20 chats active at once, each
sending a command a second (their seconds offset evenly); and 20 chats sending at the same instant.

The bot runs as users run it, `python -m bot`, in its own process (so it does not share an interpreter
with the fakes, as it would not share one with Telegram), pointed at the fake Bot API and the fake
exchange on loopback by its settings alone. Prints p50 and p99 beside the target; always exits 0.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from tests.fakes.exchange import FakeExchange  # noqa: E402 - after the path set-up above
from tests.fakes.telegram import FakeTelegram  # noqa: E402

CHATS = 20
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
WARM_UP_ROUNDS = 3
ROUND_EVERY_S = 1.0
"""20 chats a second: under Telegram's ~30 messages/s, which the bot's rate limiter enforces."""
P99_TARGET_MS = 50.0
BURST_P99_TARGET_MS = 100.0
"""Twenty /risk at the same instant queue on one event loop: issue 12 holds their p99 to 100 ms."""


def report(figure: str, value: float, unit: str, target: float) -> None:
    """One line: `<figure>: <value> <unit> (target <= <target>) ok|MISSED`."""
    verdict = "ok" if value <= target else "MISSED"
    print(f"{figure}: {value:.1f} {unit} (target <= {target:g}) {verdict}", flush=True)


async def start_bot(tg: FakeTelegram, ex: FakeExchange, tmp: str) -> asyncio.subprocess.Process:
    """`python -m bot` pointed at the fakes, its output in a log file."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db",
        "SYMBOLS": "BTC,ETH",
        "LOG_LEVEL": "WARNING",
        **{name.upper(): value for name, value in ex.settings_overrides().items()},
    }
    profile = (
        ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]]
        if "BENCH_PROFILE" in os.environ
        else []
    )
    log = Path(tmp, "bot.log").open("w")  # noqa: SIM115, ASYNC230 - the process outlives this function
    return await asyncio.create_subprocess_exec(
        sys.executable, *profile, "-m", "bot", cwd=tmp, env=env, stdout=log, stderr=log
    )


@dataclass
class BotRun:
    """A running `python -m bot`: the fake Bot API it talks to, and its log once it has stopped."""

    telegram: FakeTelegram
    log: str = ""


@asynccontextmanager
async def warm_bot() -> AsyncIterator[BotRun]:
    """`python -m bot` against fresh fakes, answering /risk with market data; its log kept at exit."""
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram() as tg, FakeExchange(("BTC", "ETH")) as ex:
            bot = await start_bot(tg, ex, tmp)
            run = BotRun(tg)
            try:
                await warm(tg)
                yield run
            finally:
                bot.terminate()
                await bot.wait()
                run.log = read_log(Path(tmp, "bot.log"))


def read_log(path: Path) -> str:
    """The bot's log file."""
    return path.read_text()


async def ask(tg: FakeTelegram, chats: range, text: str) -> list[float]:
    """Send `text` from every chat at once; the latency of each reply in ms."""
    sent_at: dict[int, datetime] = {}
    base = len(tg.calls("sendMessage"))
    for chat_id in chats:
        sent_at[chat_id] = datetime.now(UTC)
        tg.push_message(chat_id, text)
    replies = (await tg.wait_for("sendMessage", count=base + len(chats), timeout=60))[base:]
    return [(r.received_at - sent_at[r.chat_id]).total_seconds() * 1000 for r in replies]


async def warm(tg: FakeTelegram) -> None:
    """Wait until the bot answers /risk with a liquidation price (market data has arrived)."""
    for _ in range(120):
        base = len(tg.calls("sendMessage"))
        tg.push_message(1, "/risk BTC 10x long")
        reply = (await tg.wait_for("sendMessage", count=base + 1, timeout=60))[base]
        if "Liquidation" in (reply.text or ""):
            return
        await asyncio.sleep(0.5)
    raise RuntimeError("the bot never had market data")


async def staggered(tg: FakeTelegram, seconds: int) -> list[float]:
    """20 chats active at once, each sending /risk once a second, their seconds offset evenly."""
    sent_at: dict[int, datetime] = {}
    base = len(tg.calls("sendMessage"))
    begin = time.perf_counter()
    for tick in range(seconds * CHATS):
        await asyncio.sleep(max(0.0, begin + tick / CHATS - time.perf_counter()))
        chat_id = 3_000 + tick  # one message per chat id, so each reply maps to its request
        sent_at[chat_id] = datetime.now(UTC)
        tg.push_message(chat_id, f"/risk BTC {5 + tick % 20}x long")
    replies = (await tg.wait_for("sendMessage", count=base + len(sent_at), timeout=60))[base:]
    return [(r.received_at - sent_at[r.chat_id]).total_seconds() * 1000 for r in replies]


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def main() -> None:
    """Run the three patterns and print the figures."""
    async with warm_bot() as run:
        tg = run.telegram
        progress("one chat at a time")
        alone: list[float] = []
        for number in range(ROUNDS * 2):
            alone += await ask(tg, range(2_000 + number, 2_001 + number), "/risk BTC 10x long")
        progress("20 chats, each once a second, staggered")
        spread = await staggered(tg, ROUNDS)
        progress("20 chats at the same instant")
        burst: list[float] = []
        for number in range(WARM_UP_ROUNDS + ROUNDS):
            started = time.perf_counter()
            measured = await ask(
                tg, range(1_000, 1_000 + CHATS), f"/risk BTC {5 + number % 20}x long"
            )
            if number >= WARM_UP_ROUNDS:
                burst += measured
            await asyncio.sleep(max(0.0, ROUND_EVERY_S - (time.perf_counter() - started)))
    for label, values, p99_target in (
        ("one chat at a time", alone, P99_TARGET_MS),
        ("20 concurrent chats, 1 command/s each, staggered", spread, P99_TARGET_MS),
        ("20 concurrent chats, all at the same instant", burst, BURST_P99_TARGET_MS),
    ):
        report(f"/risk round trip p50 ({label})", statistics.median(values), "ms", P99_TARGET_MS)
        report(f"/risk round trip p99 ({label})", percentile(values, 0.99), "ms", p99_target)


def progress(label: str) -> None:
    """Say what runs now (stderr, so the figures stay one line each)."""
    print(f"… {label}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
