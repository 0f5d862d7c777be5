"""The fake exchange's history routes: open interest and candles over the past, paged as each venue
pages them (Binance by time window, Bybit by cursor, OKX back from `end`/`after`).

The past is a smooth, known path anchored at the fake's start: price and open interest swing on a
3-day and a 7-hour cycle around the fake's current values, so a test can compute what it should get
(`history_price`, `history_open_interest`). Binance keeps 30 days, OKX the latest 1,440 points.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from tests.fakes import exchange_payloads as pl

if TYPE_CHECKING:
    from tests.fakes.exchange import FakeExchange

__all__ = ["STEP_MS", "answer_history", "history_open_interest", "history_price"]

Answer = tuple[int, dict[str, str], Any]
STEP_MS = 300_000
DAY_MS = 86_400_000
BAR_MS = {"5m": STEP_MS, "5": STEP_MS, "1h": 3_600_000, "60": 3_600_000, "1H": 3_600_000}
OKX_KEPT_POINTS = 1_440


def history_price(fake: FakeExchange, coin: str, t_ms: int) -> float:
    """The fake's price of ``coin`` at ``t_ms`` on its known past path."""
    age = t_ms - fake.anchor_ms
    swing = 0.04 * math.sin(2 * math.pi * age / (3 * DAY_MS)) + 0.01 * math.sin(
        2 * math.pi * age / (7 * 3_600_000)
    )
    return fake.anchor_prices.get(coin, 1.0) * (1 + swing)


def history_open_interest(fake: FakeExchange, coin: str, t_ms: int) -> float:
    """The fake's open interest of ``coin`` (coins) at ``t_ms`` on its known past path."""
    age = t_ms - fake.anchor_ms
    swing = 0.15 * math.sin(2 * math.pi * age / (5 * DAY_MS)) + 0.03 * math.sin(
        2 * math.pi * age / (9 * 3_600_000)
    )
    return fake.anchor_open_interest.get(coin, 1.0) * (1 + swing)


def _grid(fake: FakeExchange, first_ms: int, last_ms: int, step_ms: int, kept: int) -> list[int]:
    """Grid times in ``[first_ms, last_ms]`` that the venue still keeps (oldest first)."""
    newest = fake.now_ms() // step_ms * step_ms
    oldest = max(newest - (kept - 1) * step_ms, fake.anchor_ms - int(fake.history_days * DAY_MS))
    start = max(first_ms, oldest)
    start = -(-start // step_ms) * step_ms
    return list(range(start, min(last_ms, newest) + 1, step_ms))


def _bar(fake: FakeExchange, coin: str, t_ms: int, step_ms: int) -> tuple[float, ...]:
    """(open, high, low, close, volume, taker buy volume) of the bar opened at ``t_ms``."""
    open_ = history_price(fake, coin, t_ms)
    close = history_price(fake, coin, t_ms + step_ms)
    volume = 10.0 * step_ms / STEP_MS
    buy = volume * (0.5 + 0.2 * math.sin(2 * math.pi * t_ms / (5 * 3_600_000)))
    return open_, max(open_, close) * 1.001, min(open_, close) * 0.999, close, volume, buy


def answer_history(
    fake: FakeExchange, venue: str, path: str, query: dict[str, str]
) -> Answer | None:
    """The answer to a history request, or None when the request is not one."""
    coin_symbol = query.get("symbol", "").removesuffix("USDT")
    if venue == "binance" and path == "/futures/data/openInterestHist":
        return _binance_open_interest(fake, coin_symbol, query)
    if venue == "binance" and path == "/fapi/v1/klines" and "startTime" in query:
        return _binance_klines(fake, coin_symbol, query)
    if venue == "bybit" and path == "/v5/market/open-interest":
        return _bybit_open_interest(fake, coin_symbol, query)
    if venue == "bybit" and path == "/v5/market/kline" and "start" in query:
        return _bybit_kline(fake, coin_symbol, query)
    if venue == "okx" and path == "/api/v5/rubik/stat/contracts/open-interest-history":
        return _okx_open_interest(fake, query)
    if venue == "okx" and path == "/api/v5/market/history-candles":
        return _okx_candles(fake, query)
    return None


def _binance_open_interest(fake: FakeExchange, coin: str, query: dict[str, str]) -> Answer:
    limit = min(int(query.get("limit", 30)), 500)
    now = fake.now_ms()
    times = _grid(fake, int(query.get("startTime", 0)), int(query.get("endTime", now)), STEP_MS,
                  30 * DAY_MS // STEP_MS)[:limit]  # fmt: skip
    return 200, {}, [
        {"symbol": f"{coin}USDT", "sumOpenInterest": pl.s(oi := history_open_interest(fake, coin, t)),
         "sumOpenInterestValue": pl.s(oi * history_price(fake, coin, t)), "CMCCirculatingSupply": "0",
         "timestamp": t}
        for t in times
    ]  # fmt: skip


def _binance_klines(fake: FakeExchange, coin: str, query: dict[str, str]) -> Answer:
    step = BAR_MS[query["interval"]]
    limit = min(int(query.get("limit", 500)), 1500)
    end = int(query.get("endTime", fake.now_ms()))
    rows = []
    for t in _grid(fake, int(query["startTime"]), end, step, 10**9)[:limit]:
        o, h, lo, c, v, buy = _bar(fake, coin, t, step)
        rows.append([t, pl.s(o), pl.s(h), pl.s(lo), pl.s(c), pl.s(v), t + step - 1, pl.s(v * c), 42,
                     pl.s(buy), pl.s(buy * c), "0"])  # fmt: skip
    return 200, {}, rows


def _bybit_open_interest(fake: FakeExchange, coin: str, query: dict[str, str]) -> Answer:
    limit = min(int(query.get("limit", 50)), 200)
    now = fake.now_ms()
    times = _grid(fake, int(query.get("startTime", 0)), int(query.get("endTime", now)), STEP_MS,
                  10**9)[::-1]  # fmt: skip
    offset = int(query.get("cursor") or 0)
    page = times[offset : offset + limit]
    cursor = str(offset + limit) if offset + limit < len(times) else ""
    items = [
        {"openInterest": pl.s(history_open_interest(fake, coin, t)), "timestamp": str(t)}
        for t in page
    ]
    result = {
        "symbol": f"{coin}USDT",
        "category": "linear",
        "list": items,
        "nextPageCursor": cursor,
    }
    return 200, {}, pl.bybit_envelope(result, now)


def _bybit_kline(fake: FakeExchange, coin: str, query: dict[str, str]) -> Answer:
    step = BAR_MS[query["interval"]]
    limit = min(int(query.get("limit", 200)), 1000)
    end = int(query.get("end", fake.now_ms()))
    times = _grid(fake, int(query["start"]), end, step, 10**9)[::-1][:limit]
    wire = []
    for t in times:
        o, h, lo, c, v, _ = _bar(fake, coin, t, step)
        wire.append([str(t), pl.s(o), pl.s(h), pl.s(lo), pl.s(c), pl.s(v), pl.s(v * c)])
    result = {"symbol": f"{coin}USDT", "category": "linear", "list": wire}
    return 200, {}, pl.bybit_envelope(result, fake.now_ms())


def _okx_open_interest(fake: FakeExchange, query: dict[str, str]) -> Answer:
    coin = query["instId"].split("-")[0]
    limit = min(int(query.get("limit", 100)), 100)
    before = int(query.get("end", fake.now_ms() + 1)) - 1
    times = _grid(fake, int(query.get("begin", 0)) + 1, before, STEP_MS, OKX_KEPT_POINTS)
    rows = []
    for t in times[::-1][:limit]:
        oi = history_open_interest(fake, coin, t)
        rows.append([str(t), pl.s(oi / pl.CONTRACT_VALUES[coin]), pl.s(oi),
                     pl.s(oi * history_price(fake, coin, t))])  # fmt: skip
    return 200, {}, pl.okx_envelope(rows)


def _okx_candles(fake: FakeExchange, query: dict[str, str]) -> Answer:
    coin, step = query["instId"].split("-")[0], BAR_MS[query["bar"]]
    limit = min(int(query.get("limit", 100)), 100)
    before = int(query.get("after", fake.now_ms() + 1)) - 1
    rows = []
    for t in _grid(fake, int(query.get("before", 0)) + 1, before, step, 10**9)[::-1][:limit]:
        o, h, lo, c, v, _ = _bar(fake, coin, t, step)
        rows.append([str(t), pl.s(o), pl.s(h), pl.s(lo), pl.s(c), pl.s(v * 100), pl.s(v),
                     pl.s(v * c), "1"])  # fmt: skip
    return 200, {}, pl.okx_envelope(rows)
