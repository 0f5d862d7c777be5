"""`assess`: the joined risk report and its verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from risk.errors import InvalidInputError, LeverageTooHighError
from risk.liquidation import Position, Side
from risk.report import (
    CAUTION_TOUCH_24H,
    Cluster,
    MarketSnapshot,
    Verdict,
    assess,
    judge,
)
from risk.tiers import default_tier_table
from risk.venues import MarginMode, Venue

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
BTC = default_tier_table("binance", "BTC")


def market(mark: float = 60_000, vol: float | None = 0.03, age_s: float = 4) -> MarketSnapshot:
    """A snapshot of BTC at ``mark`` taken ``age_s`` before NOW, funding 0.01 % per 8 h."""
    return MarketSnapshot(
        mark_price=mark,
        index_price=mark,
        funding_rate=0.0001,
        funding_interval_hours=8,
        next_funding_time=NOW + timedelta(hours=2),
        daily_volatility=vol,
        as_of=NOW - timedelta(seconds=age_s),
    )


def test_report_joins_liquidation_distance_odds_and_funding() -> None:
    """A 10x BTC long at 60,000 is 9.63 % from liquidation, pays 6 USD per funding, and is safe."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1.0)
    report = assess(position, market(), BTC, now=NOW)
    assert report.liquidation_price == pytest.approx(54_221.10552763819)
    assert report.bankruptcy_price == pytest.approx(54_000)
    assert report.tier_number == 2
    assert report.distance_pct == pytest.approx(9.6314907872697)
    assert report.distance_sigmas == pytest.approx(3.37, abs=0.01)
    assert report.touch_probability_24h == pytest.approx(0.00075, abs=0.00005)
    assert report.touch_probability_7d == pytest.approx(0.202, abs=0.001)
    assert report.max_safe_leverage == 10.98  # the 7-day bound (25 %) is the farther one here
    assert report.funding.next_usd == pytest.approx(-6)
    assert report.funding.per_day_usd == pytest.approx(-18)
    assert report.seconds_to_next_funding == 7_200
    assert (report.data_age_s, report.stale) == (4, False)
    assert report.verdict is Verdict.SAFE
    assert not report.liquidated_now
    assert not report.table_estimated


def test_clusters_between_mark_and_level_of_the_same_side() -> None:
    """Only long clusters between the mark and a long's level are kept, nearest first, summed."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1.0)
    clusters = [
        (55_000, 5e6, "long"),
        (58_000, 3e6, Side.LONG),
        (57_000, 9e6, "short"),
        (50_000, 7e6, "long"),
        (62_000, 1e6, "long"),
    ]
    report = assess(position, market(), BTC, now=NOW, clusters=clusters)
    assert report.clusters == (
        Cluster(58_000, 3e6, Side.LONG),
        Cluster(55_000, 5e6, Side.LONG),
    )
    assert report.clusters_notional_usd == 8e6


def test_mark_past_the_level_is_liquidated_now_and_danger() -> None:
    """A mark below a long's level: negative distance, touch probability 1, danger."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1.0)
    report = assess(position, market(mark=54_000), BTC, now=NOW)
    assert report.liquidated_now
    assert report.distance_pct is not None
    assert report.distance_pct < 0
    assert report.touch_probability_24h == 1.0
    assert report.verdict is Verdict.DANGER


def test_one_x_long_is_safe_without_level_or_clusters() -> None:
    """A position that cannot be liquidated has no distance or odds and is safe."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 1, 60_000, 1.0)
    report = assess(position, market(), BTC, now=NOW, clusters=[(50_000, 1e6, "long")])
    assert report.liquidation_price is None
    assert (report.distance_pct, report.touch_probability_24h, report.clusters) == (None, None, ())
    assert report.max_safe_leverage is not None
    assert report.verdict is Verdict.SAFE


def test_without_volatility_only_distance_judges() -> None:
    """With no volatility the odds are None and a 3 % distance is caution."""
    position = Position(Venue.BINANCE, "BTC", Side.SHORT, 25, 60_000, 1.0)
    report = assess(position, market(vol=None), BTC, now=NOW)
    assert (report.touch_probability_24h, report.max_safe_leverage) == (None, None)
    assert report.verdict is Verdict.CAUTION


def test_stale_data_is_flagged_and_future_snapshots_are_zero_age() -> None:
    """Data older than the limit is stale; a snapshot ahead of now has age 0."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1.0)
    assert assess(position, market(age_s=120), BTC, now=NOW).stale
    ahead = assess(position, market(age_s=-5), BTC, now=NOW)
    assert (ahead.data_age_s, ahead.stale) == (0, False)


@pytest.mark.parametrize(
    ("distance", "p24", "p7d", "verdict"),
    [
        (None, None, None, Verdict.SAFE),
        (0.0, 1.0, 1.0, Verdict.DANGER),
        (1.5, 0.0, 0.0, Verdict.DANGER),
        (10.0, 0.06, 0.5, Verdict.DANGER),
        (4.0, 0.0, 0.0, Verdict.CAUTION),
        (10.0, CAUTION_TOUCH_24H, 0.1, Verdict.CAUTION),
        (10.0, 0.001, 0.3, Verdict.CAUTION),
        (10.0, 0.001, 0.1, Verdict.SAFE),
        (10.0, None, None, Verdict.SAFE),
    ],
)
def test_verdict_thresholds(
    distance: float | None, p24: float | None, p7d: float | None, verdict: Verdict
) -> None:
    """The documented thresholds decide the verdict, the first rule that applies winning."""
    got, reason = judge(distance, p24, p7d)
    assert got is verdict
    assert reason


def test_assess_refuses_naive_times_and_invalid_positions() -> None:
    """Naive datetimes and a leverage above the venue's maximum are named errors."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1.0)
    with pytest.raises(InvalidInputError, match="timezone"):
        assess(position, market(), BTC, now=datetime(2026, 11, 21))  # noqa: DTZ001
    with pytest.raises(InvalidInputError, match="timezone"):
        MarketSnapshot(1, 1, 0, 8, datetime(2026, 1, 1), None, NOW)  # noqa: DTZ001
    with pytest.raises(LeverageTooHighError):
        assess(Position(Venue.BINANCE, "BTC", Side.LONG, 120, 60_000, 10.0), market(), BTC, now=NOW)


def test_other_timezones_are_accepted() -> None:
    """An aware now in another timezone gives the same age."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1.0)
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))
    assert assess(position, market(), BTC, now=tokyo).data_age_s == 4


def test_safe_reason_says_when_there_is_no_volatility() -> None:
    """Without a volatility the safe verdict rests on distance alone, and says so."""
    assert judge(10.0, None, None) == (
        Verdict.SAFE,
        "liquidation is 5% or more away (no volatility measured)",
    )
    assert judge(10.0, 0.001, 0.1) == (
        Verdict.SAFE,
        "liquidation is far away for the current volatility",
    )


@pytest.mark.parametrize("vol", [0.005, 0.01, 0.02, 0.03, 0.05, 0.08])
@pytest.mark.parametrize("side", [Side.LONG, Side.SHORT])
def test_verdict_and_safe_leverage_come_from_one_rule(vol: float, side: Side) -> None:
    """At or under the safe leverage the verdict is safe; a step over it, it is not."""
    probe = assess(
        Position(Venue.BINANCE, "BTC", side, 2, 60_000, 0.1), market(vol=vol), BTC, now=NOW
    )
    safe = probe.max_safe_leverage
    assert safe is not None
    for leverage in (max(1.0, safe - 0.5), safe):
        at = assess(
            Position(Venue.BINANCE, "BTC", side, leverage, 60_000, 0.1),
            market(vol=vol),
            BTC,
            now=NOW,
        )
        assert at.verdict is Verdict.SAFE, (leverage, at.verdict_reason)
    if safe + 0.05 <= BTC.max_leverage_for(0.1, 60_000):
        over = Position(Venue.BINANCE, "BTC", side, safe + 0.05, 60_000, 0.1)
        assert assess(over, market(vol=vol), BTC, now=NOW).verdict is not Verdict.SAFE


def test_cross_reports_the_effective_leverage() -> None:
    """A cross 25x position backed by a 5x wallet reads 5x effective, which the safe bound is for."""
    position = Position(
        Venue.BYBIT, "ETH", Side.SHORT, 25, 3_000, 25_000 / 3_000,
        margin_mode=MarginMode.CROSS, wallet_balance=5_000,
    )  # fmt: skip
    report = assess(
        position, market(mark=3_000, vol=0.03), default_tier_table("bybit", "ETH"), now=NOW
    )
    assert report.effective_leverage == pytest.approx(5.0)
    assert report.max_safe_leverage is not None
    assert (report.verdict is Verdict.SAFE) == (
        report.effective_leverage <= report.max_safe_leverage
    )
