"""Model buckets from stored market data: what `bot.maps.service` feeds the model, interval by interval.

Time is cut into buckets of ``interval_s`` (default 5 minutes, aligned to the epoch); a bucket is
applied once it has ended. For each bucket:

- open interest at its end is the last snapshot's (coins; ``open_interest_usd / mark`` where only
  the USD value is known; unchanged where neither is);
- its low, high and close are the snapshots' mark prices (the trigger price of liquidations), widened
  by candles no longer than the bucket; the typical price is ``(high + low + close)/3``;
- the taker buy share is ``Σ taker_buy_volume / Σ volume`` of the candles overlapping the bucket:
  the backfilled 5-minute candles where there are some (`bot.market.backfill`), else the hourly
  ones the ingestor keeps (the hour's balance); ``None`` when unknown.

The first bucket of a venue and symbol only sets the baseline open interest.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.vocabulary.records import Candle, VenueSnapshot, from_ms, to_ms
from risk.clusters import Interval

__all__ = ["DEFAULT_INTERVAL_S", "BucketState", "intervals_from_market_data"]

DEFAULT_INTERVAL_S = 300
"""Model step: 5 minutes."""


@dataclass(frozen=True, slots=True)
class BucketState:
    """Where a venue and symbol's model stands: the end of the last bucket applied and its OI (coins)."""

    ended_at: datetime | None = None
    open_interest: float | None = None


@dataclass(slots=True)
class _Bucket:
    """The snapshots and fine candles of one bucket, reduced as they arrive."""

    low: float = math.inf
    high: float = -math.inf
    close: float = math.nan
    open_interest: float | None = None

    def add_snapshot(self, snapshot: VenueSnapshot) -> None:
        mark = snapshot.mark_price
        self.low, self.high, self.close = min(self.low, mark), max(self.high, mark), mark
        oi = snapshot.open_interest
        if oi is None and snapshot.open_interest_usd is not None and mark > 0:
            oi = snapshot.open_interest_usd / mark
        if oi is not None:
            self.open_interest = oi

    def widen(self, candle: Candle) -> None:
        self.low, self.high = min(self.low, candle.low), max(self.high, candle.high)


def _taker_buy_share(candles: Iterable[Candle]) -> float | None:
    known = [c for c in candles if c.taker_buy_volume is not None]
    volume = sum(c.volume for c in known)
    if volume <= 0:
        return None
    return min(1.0, max(0.0, sum(c.taker_buy_volume or 0.0 for c in known) / volume))


class _CandleIndex:
    """Candles by open time, so each bucket finds the ones overlapping it by bisection."""

    def __init__(self, candles: Sequence[Candle]) -> None:
        ordered = sorted(candles, key=lambda c: to_ms(c.open_time))
        self._opens = [to_ms(c.open_time) for c in ordered]
        self._candles = ordered
        self._longest_ms = max((c.interval_s * 1000 for c in ordered), default=0)

    def overlapping(self, start_ms: int, end_ms: int) -> list[Candle]:
        """Candles whose span meets ``[start_ms, end_ms)``."""
        lo = bisect.bisect_right(self._opens, start_ms - self._longest_ms)
        hi = bisect.bisect_left(self._opens, end_ms)
        return [
            c for c in self._candles[lo:hi] if to_ms(c.open_time) + c.interval_s * 1000 > start_ms
        ]


def intervals_from_market_data(
    snapshots: Sequence[VenueSnapshot],
    candles: Sequence[Candle],
    state: BucketState,
    *,
    interval_s: int = DEFAULT_INTERVAL_S,
    until: datetime,
) -> tuple[list[Interval], BucketState]:
    """The model's intervals for the buckets that ended by ``until``, and the state after them.

    Buckets at or before ``state.ended_at`` and buckets without snapshots are skipped (the next
    interval's duration covers the gap, so fading is not lost). See the module docstring.
    """
    step_ms = interval_s * 1000
    last_ms = to_ms(until) // step_ms * step_ms
    first_ms = to_ms(state.ended_at) if state.ended_at is not None else -math.inf
    buckets: dict[int, _Bucket] = {}
    for snapshot in snapshots:
        t = to_ms(snapshot.time)
        if first_ms <= t < last_ms and snapshot.mark_price > 0:
            buckets.setdefault(t // step_ms * step_ms, _Bucket()).add_snapshot(snapshot)
    intervals: list[Interval] = []
    index = _CandleIndex(candles)
    ended_at, oi = state.ended_at, state.open_interest
    for start_ms in sorted(buckets):
        bucket, end_ms = buckets[start_ms], start_ms + step_ms
        covering = index.overlapping(start_ms, end_ms)
        fine = [c for c in covering if c.interval_s <= interval_s and c.low > 0]
        for candle in fine:
            bucket.widen(candle)
        covering = fine or covering  # the finest candles say the bucket's own taker balance
        after = bucket.open_interest if bucket.open_interest is not None else oi
        if oi is not None and after is not None and ended_at is not None:
            typical = (bucket.high + bucket.low + bucket.close) / 3
            intervals.append(
                Interval(
                    end=from_ms(end_ms),
                    duration_s=(end_ms - to_ms(ended_at)) / 1000,
                    open_interest_before=oi,
                    open_interest_after=after,
                    typical_price=min(max(typical, bucket.low), bucket.high),
                    low=bucket.low,
                    high=bucket.high,
                    taker_buy_share=_taker_buy_share(covering),
                )
            )
        ended_at, oi = from_ms(end_ms), after
    return intervals, BucketState(ended_at, oi)
