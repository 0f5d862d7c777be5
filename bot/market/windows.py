"""Rolling liquidation totals over 1h, 4h, 12h, 24h and 7d, updated in O(1) amortised per event.

One log holds the last 7 days of events column by column (fixed-size chunks of `array`s: about 29
bytes per event, no Python object per event). Each window keeps a head index into it and running sums
and counts per (venue, symbol, side). One monotonic deque per symbol (indices whose notional exceeds
every later one's) serves all windows: since the windows share their right end, a window's largest
event is the first deque entry at or after its head. Adding an event updates every window it falls
in; `advance(now)` walks each head past the events that left its window and subtracts them.

Events are expected roughly in time order (they arrive live, or sorted from the database). A late
event is added only to the windows its time falls in; it leaves them when the head reaches its place
in the log, so lateness of a few seconds delays its eviction by as much (and a late event that beats
earlier ones in the largest-deque may hide them from a shorter window's "largest").
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from bot.vocabulary.quotes import WindowTotals
from bot.vocabulary.records import LiquidationEvent, PositionSide, from_ms, to_ms

__all__ = [
    "WINDOWS",
    "LiquidationWindows",
]

WINDOWS: Mapping[str, timedelta] = {
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "12h": timedelta(hours=12),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}
CHUNK_BITS = 16
CHUNK = 1 << CHUNK_BITS
MASK = CHUNK - 1
SIDES: tuple[PositionSide, PositionSide] = ("long", "short")


class _Chunk:
    __slots__ = ("notional", "price", "side", "symbol", "ts", "venue", "window")

    def __init__(self) -> None:
        self.ts = array("q", bytes(8 * CHUNK))
        self.notional = array("d", bytes(8 * CHUNK))
        self.price = array("d", bytes(8 * CHUNK))
        self.venue = array("B", bytes(CHUNK))
        self.symbol = array("H", bytes(2 * CHUNK))
        self.side = array("B", bytes(CHUNK))
        self.window = array("B", bytes(CHUNK))  # index of the smallest window the event went into


class _Largest:
    """A monotonic deque: event indices with their notionals, decreasing from the left."""

    __slots__ = ("ids", "values")

    def __init__(self) -> None:
        self.ids: deque[int] = deque()
        self.values: deque[float] = deque()

    def push(self, seq: int, notional: float, head: int) -> None:
        ids, values = self.ids, self.values
        while ids and ids[0] < head:
            ids.popleft()
            values.popleft()
        while values and values[-1] <= notional:
            values.pop()
            ids.pop()
        ids.append(seq)
        values.append(notional)

    def first(self, head: int, eligible: Callable[[int], bool]) -> int | None:
        """The largest event at or after `head` that `eligible` accepts."""
        for seq in self.ids:  # ascending, notionals decreasing: the first match is the largest
            if seq >= head and eligible(seq):
                return seq
        return None


class _Window:
    __slots__ = ("head", "index", "span_ms", "sums")

    def __init__(self, index: int, span_ms: int, head: int) -> None:
        self.index = index
        self.span_ms = span_ms
        self.head = head
        self.sums: dict[int, list[float]] = {}  # key → [notional, count]


class LiquidationWindows:
    """The rolling windows; `add` events, `advance(now)` to evict, `totals` to read."""

    def __init__(self, windows: Mapping[str, timedelta] = WINDOWS) -> None:
        self._spans = sorted(windows.items(), key=lambda item: item[1])
        self.clear()

    def clear(self) -> None:
        """Forget every event."""
        spans = self._spans
        self._names = [name for name, _ in spans]
        self._windows = [
            _Window(i, int(span.total_seconds() * 1000), 0) for i, (_, span) in enumerate(spans)
        ]
        self._chunks: deque[_Chunk] = deque()
        self._base = 0  # sequence number of the first slot of the first chunk
        self._end = 0  # sequence number of the next event
        self._venues: list[str] = []
        self._venue_ids: dict[str, int] = {}
        self._symbols: list[str] = []
        self._symbol_ids: dict[str, int] = {}
        self._now_ms = 0
        self._largest: dict[int, _Largest] = {}  # per symbol, over the longest window
        self._sums = [window.sums for window in self._windows]
        self._shortest_ms = self._windows[0].span_ms
        self._first_ms: int | None = None  # the oldest event ever added

    def __len__(self) -> int:
        """Events held (those inside the longest window)."""
        return self._end - self._windows[-1].head

    @property
    def names(self) -> list[str]:
        """Window names, shortest first."""
        return list(self._names)

    def _intern(self, venue: str, symbol: str) -> tuple[int, int]:
        venue_id = self._venue_ids.get(venue)
        if venue_id is None:
            venue_id = self._venue_ids[venue] = len(self._venues)
            self._venues.append(venue)
        symbol_id = self._symbol_ids.get(symbol)
        if symbol_id is None:
            symbol_id = self._symbol_ids[symbol] = len(self._symbols)
            self._symbols.append(symbol)
        return venue_id, symbol_id

    def add(self, event: LiquidationEvent) -> None:
        """Count one event in every window its time falls in (older than every window: ignored)."""
        self.add_raw(
            to_ms(event.time), event.notional_usd, event.price, event.venue, event.symbol,
            0 if event.side == "long" else 1,
        )  # fmt: skip

    def add_raw(  # noqa: PLR0917 - positional on the hot path, as `add` calls it
        self, ts_ms: int, notional: float, price: float, venue: str, symbol: str, side: int
    ) -> None:
        """`add` from plain values (side 0 = long, 1 = short)."""
        if ts_ms >= self._now_ms - self._shortest_ms:
            first = 0  # the live case: the event is in every window
        else:
            now_ms, first = max(self._now_ms, ts_ms), 0
            for window in self._windows:
                if ts_ms >= now_ms - window.span_ms:
                    break
                first += 1
            else:
                return
        if self._first_ms is None or ts_ms < self._first_ms:
            self._first_ms = ts_ms
        venue_id = self._venue_ids.get(venue)
        symbol_id = self._symbol_ids.get(symbol)
        if venue_id is None or symbol_id is None:
            venue_id, symbol_id = self._intern(venue, symbol)
        seq = self._end
        if seq - self._base == len(self._chunks) << CHUNK_BITS:
            self._chunks.append(_Chunk())
        chunk, slot = self._chunks[(seq - self._base) >> CHUNK_BITS], seq & MASK
        chunk.ts[slot], chunk.notional[slot], chunk.price[slot] = ts_ms, notional, price
        chunk.venue[slot], chunk.symbol[slot], chunk.side[slot] = venue_id, symbol_id, side
        chunk.window[slot] = first
        self._end = seq + 1
        key = (venue_id << 17) | (symbol_id << 1) | side
        for sums in self._sums[first:] if first else self._sums:
            held = sums.get(key)
            if held is None:
                sums[key] = [notional, 1]
            else:
                held[0] += notional
                held[1] += 1
        largest = self._largest.get(symbol_id)
        if largest is None:
            largest = self._largest[symbol_id] = _Largest()
        largest.push(seq, notional, self._windows[-1].head)

    def extend(self, events: Iterable[LiquidationEvent]) -> None:
        """`add` each event."""
        for event in events:
            self.add(event)

    def heard_since(self, now: datetime) -> datetime | None:
        """The oldest event's time, at most the longest window back: how long liquidations have
        been heard (a quiet stretch before the first event does not count); None before any."""
        if self._first_ms is None:
            return None
        return from_ms(max(self._first_ms, to_ms(now) - self._windows[-1].span_ms))

    def advance(self, now: datetime) -> None:
        """Evict the events that are older than each window at `now`."""
        self._now_ms = now_ms = max(self._now_ms, to_ms(now))
        for window in self._windows:
            self._evict(window, now_ms - window.span_ms)
        while self._chunks and self._windows[-1].head - self._base >= CHUNK:
            self._chunks.popleft()
            self._base += CHUNK

    def _evict(self, window: _Window, cutoff_ms: int) -> None:
        head, end, base, chunks = window.head, self._end, self._base, self._chunks
        sums = window.sums
        while head < end:
            chunk, slot = chunks[(head - base) >> CHUNK_BITS], head & MASK
            if chunk.ts[slot] >= cutoff_ms:
                break
            if chunk.window[slot] <= window.index:
                key = (chunk.venue[slot] << 17) | (chunk.symbol[slot] << 1) | chunk.side[slot]
                held = sums[key]
                held[0] -= chunk.notional[slot]
                held[1] -= 1
                if not held[1]:
                    del sums[key]
            head += 1
        window.head = head

    def _largest_in(self, window: _Window, symbol_id: int | None) -> int | None:
        def eligible(seq: int) -> bool:
            chunk = self._chunks[(seq - self._base) >> CHUNK_BITS]
            return chunk.window[seq & MASK] <= window.index

        if symbol_id is not None:
            largest = self._largest.get(symbol_id)
            return largest.first(window.head, eligible) if largest is not None else None
        best: int | None = None
        for largest in self._largest.values():
            seq = largest.first(window.head, eligible)
            if seq is not None and (best is None or self._notional(seq) > self._notional(best)):
                best = seq
        return best

    def _notional(self, seq: int) -> float:
        return self._chunks[(seq - self._base) >> CHUNK_BITS].notional[seq & MASK]

    def _event(self, seq: int) -> LiquidationEvent:
        chunk, slot = self._chunks[(seq - self._base) >> CHUNK_BITS], seq & MASK
        price, notional = chunk.price[slot], chunk.notional[slot]
        return LiquidationEvent(
            self._venues[chunk.venue[slot]], self._symbols[chunk.symbol[slot]],
            SIDES[chunk.side[slot]], price, notional / price, notional, from_ms(chunk.ts[slot]),
        )  # fmt: skip

    def totals(self, name: str, now: datetime, symbol: str | None = None) -> WindowTotals:
        """The totals of window `name` at `now`, for every symbol or one."""
        self.advance(now)
        window = self._windows[self._names.index(name)]
        symbol_id = self._symbol_ids.get(symbol, -1) if symbol is not None else None
        by_venue: dict[str, float] = {}
        by_symbol: dict[str, float] = {}
        count_by_venue: dict[str, int] = {}
        sides = [0.0, 0.0]
        for key, (notional, count) in window.sums.items():
            if symbol_id is not None and (key >> 1) & 0xFFFF != symbol_id:
                continue
            venue, coin = self._venues[key >> 17], self._symbols[(key >> 1) & 0xFFFF]
            sides[key & 1] += notional
            by_venue[venue] = by_venue.get(venue, 0.0) + notional
            by_symbol[coin] = by_symbol.get(coin, 0.0) + notional
            count_by_venue[venue] = count_by_venue.get(venue, 0) + int(count)
        top = self._largest_in(window, symbol_id)
        start = from_ms(self._now_ms - window.span_ms)
        return WindowTotals(
            name, start, from_ms(self._now_ms), symbol, sum(count_by_venue.values()),
            sides[0] + sides[1], sides[0], sides[1],
            dict(sorted(by_venue.items(), key=lambda kv: -kv[1])),
            dict(sorted(by_symbol.items(), key=lambda kv: -kv[1])),
            count_by_venue, self._event(top) if top is not None else None,
        )  # fmt: skip
