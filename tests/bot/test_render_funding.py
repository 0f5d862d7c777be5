"""The /funding renderer on hand-built quotes: normalised rates, next time, stale and missing venues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.render.funding_text import funding_row, render_funding_coin, render_funding_table
from bot.vocabulary.quotes import LiveQuote
from bot.vocabulary.records import VenueSnapshot

NOW = datetime(2025, 3, 1, 14, 40, tzinfo=UTC)
NEXT = datetime(2025, 3, 1, 16, 0, tzinfo=UTC)
VENUES = ["binance", "bybit", "okx", "hyperliquid"]


def quote(
    venue: str,
    rate: float | None,
    interval_h: float | None = 8.0,
    *,
    symbol: str = "BTC",
    stale: str | None = None,
    snapshot: bool = True,
) -> LiveQuote:
    """A quote 4s old whose snapshot carries `rate` per `interval_h`."""
    snap = (
        VenueSnapshot(venue, symbol, NOW - timedelta(seconds=4), 90_000.0, funding_rate=rate,
                      funding_interval_h=interval_h, next_funding_time=NEXT)
        if snapshot else None
    )  # fmt: skip
    return LiveQuote(
        venue, symbol, 90_000.0, NOW - timedelta(seconds=2), 2.0, snap, 4.0 if snapshot else None,
        rate, NEXT, stale,
    )  # fmt: skip


def test_rates_are_normalised_to_8h_and_annualised():
    """An hourly and a 4-hourly rate are restated per 8h and per year, the raw rate kept beside."""
    row = funding_row(quote("okx", 0.0002, 4))
    assert row.rate_8h is not None
    assert round(row.rate_8h, 10) == 0.0004
    text = render_funding_coin(
        "BTC", [quote("binance", 0.0001), quote("okx", 0.0002, 4), quote("hyperliquid", -0.00005, 1)],
        ["binance", "okx", "hyperliquid"], now=NOW,
    )  # fmt: skip
    lines = text.split("\n")
    assert lines[0] == "<b>BTC funding</b> · per venue, normalised to 8h"
    assert lines[1] == "<b>Binance</b> +0.0100%/8h · +10.95%/yr"
    assert lines[2] == "   every 8h · next 16:00 UTC (in 1h 20m) · data 4s old"
    assert lines[3] == "<b>OKX</b> +0.0400%/8h (+0.02000%/4h) · +43.80%/yr"
    assert lines[4] == "   every 4h · next 16:00 UTC (in 1h 20m) · data 4s old"
    assert lines[5] == "<b>Hyperliquid</b> -0.0400%/8h (-0.00500%/1h) · -43.80%/yr"
    assert lines[-1] == "data 4s old"


def test_next_funding_in_the_chats_timezone():
    """The next funding time is the chat's wall-clock time."""
    text = render_funding_coin(
        "BTC", [quote("bybit", 0.0001)], ["bybit"], now=NOW, timezone="Asia/Tokyo"
    )
    assert "next 01:00 (in 1h 20m)" in text


def test_missing_and_stale_venues_are_named_and_the_rest_answered():
    """A venue without data says 'feed down?'; a stale one is marked; others are still shown."""
    text = render_funding_coin(
        "BTC", [quote("binance", 0.0001), quote("bybit", 0.0001, stale="mark 45s old")],
        VENUES, now=NOW,
    )  # fmt: skip
    assert "<b>OKX</b> ⚠️ no data from okx: feed down?" in text
    assert "<b>Hyperliquid</b> ⚠️ no data from hyperliquid: feed down?" in text
    assert (
        "<b>Bybit</b> +0.0100%/8h · +10.95%/yr\n   every 8h · next 16:00 UTC (in 1h 20m) · data 4s old\n   ⚠️ stale: mark 45s old"
        in text
    )
    assert "<b>Binance</b> +0.0100%/8h" in text


def test_unknown_interval_and_no_rate_are_said():
    """OKX without an interval shows its raw rate; a mark-only quote has no rate yet."""
    text = render_funding_coin(
        "BTC", [quote("okx", 0.0001, None), quote("bybit", None, snapshot=False)],
        ["okx", "bybit"], now=NOW,
    )  # fmt: skip
    assert "<b>OKX</b> +0.0100% per settlement (interval unknown)" in text
    assert "<b>Bybit</b> no funding rate yet" in text


def test_streamed_quote_without_snapshot_uses_the_venues_usual_interval():
    """Hyperliquid's hourly funding is normalised even when only the stream was seen."""
    row = funding_row(quote("hyperliquid", 0.0000125, snapshot=False))
    assert row.interval_h == 1.0
    assert row.rate_8h is not None
    assert round(row.rate_8h * 100, 6) == 0.01
    assert row.age_s == 2.0


def test_no_data_at_all():
    """With nothing from any venue, every venue is named and no age is invented."""
    text = render_funding_coin("ETH", [], ["binance"], now=NOW)
    assert text.endswith("⚠️ no funding data from any venue yet")


def test_table_lists_every_coin_with_stale_and_missing_cells():
    """The table has a row per coin, 8h rates per venue, '*' for stale and '—' for missing."""
    quotes = [
        quote("binance", 0.0001), quote("okx", 0.0002, 4, stale="mark 40s old"),
        quote("binance", -0.0003, symbol="ETH"),
    ]  # fmt: skip
    text = render_funding_table(["BTC", "ETH"], quotes, ["binance", "okx", "bybit"], now=NOW)
    rows = text.split("<pre>")[1].split("</pre>")[0].split("\n")
    assert rows[0] == "coin     Binance       OKX     Bybit"
    assert rows[1] == "BTC      +0.0100  +0.0400*         —"
    assert rows[2] == "ETH      -0.0300         —         —"
    assert "* stale: okx" in text
    assert "— no data for that coin from that venue" in text
    assert "⚠️ no data from bybit: feed down?" in text
    assert "data up to 4s old · 14:40 UTC" in text


def test_table_of_many_coins_stays_under_the_message_limit():
    """Hundreds of tracked coins are cut with a count of the rest, under 4,096 characters."""
    symbols = [f"C{i}" for i in range(400)]
    quotes = [quote(v, 0.0001, symbol=s) for s in symbols for v in VENUES]
    text = render_funding_table(symbols, quotes, VENUES, now=NOW)
    assert len(text) <= 4_096
    assert "more coins" in text
    assert text.count("<pre>") == text.count("</pre>") == 1
