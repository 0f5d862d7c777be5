"""Alerts benchmark: one tick over 100,000 watches, mark-to-message latency, and the delivery drain.

Run from the repository root: `python bench/bench_alerts.py`. Figures:

- the vectorised ladder step (distances from the new mark + `evaluate_ladder`) over 100,000 watches of
  one symbol with per-chat ladders, the median of 50 ticks after warm-up (target ≤ 50 ms; the slowest
  is printed too: on a shared machine it carries the neighbours' load);
- with 10,000 watches loaded in the running bot (real Application, store, feeds and sender against the
  fake exchange and the fake Bot API): from `push_marks` on the fake exchange's WebSocket to the
  `sendMessage` arriving at the fake Bot API, p99 over 120 alerts (target ≤ 100 ms). Each tick makes
  exactly one watch (in its own chat) cross its 10 % step; the other 9,880 (2x shorts) stay far away.
  The bot runs with production stream timings (the tests' 50 ms pings would be load no deployment has);
- a replayed day (tests/e2e/replay.py): 30 chats whose watches are added, alert, are removed and
  added again while the fake Bot API answers 429 and 5xx now and then, on SQLite and (when a server
  is at TEST_POSTGRES_URL) PostgreSQL: the alerts the pure ladder rule expects, how many reached the
  fake Bot API, and how many were lost, duplicated or out of order in their chat (targets 0);
- with `--drain`, the 10,000-alert drain of bench/bench_delivery.py, run as is and its lines repeated
  (it takes longer than this bench's 90 s budget, so it is not run by default).

Prints `<figure>: <value> <unit> (target <op> <value>) ok|MISSED`; exits 0 either way.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402 - after the path and PTB set-up above
from sqlalchemy import insert  # noqa: E402
from telegram import Bot  # noqa: E402

from bot.alerts.engine import PairWatches  # noqa: E402
from bot.alerts.ladder import evaluate_ladder, ladder_matrix  # noqa: E402
from bot.market.ingest import IngestConfig  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store.tables import chats, watches  # noqa: E402
from bot.vocabulary.alert_settings import AlertSettings  # noqa: E402
from bot.vocabulary.positions import watch_position  # noqa: E402
from bot.vocabulary.records import Watch  # noqa: E402
from risk.liquidation import liquidation_price  # noqa: E402
from tests import databases  # noqa: E402
from tests.e2e.harness import RunningBot, running_bot  # noqa: E402
from tests.e2e.replay import ReplayScore, replay_day  # noqa: E402
from tests.fakes.telegram import BotApiCall, FakeTelegram  # noqa: E402

NOW = datetime.now(UTC)
PROBES = 120
DRAIN_TIMEOUT_S = 180
BACKGROUND = 10_000 - PROBES


def report(figure: str, value: float, unit: str, op: str, target: float) -> None:
    """Print one figure against its target."""
    met = value <= target if op == "≤" else value >= target
    print(f"{figure}: {value:,.1f} {unit} (target {op} {target:,.1f}) {'ok' if met else 'MISSED'}")


def progress(label: str) -> None:
    """Say what runs now (on stderr, so the figures stay clean)."""
    print(f"… {label}", file=sys.stderr, flush=True)


def bench_one_tick(count: int = 100_000, ticks: int = 50) -> list[float]:
    """Milliseconds of each vectorised evaluation of `count` watches, over `ticks` ticks."""
    rng = np.random.default_rng(7)
    ladders = [(10.0, 5.0, 2.0), (15.0, 8.0, 3.0, 1.0), (5.0, 2.0)]
    pair = PairWatches(
        watches=[],
        liquidation=rng.uniform(40_000, 140_000, count),
        sides=rng.choice([1.0, -1.0], count),
        ladders=ladder_matrix([ladders[i % 3] for i in range(count)]),
        levels=np.zeros(count, dtype=np.int64),
        arms=np.zeros(count, dtype=np.int64),
    )
    marks = 90_000 * np.exp(np.cumsum(rng.normal(0, 0.002, ticks + 5)))
    times = []
    for i, mark in enumerate(marks):
        start = time.perf_counter()
        distances = pair.distances(float(mark))
        levels, fired, rearmed = evaluate_ladder(distances, pair.levels, pair.ladders)
        pair.arms = pair.arms + rearmed
        pair.levels = levels
        np.flatnonzero(fired)
        elapsed = (time.perf_counter() - start) * 1000
        if i >= 5:
            times.append(elapsed)
    return times


async def seed(bot: RunningBot) -> list[float]:
    """10,000 BTC longs on Binance; returns the mark that makes probe k cross its 10 % step."""
    table = bot.services.tiers("binance", "BTC")
    probe_settings = AlertSettings(ladder_pct=(10.0,)).with_mode("crossed", "off").to_stored()
    chat_rows = [
        {"id": 1_000 + k, "type": "private", "title": None, "timezone": "UTC",
         "settings": probe_settings, "paused": False, "created_at": NOW, "updated_at": NOW}
        for k in range(PROBES)
    ] + [
        {"id": 10_000 + c, "type": "private", "title": None, "timezone": "UTC",
         "settings": {}, "paused": False, "created_at": NOW, "updated_at": NOW}
        for c in range(1_000)
    ]  # fmt: skip
    watch_rows, triggers = [], []
    for k in range(PROBES):
        entry = 100_000 * 0.985**k
        watch = Watch(1_000 + k, "binance", "BTC", "long", 10, entry, 0.01)
        lp = liquidation_price(watch_position(watch), table).price
        assert lp is not None
        triggers.append(lp / 0.91)
        watch_rows.append(_row(watch))
    for i in range(BACKGROUND):  # 2x shorts entered at 110,000-150,000: liquidation far above
        entry = 110_000 + (i % 400) * 100
        watch_rows.append(
            _row(Watch(10_000 + i % 1_000, "binance", "BTC", "short", 2, entry, 0.01))
        )
    async with bot.services.store.engine.begin() as conn:
        await conn.execute(insert(chats), chat_rows)
        await conn.execute(insert(watches), watch_rows)
    return triggers


def _row(watch: Watch) -> dict[str, object]:
    return {
        "chat_id": watch.chat_id, "venue": watch.venue, "symbol": watch.symbol,
        "side": watch.side, "leverage": watch.leverage, "entry_price": watch.entry_price,
        "quantity": watch.quantity, "margin_mode": "isolated", "wallet_balance": None,
        "paused": False, "alert_state": {}, "created_at": NOW,
    }  # fmt: skip


def sent_to(chat: str) -> Callable[[BotApiCall], bool]:
    """A predicate for the calls addressed to chat id `chat`."""
    return lambda call: str(call.chat_id) == chat


async def bench_latency() -> list[float]:
    """Mark pushed on the fake exchange → sendMessage at the fake Bot API, ms per probe."""
    with tempfile.TemporaryDirectory() as tmp:
        # Production stream timings (pings every 20 s), not the tests' 50 ms ones.
        async with running_bot(
            Path(tmp),
            coins=("BTC", "ETH"),
            ingest_config=IngestConfig(),
            server_ping_interval_s=None,
        ) as bot:
            bot.exchange.set_price("BTC", 110_000)
            await bot.exchange.push_marks("binance")
            triggers = await seed(bot)
            progress("10,000 watches stored; waiting for the engine to load them")
            bot.services.watches_changed.emit()
            await bot.exchange.push_marks("binance")
            await asyncio.sleep(3.0)
            latencies = []
            for k, price in enumerate(triggers):
                bot.exchange.set_price("BTC", price)
                chat = str(1_000 + k)
                start = time.perf_counter()
                await bot.exchange.push_marks("binance")
                await bot.telegram.wait_for("sendMessage", predicate=sent_to(chat))
                latencies.append((time.perf_counter() - start) * 1000)
                await asyncio.sleep(0.1)
            return latencies


async def replay_on(url: str) -> ReplayScore:
    """One replayed day of alerts on the database at `url`."""
    store = await Store.open(url)
    try:
        async with FakeTelegram() as tg, Bot(tg.token, base_url=tg.base_url) as bot:
            return await replay_day(store, tg, bot, chats=30, step_min=5.0)
    finally:
        await store.close()


def bench_replay() -> None:
    """A replayed day on SQLite and, when a server is there, PostgreSQL; its figures."""
    targets: list[tuple[str, str | None, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("SQLite", f"sqlite+aiosqlite:///{tmp}/replay.db", ""))
        url, why = databases.create_postgres_database()
        targets.append(("PostgreSQL", url, why))
        for name, target, reason in targets:
            if target is None:
                print(f"replayed day on {name}: skipped ({reason})")
                continue
            progress(f"a replayed day of alerts on {name} (about a minute)")
            logging.disable(logging.WARNING)  # its 429s and 5xx are logged; the score counts them
            try:
                score = asyncio.run(replay_on(target))
            finally:
                logging.disable(logging.NOTSET)
            label = f"replayed day on {name} ({score.chats} chats, {score.watches} watches)"
            print(
                f"{label}: expected {score.expected} alerts; Telegram answered 429 {score.throttled} times"
            )
            report(f"{label}: delivered", score.delivered, "alerts", "≥", score.expected)
            report(f"{label}: lost", score.lost, "alerts", "≤", 0)
            report(f"{label}: duplicated", score.duplicated, "alerts", "≤", 0)
            report(f"{label}: out of order", score.out_of_order, "alerts", "≤", 0)
        if url is not None:
            databases.drop_postgres_database(url)


def bench_drain() -> None:
    """Run bench/bench_delivery.py and repeat its figures."""
    script = ROOT / "bench" / "bench_delivery.py"
    if not script.exists():
        print("delivery drain: bench/bench_delivery.py not found MISSED")
        return
    try:
        done = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=DRAIN_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        print("delivery drain: bench/bench_delivery.py did not finish in time MISSED")
        return
    for line in done.stdout.splitlines():
        if "(target" in line:
            print(line)


def main() -> None:
    """Every figure, in order."""
    progress("one tick over 100,000 watches")
    times = bench_one_tick()
    print(f"one tick over 100,000 watches: slowest of {len(times)} {max(times):.1f} ms")
    report("one tick over 100,000 watches (median)", float(np.median(times)), "ms", "≤", 50)
    progress("mark → sendMessage with 10,000 watches")
    latencies = asyncio.run(bench_latency())
    p50, p99 = np.percentile(latencies, [50, 99])
    worst = ", ".join(f"{v:.0f}" for v in sorted(latencies)[-3:])
    print(
        f"mark → sendMessage, 10,000 watches: p50 {p50:.1f} ms, worst {worst} ms ({len(latencies)} alerts)"
    )
    report("mark → sendMessage p99, 10,000 watches", float(p99), "ms", "≤", 100)
    bench_replay()
    if "--drain" in sys.argv:
        progress("10,000 queued alerts drained (bench/bench_delivery.py)")
        bench_drain()
    else:
        progress(
            "the 10,000-alert drain: python bench/bench_delivery.py (or this bench with --drain)"
        )


if __name__ == "__main__":
    main()
