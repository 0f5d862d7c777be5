"""The market-desk summary: composed from a hand-fed market, store and maps; rendered to exact lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.market.state import MarketState
from bot.render.summary_text import CAPTION_LIMIT, MESSAGE_LIMIT, render_summary
from bot.summaries.compose import compose_summary
from bot.vocabulary.records import LiquidationEvent, PositionSide, VenueSnapshot
from bot.vocabulary.summaries import MarketSummary
from risk.liquidation_map import LiquidationMap, realized_map

NOW = datetime(2025, 3, 1, 14, 0, tzinfo=UTC)
VENUES = ("binance", "bybit", "okx", "hyperliquid")
EMPTY = LiquidationMap()


class FakeSnapshots:
    """Stored snapshots by (venue, symbol), answering `first_since` as the store does."""

    def __init__(self, rows: list[VenueSnapshot]) -> None:
        self.rows = sorted(rows, key=lambda s: s.time)

    async def first_since(self, venue: str, symbol: str, start: datetime) -> VenueSnapshot | None:
        """The oldest row of that venue and symbol at or after `start`."""
        found = [s for s in self.rows if (s.venue, s.symbol) == (venue, symbol) and s.time >= start]
        return found[0] if found else None


def liq(
    minutes_ago: float, venue: str, symbol: str, side: PositionSide, usd: float, at: float = 100.0
) -> LiquidationEvent:
    """A liquidation `minutes_ago` before NOW."""
    return LiquidationEvent(
        venue,
        symbol,
        side,
        at,
        usd / at,
        usd,
        NOW - timedelta(minutes=minutes_ago),
    )


def snap(venue: str, symbol: str, mark: float, *, ago_h: float = 0.0, **kw) -> VenueSnapshot:
    """A snapshot `ago_h` hours before NOW."""
    return VenueSnapshot(venue, symbol, NOW - timedelta(hours=ago_h), mark, **kw)


def market() -> MarketState:
    """A market of two hours' liquidations, quotes on three venues and a funding spread."""
    state = MarketState(lambda: NOW, VENUES)
    state.add_liquidations(
        [
            liq(200, "okx", "ETH", "short", 100e6),  # 3h20m ago: in 4h, not 1h
            liq(50, "binance", "BTC", "long", 300e6, at=88_000),
            liq(40, "bybit", "BTC", "long", 110e6),
            liq(30, "bybit", "ETH", "short", 80e6),
            liq(20, "okx", "SOL", "long", 10e6),
            liq(10, "binance", "DOGE", "long", 1e6),
        ]
    )
    state.update_snapshots(
        [
            snap("binance", "BTC", 91_250, funding_rate=0.0001, funding_interval_h=8,
                 open_interest_usd=11e9),
            snap("bybit", "BTC", 91_200, funding_rate=0.0002, funding_interval_h=4,
                 open_interest_usd=4e9),
            snap("okx", "ETH", 3_000, funding_rate=-0.00005, funding_interval_h=8,
                 open_interest=1e6),
        ]
    )  # fmt: skip
    return state


STORED = FakeSnapshots(
    [
        snap("binance", "BTC", 90_000, ago_h=24, open_interest_usd=10e9),
        snap("bybit", "BTC", 90_000, ago_h=23.5, open_interest_usd=5e9),
        snap("okx", "ETH", 3_100, ago_h=12, open_interest=1e6),  # only 12h of history: left out
    ]
)
BTC_MAP = realized_map(
    [
        (89_500.0, 310e6, "long"),  # 1.9% below 91,250
        (90_500.0, 120e6, "long"),
        (80_000.0, 900e6, "long"),  # far: not within 3%
        (93_000.0, 150e6, "short"),  # 1.9% above
    ]
)


def maps(symbol: str) -> LiquidationMap:
    """BTC has a modeled map; other coins none yet."""
    return BTC_MAP if symbol == "BTC" else EMPTY


async def compose(**kw) -> MarketSummary:
    """The summary of the hand-fed market at NOW."""
    kw.setdefault("symbols", ["BTC", "ETH", "SOL", "DOGE"])
    return await compose_summary(market(), STORED, maps, preferred_venue="binance", now=NOW, **kw)


async def test_compose_reads_totals_tops_and_biggest_from_the_focus_window() -> None:
    """Windows, long share, top coins and venues and the biggest liquidation come from the market."""
    summary = await compose()
    one_hour = summary.focus_totals
    assert one_hour.window == "1h"
    assert one_hour.total_usd == pytest.approx(501e6)
    assert one_hour.long_share == pytest.approx(421e6 / 501e6)
    assert [w.window for w in summary.windows] == ["1h", "4h", "24h", "7d"]
    assert summary.windows[1].total_usd == pytest.approx(601e6)
    assert summary.top_coins == [("BTC", 410e6), ("ETH", 80e6), ("SOL", 10e6)]
    assert summary.top_venues == [("binance", 301e6), ("bybit", 190e6), ("okx", 10e6)]
    assert one_hour.largest is not None
    assert (one_hour.largest.venue, one_hour.largest.notional_usd) == ("binance", 300e6)


async def test_compose_finds_funding_extremes_normalised_to_8h() -> None:
    """Bybit's 4-hourly 0.02% is 0.04% per 8h, the highest; OKX's negative rate the lowest."""
    summary = await compose()
    assert summary.funding_high is not None
    assert summary.funding_low is not None
    assert (summary.funding_high.venue, summary.funding_high.symbol) == ("bybit", "BTC")
    assert summary.funding_high.rate_8h == pytest.approx(0.0004)
    assert (summary.funding_low.venue, summary.funding_low.rate_8h) == ("okx", -0.00005)


async def test_compose_sums_open_interest_over_venues_with_24h_of_history() -> None:
    """BTC's OI sums Binance and Bybit (15B vs 15B: flat); ETH with 12h of history is left out."""
    summary = await compose()
    [btc] = summary.open_interest
    assert (btc.symbol, btc.venues) == ("BTC", ("binance", "bybit"))
    assert (btc.before_usd, btc.now_usd) == (15e9, 15e9)
    assert btc.change_pct == 0.0


async def test_compose_takes_the_largest_clusters_within_3pct_of_the_mark() -> None:
    """Per coin: the largest long cluster below and short cluster above, within 3% of the mark."""
    summary = await compose()
    [btc] = summary.clusters
    assert btc.mark_price == 91_250  # Binance, the preferred venue
    assert btc.long_below is not None
    assert btc.short_above is not None
    assert btc.long_below.notional_usd == pytest.approx(310e6)
    assert btc.long_below.distance_pct == pytest.approx(1.9, abs=0.1)
    assert btc.short_above.notional_usd == pytest.approx(150e6)


async def test_compose_for_one_coin_filters_totals_and_sections() -> None:
    """`symbol` restricts totals, funding, open interest and clusters to that coin."""
    summary = await compose(symbol="ETH", focus="4h")
    assert summary.focus_totals.total_usd == pytest.approx(180e6)
    assert summary.focus_totals.long_share == 0.0
    assert summary.clusters == ()
    assert summary.open_interest == ()
    assert summary.funding_high is not None
    assert summary.funding_high.symbol == "ETH"


async def test_render_reads_like_a_desk_note() -> None:
    """The note's key lines, exactly, in the chat's timezone."""
    text = render_summary(await compose(), "Europe/Berlin")
    lines = text.split("\n")
    assert lines[0] == "📰 <b>Market desk</b> · 15:00"
    assert lines[1] == "<b>$501M liquidated in 1h, 84% longs.</b>"
    assert lines[2] == (
        "1h $501M (84% longs) · 4h $601M (70% longs) · 24h $601M (70% longs) · 7d $601M (70% longs)"
    )
    assert "Top coins: BTC $410M · ETH $80.0M · SOL $10.0M" in lines
    assert "Top venues: Binance $301M · Bybit $190M · OKX $10.0M" in lines
    assert "Biggest single: $300M BTC long on Binance at 88,000 (14:10)" in lines
    assert "Funding per 8h: highest +0.0400% BTC on Bybit · lowest -0.0050% ETH on OKX" in lines
    assert "Open interest vs 24h ago: BTC $15.0B (+0.0%)" in lines
    assert "Largest modeled clusters within 3% of the mark:" in lines
    assert any(
        line.startswith("• BTC 91,250: $310M longs at 89,") and "$150M shorts at 93," in line
        for line in lines
    )
    assert lines[-1] == (
        "<i>Totals from Binance, Bybit, OKX (Binance, OKX sampled: a lower bound); "
        "Hyperliquid has no public liquidation feed.</i>"
    )


async def test_render_a_quiet_market_and_a_feed_gap() -> None:
    """No liquidations reads as such; a gap in a venue's feed is named on the coverage line."""
    state = MarketState(lambda: NOW, ("binance", "bybit"))
    state.gap_opened("bybit", "liquidations", NOW - timedelta(minutes=5), "disconnected")
    summary = await compose_summary(
        state, FakeSnapshots([]), maps, symbols=["BTC"], preferred_venue="binance", now=NOW
    )
    text = render_summary(summary)
    assert "<b>No liquidations reported in 1h.</b>" in text
    assert "1h $0 · 4h $0 · 24h $0 · 7d $0" in text
    assert text.endswith("<i>Totals from Binance, Bybit (Binance sampled: a lower bound); "
                         "feed gap this 1h: Bybit.</i>")  # fmt: skip
    assert "Top coins" not in text
    assert "Funding" not in text


async def test_render_fits_a_message_and_a_caption() -> None:
    """With many coins the note stays under 4,096 chars, and under 1,024 as a caption, keeping
    the headline and the coverage line."""
    summary = await compose()
    crowded = replace(
        summary,
        clusters=summary.clusters * 40,
        open_interest=summary.open_interest * 40,
    )
    message = render_summary(crowded, limit=MESSAGE_LIMIT)
    caption = render_summary(crowded, limit=CAPTION_LIMIT)
    assert len(message) <= MESSAGE_LIMIT
    assert len(caption) <= CAPTION_LIMIT
    for text in (message, caption):
        assert "<b>$501M liquidated in 1h, 84% longs.</b>" in text
        assert "Hyperliquid has no public liquidation feed" in text
    assert caption.count("• BTC") < message.count("• BTC")
    assert "Open interest" not in caption


async def test_render_escapes_names() -> None:
    """A symbol is escaped: the note stays valid HTML whatever the settings say."""
    state = MarketState(lambda: NOW, ("bybit",))
    state.add_liquidations([liq(5, "bybit", "<B&B>", "long", 2e6)])
    summary = await compose_summary(
        state, FakeSnapshots([]), maps, symbols=["<B&B>"], preferred_venue="bybit", now=NOW
    )
    text = render_summary(summary)
    assert "&lt;B&amp;B&gt; $2.0M" in text
    assert "<B&B>" not in text
