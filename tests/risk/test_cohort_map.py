"""The cohort map: the vectorised pass against the interval-by-interval reference, and its rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

from risk.cohort_book import advance_book, book_map, replay_book, start_book
from risk.cohort_map import (
    build_levels,
    cohort_map,
    gross_openings,
    level_log_ratios,
    levels_map,
    side_totals,
)
from risk.map_fit import MapFit
from risk.market_history import MarketHistory, first_crossings
from risk.tiers import default_tier_table
from tests.risk.strategies import map_fits, market_histories

TABLE = default_tier_table("binance", "BTC")
RATIOS = np.log([[0.9, 0.95], [1.1, 1.05]])
TWO = MapFit(((10.0, 0.5), (20.0, 0.5)))


def history(lows, highs, typical, ois, start_oi=100.0) -> MarketHistory:
    """A hand-written history of 5-minute intervals."""
    n = len(typical)
    end = 1.7e9 + 300.0 * np.arange(1, n + 1, dtype=np.float64)
    return MarketHistory(
        end, np.full(n, 300.0), np.asarray(lows, float), np.asarray(highs, float),
        np.asarray(typical, float), np.asarray(ois, float), start_oi,
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(market_histories(), map_fits())
def test_vectorised_map_equals_reference(hist: MarketHistory, fit: MapFit) -> None:
    """One vectorised pass gives the same map as stepping the book interval by interval."""
    ratios = level_log_ratios(TABLE, fit.leverages, float(hist.typical[0]))
    fast = levels_map(build_levels(hist, fit, ratios), hist, fit)
    slow = book_map(replay_book(hist, fit, ratios))
    assert fast.first_bin == slow.first_bin
    np.testing.assert_allclose(fast.long_usd, slow.long_usd, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(fast.short_usd, slow.short_usd, rtol=1e-9, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(market_histories(), map_fits())
def test_larger_side_holds_the_open_interest(hist: MarketHistory, fit: MapFit) -> None:
    """After scaling, the larger side holds the open interest valued at the last typical price."""
    liq_map = cohort_map(hist, fit, TABLE)
    expected = float(hist.open_interest[-1] * hist.typical[-1])
    biggest = max(liq_map.total_long_usd, liq_map.total_short_usd)
    assert biggest == pytest.approx(expected, rel=1e-9) or biggest == 0.0


@settings(max_examples=60, deadline=None)
@given(market_histories(), map_fits())
def test_side_totals_match_the_book(hist: MarketHistory, fit: MapFit) -> None:
    """The per-interval side totals of the vectorised pass equal the book's coins at the end."""
    ratios = level_log_ratios(TABLE, fit.leverages, float(hist.typical[0]))
    totals = side_totals(build_levels(hist, fit, ratios), hist, fit)
    book = replay_book(hist, fit, ratios)
    for side in (0, 1):
        held = float(book.coins[book.side == side].sum())
        assert totals[-1, side] == pytest.approx(held, rel=1e-9, abs=1e-9)


def test_gross_openings_by_hand() -> None:
    """``n = max(0, OI − f·OI_prev)`` with ``f = ½`` over one half-life."""
    hist = history([99, 99], [101, 101], [100, 100], [120.0, 40.0])
    opened = gross_openings(hist, half_life_s=300.0)
    assert opened.tolist() == [pytest.approx(70.0), pytest.approx(0.0)]


def test_a_long_level_is_cleared_when_the_low_reaches_it() -> None:
    """New longs at 10x (level 90) survive a low of 91 and are gone after a low of 89."""
    fit = MapFit(((10.0, 1.0),), half_life_s=1e12)
    ratios = np.log([[0.9], [1.1]])
    book = start_book(fit, ratios, start_price=100.0, open_interest=0.0, start_s=0.0,
                      variance_per_s=1e-12)  # fmt: skip
    step = {"duration_s": 300.0, "typical": 100.0, "high": 100.5}
    book = advance_book(book, fit, ratios, end_s=300.0, low=99.5, open_interest=10.0, **step)
    book = advance_book(book, fit, ratios, end_s=600.0, low=91.0, open_interest=10.0, **step)
    assert book_map(book).total_long_usd == pytest.approx(1000.0)
    book = advance_book(book, fit, ratios, end_s=900.0, low=89.0, open_interest=10.0, **step)
    after = book_map(book)
    assert after.total_long_usd == pytest.approx(0.0, abs=1e-3)
    assert after.total_short_usd == pytest.approx(1000.0)  # the shorts now hold the open interest


def test_positions_survive_their_own_interval() -> None:
    """Openings of an interval are not cleared by that interval's own range."""
    hist = history([80.0], [120.0], [100.0], [110.0], start_oi=0.0)
    liq_map = cohort_map(hist, MapFit(((10.0, 1.0),)), TABLE)
    assert liq_map.total_long_usd > 0
    assert liq_map.total_short_usd > 0


def test_level_ratios_follow_the_engine() -> None:
    """A 10x long on Binance BTC liquidates about 9.6 % below entry, a short about 9.6 % above."""
    ratios = level_log_ratios(TABLE, (10.0,), 60_000.0)
    assert math.exp(ratios[0, 0]) == pytest.approx(54_221.11 / 60_000, rel=1e-4)
    assert math.exp(ratios[1, 0]) > 1.09


@settings(max_examples=100, deadline=None)
@given(market_histories(max_intervals=60))
def test_first_crossings_equal_a_scan(hist: MarketHistory) -> None:
    """The sparse-table descent finds the same first crossing as a plain scan."""
    n = len(hist)
    starts = np.arange(n, dtype=np.int64)
    levels = hist.typical * 0.99
    found = first_crossings(hist.low, starts, levels, below=True)
    for s, level, got in zip(starts, levels, found, strict=True):
        scan = next((j for j in range(s, n) if hist.low[j] <= level), n)
        assert got == scan
    found_up = first_crossings(hist.high, starts, hist.typical * 1.01, below=False)
    for s, level, got in zip(starts, hist.typical * 1.01, found_up, strict=True):
        assert got == next((j for j in range(s, n) if hist.high[j] >= level), n)


def test_prior_book_is_not_dropped() -> None:
    """Open interest older than the history is on the map at its start, per side."""
    hist = history([99.9], [100.1], [100.0], [100.0])
    liq_map = cohort_map(hist, TWO, TABLE)
    biggest = max(liq_map.total_long_usd, liq_map.total_short_usd)
    assert biggest == pytest.approx(100.0 * 100.0, rel=1e-6)
    assert min(liq_map.total_long_usd, liq_map.total_short_usd) > 0.5 * biggest


def test_history_head_and_days() -> None:
    """A head keeps the first intervals; days span from the first start to the last end."""
    hist = history([99, 98, 97], [101, 102, 103], [100, 100, 100], [1, 2, 3])
    assert len(hist.head(2)) == 2
    assert hist.days == pytest.approx(900 / 86_400)
    with pytest.raises(ValueError, match="head"):
        hist.head(0)


def test_side_totals_stay_finite_for_fast_exits_over_a_month() -> None:
    """A 40-minute half-life over 30 days (``h·span`` ≈ 900, past ``exp``'s range) still gives the
    coins held: the totals at the end equal the levels alive then, decayed from their birth."""
    n = 30 * 288
    rng = np.random.default_rng(7)
    typical = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.001, n)))
    hist = history(typical * 0.999, typical * 1.001, typical, 1_000 + 100 * rng.random(n), 1_000.0)
    fit = MapFit(((10.0, 0.5), (20.0, 0.5)), half_life_s=2_400.0)
    levels = build_levels(hist, fit, RATIOS)
    totals = side_totals(levels, hist, fit)
    assert np.all(np.isfinite(totals))
    alive = levels.crossing > n - 1
    held = (
        levels.unit_coins
        * np.asarray(fit.weights)[levels.bucket]
        * np.exp(-fit.hazard_per_s * (hist.end_s[-1] - levels.birth_s))
    )
    for side in (0, 1):
        pick = alive & (levels.side == side)
        assert totals[-1, side] == pytest.approx(float(held[pick].sum()), rel=1e-9)
