"""The /liqs renderer on hand-built totals and coverage: exact key lines, coverage honesty, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape

from bot.market.state import LIQUIDATION_SCOPE, WINDOWS, WindowTotals
from bot.render.liqs_text import render_liqs
from bot.vocabulary.quotes import Coverage, VenueCoverage
from bot.vocabulary.records import FeedGap, LiquidationEvent

NOW = datetime(2025, 3, 1, 14, 5, tzinfo=UTC)
BIG = LiquidationEvent(
    "bybit", "BTC", "long", 86_400.0, 50.0, 4_320_000.0, NOW - timedelta(hours=1)
)
STATUS = {"binance": "fed", "bybit": "fed", "okx": "fed", "hyperliquid": "unavailable"}


def totals(window: str, total: float = 0.0, **kw) -> WindowTotals:
    """Totals of one window: 70% longs, split Binance 60% / Bybit 40% unless told otherwise."""
    by_venue = kw.pop("by_venue", {"binance": total * 0.6, "bybit": total * 0.4} if total else {})
    return WindowTotals(
        window, NOW - WINDOWS[window], NOW, kw.pop("symbol", None), kw.pop("count", 10),
        total, total * 0.7, total * 0.3, by_venue, kw.pop("by_symbol", {}),
        kw.pop("count_by_venue", dict.fromkeys(by_venue, 5)), kw.pop("largest", None),
    )  # fmt: skip


def coverage(window: str, gaps: tuple[FeedGap, ...] = (), status=STATUS) -> Coverage:
    """Coverage of one window; `gaps` belong to their venues, which are then in status gap."""
    rows = []
    for venue, state in status.items():
        mine = tuple(g for g in gaps if g.venue == venue)
        rows.append(
            VenueCoverage(venue, "gap" if mine else state, 5, mine, LIQUIDATION_SCOPE[venue])
        )
    return Coverage(window, NOW - WINDOWS[window], NOW, tuple(rows))


def gap(venue: str, ago: timedelta, length: timedelta | None, reason: str) -> FeedGap:
    """A gap that started `ago` before NOW and lasted `length` (None: still open)."""
    end = NOW - ago + length if length is not None else None
    return FeedGap(venue, "liquidations", NOW - ago, end, reason)


def all_windows(**by_window: WindowTotals) -> list[WindowTotals]:
    """One totals per window, empty unless given."""
    return [by_window.get(f"w{w}", totals(w)) for w in WINDOWS]


def test_window_line_gives_total_long_share_split_and_venues():
    """Each window reads total, long share, long/short amounts and each venue's amount."""
    text = render_liqs(
        all_windows(w1h=totals("1h", 12_300_000)), [coverage(w) for w in WINDOWS],
        symbol=None, now=NOW,
    )  # fmt: skip
    lines = text.split("\n")
    assert lines[0] == "<b>Liquidations, all coins</b> · realized, as the venues reported them"
    assert lines[1] == (
        "<b>1h</b> $12.3M · 70% longs ($8.6M L / $3.7M S) · Binance $7.4M · Bybit $4.9M"
    )
    assert lines[2] == "<b>4h</b> none seen"


def test_top_coins_and_biggest_when_no_coin_is_given():
    """Without a coin, the 24h top coins and the biggest single liquidation are listed."""
    day = totals("24h", 900e6, by_symbol={"BTC": 427e6, "ETH": 374e6, "SOL": 0.0}, largest=BIG)
    text = render_liqs(all_windows(w24h=day), [coverage(w) for w in WINDOWS], symbol=None, now=NOW)
    assert "Top coins 24h: BTC $427M · ETH $374M\n" in text
    assert "Biggest 24h: $4.3M BTC long on Bybit at 86,400 (13:05 UTC)" in text
    assert "Biggest 7d" not in text  # the same event is not repeated


def test_one_coin_has_no_top_coins_and_names_the_coin():
    """With a coin, the title names it and the coverage counts that coin's liquidations."""
    week = totals("7d", 1e6, symbol="ETH", count_by_venue={"binance": 3})
    text = render_liqs(all_windows(w7d=week), [coverage(w) for w in WINDOWS], symbol="ETH", now=NOW)
    assert text.startswith("<b>ETH liquidations</b>")
    assert "Top coins" not in text
    assert "Binance: fed 3 ETH liquidations · all USDⓈ-M symbols, sampled" in text
    assert "Bybit: up, no ETH liquidations seen · tracked symbols, every liquidation" in text


def test_coverage_names_gaps_sampling_and_hyperliquid():
    """A gap is marked on every window it touches and spelled out; sampling and Hyperliquid are said."""
    closed = gap("okx", timedelta(hours=2), timedelta(minutes=3), "ping timeout")
    open_gap = gap("okx", timedelta(minutes=4), None, "connection lost")
    covs = [coverage(w, (closed, open_gap) if w != "1h" else (open_gap,)) for w in WINDOWS]
    text = render_liqs(all_windows(), covs, symbol=None, now=NOW, timezone="Europe/Berlin")
    assert "<b>1h</b> none seen · ⚠️ gap: OKX" in text
    assert (
        "OKX: ⚠️ gap 13:05–13:08 (ping timeout); feed down since 15:01 (4m, connection lost)"
        " · no liquidations seen · all USDT/USDC swaps, sampled" in text
    )
    assert "Hyperliquid: no public liquidation feed" in text
    assert text.endswith("Binance and OKX send a sample (lower bound); totals as of 15:05")


def test_off_venue_and_old_gap_with_its_day():
    """A venue not ingested says so; a gap older than a day carries its date."""
    old = gap("binance", timedelta(days=3), timedelta(minutes=5), "restart")
    status = STATUS | {"hyperliquid": "off"}
    covs = [coverage(w, (old,) if w == "7d" else (), status) for w in WINDOWS]
    text = render_liqs(all_windows(), covs, symbol=None, now=NOW)
    assert "Hyperliquid: not ingested (not in VENUES)" in text
    assert "Binance: ⚠️ gap Feb 26 14:05 UTC–Feb 26 14:10 UTC (restart)" in text


def test_html_is_escaped_and_many_gaps_stay_short():
    """Reasons are escaped, only the last three gaps per venue are listed, and the text fits."""
    minute = timedelta(minutes=1)
    gaps = tuple(gap("bybit", timedelta(hours=h), minute, "<b>bad</b> " * 20) for h in range(1, 60))
    covs = [coverage(w, gaps) for w in WINDOWS]
    text = render_liqs(all_windows(), covs, symbol=None, now=NOW)
    assert "<b>bad</b>" not in text
    assert "&lt;b&gt;bad&lt;/b&gt;" in text
    assert "(+56 more)" in text
    assert f"({escape(('<b>bad</b> ' * 20)[:60])}…)" in text  # reasons are cut at 60 characters
    assert len(text) < 4_096


def test_the_sampling_note_names_only_the_sampled_venues_ingested():
    """Binance and OKX off: no word of their sampling; OKX alone: OKX is named, in the singular."""
    bybit_only = STATUS | {"binance": "off", "okx": "off"}
    text = render_liqs(all_windows(), [coverage(w, status=bybit_only) for w in WINDOWS],
                       symbol=None, now=NOW)  # fmt: skip
    assert text.endswith("\nTotals as of 14:05 UTC")
    assert "sample" not in text
    okx_too = bybit_only | {"okx": "fed"}
    text = render_liqs(all_windows(), [coverage(w, status=okx_too) for w in WINDOWS],
                       symbol=None, now=NOW)  # fmt: skip
    assert text.endswith("\nOKX sends a sample (lower bound); totals as of 14:05 UTC")
