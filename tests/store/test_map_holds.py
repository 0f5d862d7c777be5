"""The maps the live score holds: stored whole, one per symbol, released when the hour is scored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from bot.store import Store
from risk.liquidation_map import LiquidationMap

START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def _map() -> LiquidationMap:
    """Longs below and shorts above a 90,000 mark, one bin holding both."""
    empty = LiquidationMap(0.1)
    bins = np.array([empty.bin_of(p) for p in (85_000.0, 88_000.0, 88_000.0, 95_000.0)])
    return empty.plus(
        bins,
        np.array([True, True, False, False]),
        np.array([1.5e6, 2.25e5, 7e4, 3.1e6]),
        as_of=None,
    )


async def test_a_held_map_reads_back_bin_for_bin(store: Store) -> None:
    """Start, mark and every bin's long and short USD come back as saved."""
    held = _map()
    await store.map_holds.save("BTC", (START, held, 90_123.5))
    start, loaded, mark = (await store.map_holds.load_all())["BTC"]
    assert (start, mark) == (START, 90_123.5)
    assert loaded.bin_width_pct == held.bin_width_pct
    assert loaded.first_bin == held.first_bin
    np.testing.assert_array_equal(loaded.long_usd, held.long_usd)
    np.testing.assert_array_equal(loaded.short_usd, held.short_usd)


async def test_an_empty_map_reads_back_empty(store: Store) -> None:
    """A map with no bins is stored and read back as empty."""
    await store.map_holds.save("ETH", (START, LiquidationMap(0.1), 3_000.0))
    assert (await store.map_holds.load_all())["ETH"][1].is_empty


async def test_one_hold_per_symbol_the_later_replaces_the_earlier(store: Store) -> None:
    """Saving a symbol's next hour replaces its hold; another symbol's stays."""
    later = START + timedelta(hours=1)
    await store.map_holds.save("BTC", (START, _map(), 90_000.0))
    await store.map_holds.save("ETH", (START, _map(), 3_000.0))
    await store.map_holds.save("BTC", (later, _map(), 91_000.0))
    holds = await store.map_holds.load_all()
    assert {s: (h[0], h[2]) for s, h in holds.items()} == {
        "BTC": (later, 91_000.0),
        "ETH": (START, 3_000.0),
    }


async def test_delete_drops_only_the_hold_of_that_hour(store: Store) -> None:
    """Deleting an hour no longer held leaves the symbol's later hold in place."""
    await store.map_holds.save("BTC", (START + timedelta(hours=1), _map(), 90_000.0))
    await store.map_holds.delete("BTC", START)
    assert list(await store.map_holds.load_all()) == ["BTC"]
    await store.map_holds.delete("BTC", START + timedelta(hours=1))
    assert await store.map_holds.load_all() == {}


async def test_scoring_an_hour_releases_its_hold(store: Store) -> None:
    """Adding an hour's score deletes that hour's hold with it; rescoring replaces the row."""
    await store.map_holds.save("BTC", (START, _map(), 90_000.0))
    await store.map_scores.add("BTC", START, (100.0, 50.0, 10.0))
    assert await store.map_holds.load_all() == {}
    await store.map_scores.add("BTC", START, (100.0, 50.0, 10.0))
    assert await store.map_scores.totals("BTC", START) == (1, 100.0, 50.0, 10.0)
