"""The risk card as text: built from the engine's report and the market context, pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.render.risk_card import render_risk_card
from bot.vocabulary.cards import RiskCard
from bot.vocabulary.positions import PositionArgs
from bot.vocabulary.quotes import LiveQuote, WindowTotals
from bot.vocabulary.records import PositionSide, VenueSnapshot
from risk.liquidation import Position
from risk.report import MarketSnapshot, assess
from risk.tiers import default_tier_table
from risk.venues import MarginMode, Side, Venue

NOW = datetime(2026, 11, 21, 12, 0, 4, tzinfo=UTC)
MARK = 91_250.0
FUNDING_AT = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)


def _card(
    position: Position,
    *,
    clusters: list[tuple[float, float, str]] | None = None,
    vol: float | None = 0.021,
    stale: str | None = None,
    fetched: datetime | None = None,
    closes: int = 200,
) -> RiskCard:
    table = default_tier_table(str(position.venue), position.symbol)
    market = MarketSnapshot(MARK, MARK, 0.0001, 8.0, FUNDING_AT, vol, NOW - timedelta(seconds=4))
    report = assess(position, market, table, now=NOW, clusters=clusters)
    snapshot = VenueSnapshot("binance", "BTC", NOW, MARK, MARK, 0.0001, 8.0, FUNDING_AT)
    quote = LiveQuote(
        "binance",
        "BTC",
        MARK,
        NOW - timedelta(seconds=4),
        4.0,
        snapshot,
        4.0,
        0.0001,
        FUNDING_AT,
        stale,
    )
    totals = WindowTotals(
        "1h", NOW - timedelta(hours=1), NOW, "BTC", 120, 42_100_000.0, 29_891_000.0, 12_209_000.0
    )
    side: PositionSide = "long" if position.side is Side.LONG else "short"
    request = PositionArgs("BTC", side, position.leverage)
    margin = position.quantity * position.entry_price / position.leverage
    warnings = (f"data is stale ({stale}): binance may be down",) if stale else ()
    return RiskCard(
        request, position, report, "binance", margin, quote, totals, 1.2e9, warnings,
        volatility_closes=closes, tiers_fetched_at=fetched,
    )  # fmt: skip


def test_the_design_card_reads_line_by_line() -> None:
    """A 10x long at mark 91,250 reads as DESIGN.md's card, with the engine's numbers."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, MARK, 10_000 / MARK)
    text = render_risk_card(_card(position, clusters=[(86_400.0, 310e6, "long")]), "UTC")
    lines = text.split("\n")
    assert lines[0] == "<b>BTC long 10x</b> · Binance · isolated"
    assert lines[1] == "Entry 91,250 · 0.1096 BTC ($10,000 notional, $1,000 margin)"
    assert lines[3] == "<b>Liquidation 82,455</b> · 9.6% below mark (91,250)"
    assert lines[4] == "Bankruptcy 82,125 · tier 1 (MMR 0.40%) · tiers bundled (2024-10-24)"
    assert "  $310M of longs at 86,400 · 5.3% below" in lines
    assert "  $1.2B of longs in all down to your level" in lines
    assert (
        "<b>Odds</b> · realized volatility 2.1%/day (200 hourly closes, 8.3 days) · 4.8σ away"
        in lines
    )
    assert "  touch in 24h 0.0% · in 7d 6.8%" in lines
    assert "  safe = liquidation 5% or more away, 24h touch under 1%, 7d touch under 25%" in lines
    assert "  highest safe leverage: 15.22x (yours 10x)" in lines
    assert "<b>Funding</b> +0.0100%/8h (+10.95%/yr)" in lines
    assert "  you pay $1.00 at 16:00 UTC · $3.00/day" in lines
    assert "Last hour BTC: $42.1M liquidated (71% longs)" in lines
    assert lines[-1].startswith("<b>🟢 SAFE</b> · ")
    assert lines[-1].endswith(" · data 4s old")
    assert len(text) < 4096


def test_times_are_in_the_chats_timezone() -> None:
    """The next funding time is shown in the chat's timezone."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, MARK, 0.1)
    text = render_risk_card(_card(position), "Asia/Tokyo")
    assert "at 01:00 ·" in text


def test_cross_shows_the_wallet_not_a_margin() -> None:
    """A cross position is backed by its wallet, which the header names."""
    position = Position(
        Venue.BINANCE,
        "BTC",
        Side.LONG,
        10,
        90_000,
        1.0,
        margin_mode=MarginMode.CROSS,
        wallet_balance=5_000,
    )
    text = render_risk_card(_card(position), "UTC")
    assert "($90,000 notional, $5,000 wallet · effective 18x)" in text


def test_a_cross_card_without_volatility_still_shows_the_effective_leverage() -> None:
    """The leverage that sets a cross liquidation is on the card, odds or not."""
    position = Position(
        Venue.OKX, "ETH", Side.SHORT, 25, MARK, 6_000 / MARK,
        margin_mode=MarginMode.CROSS, wallet_balance=3_000,
    )  # fmt: skip
    text = render_risk_card(_card(position, vol=None, closes=0), "UTC")
    assert "not enough price history yet" in text
    assert "$3,000 wallet · effective 2x)" in text


def test_no_volatility_and_stale_data_are_said() -> None:
    """Missing volatility and stale data each get their own plain line."""
    position = Position(Venue.BINANCE, "BTC", Side.SHORT, 5, MARK, 0.1)
    text = render_risk_card(_card(position, vol=None, stale="mark 300s old", closes=0), "UTC")
    assert "<b>Odds</b>: not enough price history yet for a volatility" in text
    assert "⚠️ data is stale (mark 300s old): binance may be down" in text
    assert "above mark" in text


def test_live_tiers_say_when_they_were_fetched() -> None:
    """A table fetched from the venue is labelled live with the fetch time, in the chat's zone."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, MARK, 0.1)
    fetched = datetime(2026, 11, 21, 11, 34, tzinfo=UTC)
    text = render_risk_card(_card(position, fetched=fetched), "Asia/Tokyo")
    assert "· tiers live, fetched 20:34" in text
    assert "bundled" not in text


def test_cross_card_never_says_safe_over_the_safe_effective_leverage() -> None:
    """The 25x cross short of the issue: the verdict and the safe leverage speak of one leverage."""
    position = Position(
        Venue.BYBIT, "ETH", Side.SHORT, 25, MARK, 25_000 / MARK,
        margin_mode=MarginMode.CROSS, wallet_balance=5_000,
    )  # fmt: skip
    card = _card(position, vol=0.026)
    text = render_risk_card(card, "UTC")
    report = card.report
    assert report.max_safe_leverage is not None
    assert "highest safe effective leverage (notional ÷ wallet)" in text
    assert "(yours 5x)" in text
    safe = "🟢 SAFE" in text
    assert safe == (report.effective_leverage <= report.max_safe_leverage)


def test_a_price_that_did_not_move_is_said_so_not_called_missing_history() -> None:
    """200 closes without a move: the odds line says the price was flat over them."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, MARK, 0.1)
    text = render_risk_card(_card(position, vol=None, closes=200), "UTC")
    assert "not enough price history" not in text
    assert "<b>Odds</b>: none, the price did not move (200 hourly closes, 8.3 days)" in text
