"""Benchmark of the bot under generated chatter: 10,000 commands and texts, each from a new private
chat, through `python -m bot` against the fake Bot API (which refuses what Telegram would refuse) and
the fake exchange.

Every message is judged by `tests.fakes.chatter.verdict_of`: silent (no reply within the wait),
refused (Telegram would answer 400: too long, bad HTML, bad callback data), erroring (the apology, or
an exception name in a reply). Prints the three counts beside their target of 0 and the logged
handler errors; always exits 0. `BENCH_FUZZ_COMMANDS` changes the count, `BENCH_FUZZ_SEED` the seed.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bench.bench_bot import progress, warm_bot  # noqa: E402 - after the path set-up above
from handlers.errors import APOLOGY  # noqa: E402
from tests.fakes.chatter import REPLY_METHODS, random_message, verdict_of  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402
from tests.fakes.telegram_wire import BotApiCall  # noqa: E402

COMMANDS = int(os.environ.get("BENCH_FUZZ_COMMANDS", "10000"))
SEED = int(os.environ.get("BENCH_FUZZ_SEED", "12"))
IN_FLIGHT = 40
"""Messages awaiting a reply at once: above Telegram's ~30 messages/s, which the bot paces itself to."""
SILENT_AFTER_S = 20.0
SETTLE_S = 0.3
"""How long after a chat's first reply its other calls (an apology) are still counted."""
FIRST_CHAT = 5_000_000


class Judge:
    """Follows the calls the bot makes and settles each chat's verdict."""

    def __init__(self, tg: FakeTelegram) -> None:
        self.tg = tg
        self.seen = 0
        self.calls: dict[int, list[BotApiCall]] = {}
        self.first_reply: dict[int, float] = {}
        self.verdicts: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {}

    def read(self) -> None:
        """Take the calls made since the last look."""
        calls = self.tg.calls()
        for call in calls[self.seen :]:
            chat = call.chat_id
            if isinstance(chat, int) and chat >= FIRST_CHAT:
                self.calls.setdefault(chat, []).append(call)
                if call.method in REPLY_METHODS:
                    self.first_reply.setdefault(chat, time.perf_counter())
        self.seen = len(calls)

    def settle(self, pending: dict[int, tuple[str, float]]) -> None:
        """Judge every pending chat whose reply has settled or whose wait is over."""
        now = time.perf_counter()
        for chat, (text, sent) in list(pending.items()):
            replied = self.first_reply.get(chat)
            if replied is not None and now - replied < SETTLE_S:
                continue
            if replied is None and now - sent < SILENT_AFTER_S:
                continue
            verdict = verdict_of(self.calls.get(chat, []), APOLOGY)
            self.verdicts[verdict] += 1
            if verdict != "answered":
                self.examples.setdefault(verdict, []).append(text[:80])
            del pending[chat]


async def chatter(tg: FakeTelegram, count: int, seed: int) -> Judge:
    """Send `count` generated messages, `IN_FLIGHT` at a time, and judge every answer."""
    rng, judge = random.Random(seed), Judge(tg)
    pending: dict[int, tuple[str, float]] = {}
    sent = 0
    while sent < count or pending:
        while sent < count and len(pending) < IN_FLIGHT:
            chat, text = FIRST_CHAT + sent, random_message(rng)
            pending[chat] = (text, time.perf_counter())
            tg.push_message(chat, text)
            sent += 1
            if sent % 1000 == 0:
                progress(f"{sent} of {count} sent")
        await asyncio.sleep(0.02)
        judge.read()
        judge.settle(pending)
    return judge


async def main() -> None:
    """Run the chatter against the bot and print the counts."""
    async with warm_bot() as run:
        started = time.perf_counter()
        judge = await chatter(run.telegram, COMMANDS, SEED)
        elapsed_s = time.perf_counter() - started
    logged = run.log.count("error while handling an update")
    for verdict in ("silent", "refused", "erroring"):
        count = judge.verdicts[verdict]
        status = "ok" if count == 0 else "MISSED"
        print(f"{verdict} replies of {COMMANDS} generated messages: {count} (target <= 0) {status}")
        for text in judge.examples.get(verdict, [])[:5]:
            print(f"  e.g. {text!r}", file=sys.stderr)
    status = "ok" if logged == 0 else "MISSED"
    print(f"handler errors logged: {logged} (target <= 0) {status}")
    rate = COMMANDS / elapsed_s
    print(
        f"messages answered per second: {rate:.1f} msg/s (target >= 25) {'ok' if rate >= 25 else 'MISSED'}"
    )


if __name__ == "__main__":
    asyncio.run(main())
