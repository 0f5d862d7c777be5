"""Stops and targets: the share of a level still open after the path since entry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from risk.calibration import cleared_by_bucket
from risk.cohort_book import advance_book, book_map, start_book
from risk.cohort_map import build_levels, cohort_map, level_log_ratios
from risk.map_exits import exit_survival
from risk.map_fit import MapFit
from risk.map_prior import legacy_prior
from risk.market_history import MarketHistory, range_extremes
from risk.tiers import default_tier_table
from tests.risk.strategies import market_histories

TABLE = default_tier_table("binance", "BTC")
LOG = np.log


def survival(entry: float, level: float, low: float, high: float, side: int) -> float:
    """One level's open share with stops 40 % and targets 50 %."""
    got = exit_survival(np.array([LOG(entry)]), np.array([LOG(level)]), np.array([LOG(low)]),
                        np.array([LOG(high)]), np.array([side]), stop_share=0.4,
                        target_share=0.5)  # fmt: skip
    return float(got[0])


@pytest.mark.parametrize(
    ("entry", "level", "low", "high", "side", "expected"),
    [
        (100.0, 90.0, 100.0, 100.0, 1, 1.0),  # nothing moved
        (100.0, 90.0, 90.0, 100.0, 1, 0.6),  # the low reached the level: every stop fired
        (100.0, 110.0, 100.0, 110.0, -1, 0.6),  # a short, mirrored
        (100.0, 90.0, 100.0, 120.0, 1, 0.5),  # far into profit: every target taken
        (100.0, 90.0, 80.0, 120.0, 1, 0.3),  # both, beyond the level: clipped at 1
    ],
)
def test_exit_survival_by_hand(entry, level, low, high, side, expected) -> None:
    """Known open shares at the ends of the stop and target ranges."""
    assert survival(entry, level, low, high, side) == pytest.approx(expected, abs=1e-9)


def test_halfway_to_the_level_fires_half_the_stops() -> None:
    """Price halfway (in log terms) from entry to the level has fired half of the stops."""
    half = float(np.exp((LOG(100.0) + LOG(90.0)) / 2))
    assert survival(100.0, 90.0, half, 100.0, 1) == pytest.approx(1 - 0.4 * 0.5)


def test_no_path_yet_keeps_everything() -> None:
    """Levels with no interval since entry (low +inf, high −inf) are whole."""
    got = exit_survival(np.array([0.0, 0.0]), np.array([-0.1, 0.1]), np.array([np.inf] * 2),
                        np.array([-np.inf] * 2), np.array([1, -1]), stop_share=0.9,
                        target_share=0.9)  # fmt: skip
    assert got.tolist() == [1.0, 1.0]


@settings(max_examples=60, deadline=None)
@given(market_histories(max_intervals=60))
def test_range_extremes_equal_a_scan(hist: MarketHistory) -> None:
    """The two-window sparse-table query gives the plain min and max of every range."""
    n = len(hist)
    start = np.repeat(np.arange(n), n)
    stop = np.tile(np.arange(n), n)
    lows = range_extremes(hist.low, start, stop, lowest=True)
    highs = range_extremes(hist.high, start, stop, lowest=False)
    for a, b, lo, hi in zip(start, stop, lows, highs, strict=True):
        assert lo == (hist.low[a : b + 1].min() if b >= a else np.inf)
        assert hi == (hist.high[a : b + 1].max() if b >= a else -np.inf)


def dip_history() -> MarketHistory:
    """Openings at 100, then a dip to 95 and back: halfway to the 10x longs' level."""
    typical = np.array([100.0, 100.0, 95.5, 100.0])
    end = 1.7e9 + 300.0 * np.arange(1, 5, dtype=np.float64)
    return MarketHistory(end, np.full(4, 300.0), typical - 0.5, typical + 0.5, typical,
                         np.array([10.0, 10.0, 10.0, 10.0]), 0.0)  # fmt: skip


def test_a_dip_takes_stopped_longs_off_the_map() -> None:
    """After a dip halfway to the level, the long side holds less than the short side."""
    fit = MapFit(((10.0, 1.0),), half_life_s=1e6, stop_share=0.5)
    liq_map = cohort_map(dip_history(), fit, TABLE)
    plain = cohort_map(dip_history(), MapFit(((10.0, 1.0),), half_life_s=1e6), TABLE)
    assert liq_map.total_long_usd < 0.85 * liq_map.total_short_usd
    assert plain.total_long_usd == pytest.approx(plain.total_short_usd, rel=1e-9)


def test_the_book_applies_the_same_stops() -> None:
    """Stepping the book through the dip gives the long total of the vectorised map."""
    hist = dip_history()
    fit = MapFit(((10.0, 1.0),), half_life_s=1e6, stop_share=0.5, target_share=0.3)
    ratios = level_log_ratios(TABLE, fit.leverages, float(np.median(hist.typical)))
    book = start_book(fit, ratios, start_price=100.0, open_interest=0.0, start_s=hist.start_s,
                      variance_per_s=1e-9)  # fmt: skip
    for k in range(len(hist)):
        book = advance_book(book, fit, ratios, end_s=float(hist.end_s[k]), duration_s=300.0,
                            low=float(hist.low[k]), high=float(hist.high[k]),
                            typical=float(hist.typical[k]),
                            open_interest=float(hist.open_interest[k]))  # fmt: skip
    assert book_map(book).total_long_usd == pytest.approx(
        cohort_map(hist, fit, TABLE).total_long_usd, rel=1e-9
    )


def test_cleared_levels_count_only_positions_without_a_stop() -> None:
    """What a crossing liquidates is the level's coins times one minus the stop share."""
    typical = np.array([100.0, 100.0, 89.0])
    end = 1.7e9 + 300.0 * np.arange(1, 4, dtype=np.float64)
    hist = MarketHistory(end, np.full(3, 300.0), typical - 0.1, typical + 0.1, typical,
                         np.array([10.0, 10.0, 10.0]), 0.0)  # fmt: skip
    base = MapFit(((10.0, 1.0),), half_life_s=1e6)
    ratios = level_log_ratios(TABLE, base.leverages, 100.0)
    levels = build_levels(hist, base, ratios)
    plain = cleared_by_bucket(levels, hist, base, 1)[2, 0, 0]
    stopped = MapFit(((10.0, 1.0),), half_life_s=1e6, stop_share=0.25)
    assert plain > 0
    assert cleared_by_bucket(levels, hist, stopped, 1)[2, 0, 0] == pytest.approx(0.75 * plain)


def test_prior_positions_that_would_have_stopped_are_fewer() -> None:
    """Stops and targets thin the prior book, the high-leverage bucket (short margin) the most."""
    ratios = np.log([[0.5, 0.99], [1.5, 1.01]])
    args = (100.0, 1e-9, 86_400.0, ratios)
    plain = legacy_prior(*args, bin_width_pct=0.1)
    thinned = legacy_prior(*args, bin_width_pct=0.1, stop_share=0.5, target_share=0.5)
    for side in (0, 1):
        before, after = plain.survival(side, 2), thinned.survival(side, 2)
        assert np.all(after <= before + 1e-15)
        assert after[1] / before[1] < after[0] / before[0]


def test_the_smaller_side_of_the_prior_follows_the_split() -> None:
    """With 60 % of new positions long, the prior holds two shorts for every three longs."""
    hist = MarketHistory(np.array([1.7e9 + 300]), np.array([300.0]), np.array([99.99]),
                         np.array([100.01]), np.array([100.0]), np.array([30.0]), 30.0)  # fmt: skip
    liq_map = cohort_map(hist, MapFit(((10.0, 1.0),), long_share=0.6), TABLE)
    assert liq_map.total_short_usd / liq_map.total_long_usd == pytest.approx(2 / 3, rel=1e-3)
