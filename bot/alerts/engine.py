"""Position alerts: every active watch evaluated on every mark-price update, all of a symbol at once.

`AlertEngine` keeps the active watches of each (venue, symbol) in numpy arrays: the liquidation price
(computed once per watch with the risk engine and the tier table in force when the watch is first
loaded), the side, the chat's ladder and the ladder state. `on_mark`, the market's mark listener, only
records the newest tick per pair and wakes the engine's task (it never blocks the feed; a burst of
ticks of one pair collapses into its latest). The task computes the distances of that pair's watches
from the new mark, steps the ladder (bot/alert_rules.py, vectorised), and hands the alerts to the
`AlertBook` (gate, outbox, sender), then saves the changed ladder states (`watches.alert_state`).

Idempotency keys (watch ids are never reused, bot/store/migrations 0003): `pos:{watch}:{level}:{arm}`
for a ladder step, `pos:{watch}:crossed:{arm}` for the crossing (both supersede the watch's ladder
steps still waiting in the outbox: a closer step or the crossing makes them moot; the crossing itself
is never superseded), `cluster:{watch}:{price bin}:{n}` for a cluster in the way (checked by `check_clusters`,
every few seconds, against the combined liquidation map). Watches are reloaded every `reload_s` (new
and removed watches, chat settings) and at once after `watches_changed()`.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.alerts.book import Alert, AlertBook
from bot.alerts.ladder import (
    ClusterMemory,
    LadderState,
    cluster_due,
    evaluate_ladder,
    ladder_matrix,
    remember_cluster,
)
from bot.alerts.market_watch import MarketAlerts
from bot.maps.service import LiquidationMapService
from bot.market.state import MarketState
from bot.market.tiers import TierBook
from bot.render.alert_text import render_cluster, render_crossed, render_ladder
from bot.store import Store
from bot.vocabulary.clock import Clock
from bot.vocabulary.events import Signal
from bot.vocabulary.positions import watch_position
from bot.vocabulary.records import MarkTick, Watch
from risk.cluster_queries import find_clusters
from risk.errors import RiskError
from risk.liquidation import liquidation_price
from risk.liquidation_map import LiquidationMap
from risk.tiers import TierTable
from risk.venues import Side

__all__ = [
    "AlertEngine",
    "Alerts",
    "PairWatches",
    "start_alerts",
]

log = logging.getLogger(__name__)
TierProvider = Callable[[str, str], TierTable]
MapProvider = Callable[[str], LiquidationMap]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _terms(watch: Watch) -> tuple[object, ...]:
    """What the liquidation price of a watch depends on."""
    return (
        watch.venue, watch.symbol, watch.side, watch.leverage, watch.entry_price, watch.quantity,
        watch.margin_mode, watch.wallet_balance, watch.reference_liquidation_price,
    )  # fmt: skip


@dataclass
class PairWatches:
    """The watches of one venue and symbol, column by column."""

    watches: list[Watch]
    liquidation: FloatArray
    sides: FloatArray
    ladders: FloatArray
    levels: IntArray
    arms: IntArray
    clusters: list[ClusterMemory] = field(default_factory=list)

    def distances(self, mark: float) -> FloatArray:
        """Signed distance of every watch to its liquidation price, percent of mark (NaN: none)."""
        result: FloatArray = 100.0 * self.sides * (mark - self.liquidation) / mark
        return result

    def stored(self, index: int) -> dict[str, Any]:
        """The JSON state of one watch."""
        steps = int(np.count_nonzero(np.isfinite(self.ladders[index])))
        state = LadderState(int(self.levels[index]), int(self.arms[index])).to_stored(steps)
        return {**state, "clusters": self.clusters[index]}


class AlertEngine:
    """Watches in arrays, evaluated on every mark; see the module docstring."""

    def __init__(  # noqa: PLR0917 - the collaborators, each named once at the composition root
        self,
        store: Store,
        market: MarketState,
        tiers: TierProvider,
        maps: MapProvider,
        book: AlertBook,
        clock: Clock,
        *,
        reload_s: float = 10.0,
    ) -> None:
        self._store, self._market, self._tiers, self._maps = store, market, tiers, maps
        self.book, self._clock, self._reload_s = book, clock, reload_s
        self.pairs: dict[tuple[str, str], PairWatches] = {}
        self.lock = asyncio.Lock()
        """Held while watch state changes: ticks, reloads, cluster checks and market alerts."""
        self._liquidation: dict[int, tuple[tuple[object, ...], float]] = {}
        self._pending: dict[tuple[str, str], MarkTick] = {}
        self._wake = asyncio.Event()
        self._reload_due = True
        self._loaded_at: datetime | None = None
        self._fingerprint: tuple[int, int, float] = (0, 0, 0.0)

    @property
    def watch_count(self) -> int:
        """How many watches are being evaluated."""
        return sum(len(p.watches) for p in self.pairs.values())

    def on_mark(self, tick: MarkTick) -> None:
        """The mark listener: keep the newest tick of its pair and wake the task (never blocks)."""
        self._pending[(tick.venue, tick.symbol)] = tick
        self._wake.set()

    def watches_changed(self) -> None:
        """Reload the watches before the next evaluation (after /watch, /unwatch, /stop)."""
        self._reload_due = True
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Evaluate pending ticks until `stop` is set; reload every `reload_s` or when asked."""
        while not stop.is_set():
            waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            try:
                await asyncio.wait(waits, timeout=self._reload_s, return_when="FIRST_COMPLETED")
            finally:
                for wait in waits:
                    wait.cancel()
            self._wake.clear()
            try:
                await self.step()
            except Exception:  # an engine that dies silently misses every alert after it
                log.exception("alert evaluation failed")

    async def step(self) -> int:
        """Evaluate the pending ticks, then reload when due; returns how many alerts were made.

        Ticks go first so that a periodic reload never delays an alert; a reload asked for by
        `watches_changed` is done before the next tick anyway (its wake-up runs this step).
        """
        async with self.lock:
            now = self._clock()
            if self._loaded_at is None:
                await self._reload(now)
            ticks, self._pending = self._pending, {}
            made = await self._evaluate(list(ticks.values()), now)
            age_s = (now - self._loaded_at).total_seconds() if self._loaded_at else math.inf
            if self._reload_due:
                await self._reload(now)
            elif age_s >= self._reload_s:
                await self._refresh(now)
            return made

    async def _refresh(self, now: datetime) -> None:
        """The periodic check: chat settings always; the watches only when they changed."""
        ladders = {c: self.book.settings(c).ladder_pct for c in self.book.chats}
        await self.book.reload_chats()
        if await self._store.watches.fingerprint() != self._fingerprint:
            await self._reload(now)
            return
        if any(self.book.settings(c).ladder_pct != ladder for c, ladder in ladders.items()):
            known = self._known()
            self.pairs = {key: self._pair(p.watches, known) for key, p in self.pairs.items()}
        self._loaded_at = now

    async def evaluate(self, ticks: list[MarkTick]) -> int:
        """Evaluate these ticks now (tests and benchmarks; the task does the same)."""
        async with self.lock:
            return await self._evaluate(ticks, self._clock())

    async def reload(self) -> None:
        """Read the active watches and the chats again."""
        async with self.lock:
            await self._reload(self._clock())

    async def _reload(self, now: datetime) -> None:
        self._reload_due = False
        await self.book.reload_chats()
        self._fingerprint = await self._store.watches.fingerprint()
        watches = await self._store.watches.active()
        known = self._known()
        grouped: dict[tuple[str, str], list[Watch]] = {}
        for watch in watches:
            grouped.setdefault((watch.venue, watch.symbol), []).append(watch)
        self.pairs = {key: self._pair(ws, known) for key, ws in grouped.items()}
        seen = {w.id for w in watches}
        self._liquidation = {k: v for k, v in self._liquidation.items() if k in seen}
        self._loaded_at = now

    def _known(self) -> dict[int, tuple[PairWatches, int]]:
        """Where each loaded watch sits: its in-memory state outranks what was stored."""
        return {w.id: (p, i) for p in self.pairs.values() for i, w in enumerate(p.watches) if w.id}

    def _pair(self, watches: list[Watch], known: dict[int, tuple[PairWatches, int]]) -> PairWatches:
        ladders = [self.book.settings(w.chat_id).ladder_pct for w in watches]
        levels, arms, clusters = [], [], []
        for watch, ladder in zip(watches, ladders, strict=True):
            held = known.get(watch.id or 0)
            stored = held[0].stored(held[1]) if held else watch.alert_state
            state = LadderState.begun(stored, ladder)
            levels.append(state.level)
            arms.append(state.arm)
            memory = stored.get("clusters")
            clusters.append(dict(memory) if isinstance(memory, dict) else {})
        return PairWatches(
            watches=watches,
            liquidation=np.array([self._liquidation_of(w) for w in watches], dtype=np.float64),
            sides=np.array([1.0 if w.side == "long" else -1.0 for w in watches]),
            ladders=ladder_matrix(ladders),
            levels=np.array(levels, dtype=np.int64),
            arms=np.array(arms, dtype=np.int64),
            clusters=clusters,
        )

    def _liquidation_of(self, watch: Watch) -> float:
        """The watch's liquidation price, computed once (NaN: it cannot be liquidated).

        A wallet position's is the venue's own (`reference_liquidation_price`), not ours.
        """
        assert watch.id is not None
        if watch.synced:
            reference = watch.reference_liquidation_price
            return reference if reference is not None else math.nan
        terms = _terms(watch)
        cached = self._liquidation.get(watch.id)
        if cached is not None and cached[0] == terms:
            return cached[1]
        try:
            found = liquidation_price(watch_position(watch), self._tiers(watch.venue, watch.symbol))
            price = found.price if found.price is not None else math.nan
        except RiskError as exc:
            log.warning("watch %s has no liquidation price: %s", watch.id, exc)
            price = math.nan
        self._liquidation[watch.id] = (terms, price)
        return price

    async def _evaluate(self, ticks: list[MarkTick], now: datetime) -> int:
        alerts: list[Alert] = []
        changed: dict[int, dict[str, Any]] = {}
        for tick in ticks:
            pair = self.pairs.get((tick.venue, tick.symbol))
            if pair is None or not tick.mark_price > 0:
                continue
            distances = pair.distances(tick.mark_price)
            new_levels, fired, rearmed = evaluate_ladder(distances, pair.levels, pair.ladders)
            pair.arms = pair.arms + rearmed
            moved = np.flatnonzero(new_levels != pair.levels)
            pair.levels = new_levels
            alerts.extend(
                self._ladder_alert(pair, int(i), int(fired[i]), tick.mark_price)
                for i in np.flatnonzero(fired)
            )
            for i in moved:
                watch_id = pair.watches[i].id
                assert watch_id is not None
                changed[watch_id] = pair.stored(int(i))
        await self._publish(alerts, changed, now)
        return len(alerts)

    async def _publish(
        self, alerts: list[Alert], changed: dict[int, dict[str, Any]], now: datetime
    ) -> None:
        if alerts:
            await self.book.deliver(alerts, now)
        if changed:
            await self._store.watches.save_alert_states(changed)

    def _ladder_alert(self, pair: PairWatches, i: int, level: int, mark: float) -> Alert:
        watch, liquidation = pair.watches[i], float(pair.liquidation[i])
        assert watch.id is not None
        steps = pair.ladders[i][np.isfinite(pair.ladders[i])]
        arm = int(pair.arms[i])
        ladder = f"watch:{watch.id}:ladder"
        if level > len(steps):
            text, line = render_crossed(watch, liquidation, mark)
            key = f"pos:{watch.id}:crossed:{arm}"
            return Alert(key, watch.chat_id, "crossed", text, line, supersedes=ladder)
        distance = float(pair.distances(mark)[i])
        text, line = render_ladder(watch, float(steps[level - 1]), distance, liquidation, mark)
        key = f"pos:{watch.id}:{level}:{arm}"
        return Alert(key, watch.chat_id, "position", text, line, series=ladder, supersedes=ladder)

    async def check_clusters(self) -> int:
        """Announce large modeled clusters newly between a watch's mark and liquidation price."""
        async with self.lock:
            now = self._clock()
            alerts: list[Alert] = []
            changed: dict[int, dict[str, Any]] = {}
            for (venue, symbol), pair in self.pairs.items():
                quote = self._market.quote(venue, symbol, now)
                if quote is None or quote.mark_age_s > self._market.freshness.mark_s:
                    continue
                found = self._cluster_alerts(pair, self._maps(symbol), quote.mark_price, now)
                for index, alert in found:
                    alerts.append(alert)
                    watch_id = pair.watches[index].id
                    assert watch_id is not None
                    changed[watch_id] = pair.stored(index)
            await self._publish(alerts, changed, now)
            return len(alerts)

    def _cluster_alerts(
        self, pair: PairWatches, liq_map: LiquidationMap, mark: float, now: datetime
    ) -> list[tuple[int, Alert]]:
        out: list[tuple[int, Alert]] = []
        steps = np.count_nonzero(np.isfinite(pair.ladders), axis=-1)
        alive = np.isfinite(pair.liquidation) & (pair.levels <= steps)
        low, high = np.minimum(mark, pair.liquidation), np.maximum(mark, pair.liquidation)
        for side, sign in ((Side.LONG, 1.0), (Side.SHORT, -1.0)):
            for cluster in find_clusters(liq_map, side):
                inside = (
                    alive & (pair.sides == sign) & (low < cluster.price) & (cluster.price < high)
                )
                price_bin = liq_map.bin_of(cluster.price)
                for i in np.flatnonzero(inside):
                    if not cluster_due(pair.clusters[i], price_bin, now.timestamp()):
                        continue
                    memory, count = remember_cluster(pair.clusters[i], price_bin, now.timestamp())
                    pair.clusters[i] = memory
                    watch = pair.watches[i]
                    text, line = render_cluster(
                        watch, cluster.price, cluster.notional_usd, float(pair.liquidation[i]), mark
                    )
                    key = f"cluster:{watch.id}:{price_bin}:{count}"
                    out.append((int(i), Alert(key, watch.chat_id, "cluster", text, line)))
        return out


@dataclass
class Alerts:
    """Everything that alerts, as the worker runs it: position engine, market alerts, chat book."""

    engine: AlertEngine
    market: MarketAlerts
    book: AlertBook
    clock: Clock
    remove_listener: Callable[[], None] = lambda: None

    async def run(self, stop: asyncio.Event) -> None:
        """Evaluate marks until `stop` is set; then stop listening to the market."""
        try:
            await self.engine.run(stop)
        finally:
            self.remove_listener()

    async def send_digests(self) -> int:
        """Digests of held alerts that may go out now."""
        return await self.book.send_digests(self.clock())


async def start_alerts(
    store: Store,
    market: MarketState,
    tiers: TierBook,
    maps: LiquidationMapService,
    *,
    symbols: Sequence[str],
    clock: Clock,
    watches_changed: Signal,
    outbox_written: Signal,
) -> Alerts:
    """Load the chats and watches, listen to every mark, and reload when `watches_changed` fires."""
    book = AlertBook(store, clock, outbox_written.emit)
    await book.load()
    engine = AlertEngine(store, market, tiers, maps.combined_map, book, clock)
    await engine.reload()
    market_alerts = MarketAlerts(market, book, symbols, clock)
    disconnect = watches_changed.connect(engine.watches_changed)
    remove = market.add_mark_listener(engine.on_mark)

    def stop_listening() -> None:
        disconnect()
        remove()

    return Alerts(engine, market_alerts, book, clock, stop_listening)
