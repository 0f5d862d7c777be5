"""The /map caption and warming-up text on hand-built maps: clusters, cumulative levels, ages, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.render.map_text import (
    CAPTION_LIMIT,
    render_map_caption,
    render_map_text,
    render_map_wait,
)
from bot.render.numbers import price
from bot.vocabulary.maps import Admission, MapScore, MapView
from bot.vocabulary.quotes import LiveQuote
from risk.liquidation_map import LiquidationMap, realized_map
from risk.map_fit import FitEvidence, MapFit

NOW = datetime(2025, 3, 1, 14, 5, tzinfo=UTC)
MARK = 90_000.0


def quote(venue: str = "binance", stale: str | None = None) -> LiveQuote:
    """A mark of 90,000, 2s old."""
    return LiveQuote(venue, "BTC", MARK, NOW, 2.0, None, None, None, None, stale)


def sample_map() -> LiquidationMap:
    """$12M of longs at 89,500, $310M at 86,400; $20M of shorts at 90,500 and $120M at 95,000."""
    events = [(89_500, 12e6, "long"), (86_400, 310e6, "long"), (90_500, 20e6, "short"),
              (95_000, 120e6, "short")]  # fmt: skip
    return realized_map(events, as_of=NOW - timedelta(minutes=3))


def centre(liq_map: LiquidationMap, at: float) -> str:
    """The printed price of the bin holding `at`."""
    return price(liq_map.price_of(liq_map.bin_of(at)))


def view(liq_map: LiquidationMap, **kw) -> MapView:
    """A view of BTC over Binance and Bybit."""
    return MapView(
        "BTC", liq_map, kw.pop("venues", ("binance", "bybit")), kw.pop("quote", quote()), NOW, **kw
    )


def test_caption_reads_clusters_levels_and_ages():
    """The caption names venues, mark, nearest clusters, cumulative levels and the data's age."""
    liq_map = sample_map()
    long_at, short_at = centre(liq_map, 86_400), centre(liq_map, 95_000)
    lines = render_map_caption(view(liq_map)).split("\n")
    assert lines[0] == "<b>BTC liquidation map</b> · Binance + Bybit combined"
    assert lines[1] == "Mark 90,000 (Binance) · modeled, not observed"
    assert lines[2] == (
        f"Nearest longs: $310M at {long_at}, 4.0% below · $322M of longs in all from the mark "
        "through it"
    )
    assert lines[3] == (
        f"Nearest shorts: $120M at {short_at}, 5.6% above · $140M of shorts in all from the mark "
        "through it"
    )
    assert lines[4] == "<b>Longs liquidated down to</b>"
    assert lines[5] == "−1% 89,100 $12.0M · −3% 87,300 $12.0M · −5% 85,500 $322M"
    assert lines[7] == "+1% 90,900 $20.0M · +3% 92,700 $20.0M · +5% 94,500 $20.0M"
    assert lines[8] == "Live score: no liquidations scored yet (the first hour is still open)"
    assert lines[9] == "model as of 14:02 UTC (3m old) · mark 2s old"
    assert len(lines) == 10


def test_a_one_shot_caption_has_no_live_score_and_no_fit_to_come():
    """`liqguard map` (live False): no live-score line, and a venue on the defaults is not promised a fit."""
    fits = (("binance", MapFit()),)
    live = render_map_caption(view(sample_map(), fits=fits))
    once = render_map_caption(view(sample_map(), fits=fits), live=False)
    assert "the first fit follows the backfill" in live
    assert "Live score" in live
    assert "Binance: defaults assumed (a one-shot run hears no liquidations to fit to)" in once
    assert "Live score" not in once
    assert "first fit follows" not in once


def test_caption_without_clusters_and_with_a_stale_mark():
    """No cluster on a side is said; a stale mark is flagged; times follow the chat's timezone."""
    liq_map = realized_map([(89_000, 5e6, "long")], as_of=NOW)
    caption = render_map_caption(
        view(liq_map, quote=quote("okx", "mark 45s old")), timezone="Europe/Berlin"
    )
    assert "Nearest shorts: no cluster above the mark" in caption
    assert "model as of 15:05 (0s old) · mark 2s old" in caption
    assert caption.endswith("⚠️ stale: mark 45s old")


def test_caption_never_exceeds_telegrams_limit():
    """Even with a long warning and every venue, the caption fits in 1,024 characters."""
    caption = render_map_caption(
        view(sample_map(), venues=("binance", "bybit", "okx", "hyperliquid"),
             quote=quote(stale="<x>" * 300)),
    )  # fmt: skip
    assert len(caption) <= CAPTION_LIMIT
    assert "<x>" not in caption


def test_empty_model_says_warming_up_and_shows_realized_clusters():
    """With no modeled map yet the text explains why and lists the realized clusters instead."""
    realized = realized_map([(88_000, 4.2e6, "long"), (91_200, 1.1e6, "short")], as_of=NOW)
    text = render_map_text(view(LiquidationMap(), venues=(), realized=realized))
    assert text.startswith("<b>BTC liquidation map</b>: the model is still warming up.")
    assert "needs some open-interest history" in text
    assert f"  $4.2M of longs at {centre(realized, 88_000)} · 2.2% below" in text
    assert f"  $1.1M of shorts at {centre(realized, 91_200)} · 1.3% above" in text
    assert text.endswith("Mark 90,000 (Binance) · data 2s old")


def test_empty_model_and_nothing_realized():
    """No realized liquidations either is said plainly."""
    text = render_map_text(view(LiquidationMap(), venues=(), realized=LiquidationMap()))
    assert "No BTC liquidations seen in the last 24h either." in text


def test_no_price_at_all():
    """Without any mark the answer says there is no price and asks whether feeds are down."""
    text = render_map_text(MapView("BTC", LiquidationMap(), (), None, NOW))
    assert text == "<b>BTC liquidation map</b>: no price for BTC from any venue yet (feeds down?)."


def test_wait_line_rounds_up_to_whole_seconds():
    """A refused /map reads the interval and the whole seconds left."""
    wait = render_map_wait(10, Admission(allowed=False, retry_after_s=6.2))
    assert wait == "One map every 10 s; try again in 7 s."


def test_a_wide_cluster_and_its_total_come_from_the_same_bins():
    """A cluster spread over several bins: the total through it includes every one of its bins
    (issue #12 saw "$249M at 56,956" beside "cluster 56,956 $686M" for the same level)."""
    events = [(89_000, 5e6, "long")] + [(86_000 - 90 * i, 80e6, "long") for i in range(4)]
    liq_map = realized_map(events, as_of=NOW)
    line = render_map_caption(view(liq_map)).split("\n")[2]
    assert line.startswith("Nearest longs: $320M at ")
    assert "· $325M of longs in all from the mark through it" in line


def test_caption_says_what_was_fitted_and_how_it_scores():
    """Each venue's fit (or why the defaults stand) and the live score beside a uniform spread."""
    fitted = MapFit(((5.0, 0.2), (10.0, 0.35), (25.0, 0.3), (50.0, 0.1), (100.0, 0.05)),
                    fitted=True, evidence=FitEvidence(days=7.0, events=5_120, notional_usd=4e8))  # fmt: skip
    thin = MapFit(evidence=FitEvidence(days=2.0, intervals=576, events=12, heard_days=0.2))
    fits = (("binance", fitted), ("bybit", thin), ("hyperliquid", MapFit()))
    score = MapScore(0.41, 0.12, 2.5e8, 168)
    lines = render_map_caption(view(sample_map(), fits=fits, score=score)).split("\n")
    assert lines[8] == (
        "Binance: leverage mix fitted from 7.0 days of liquidations heard (5,120, sampled: unthinned): "
        "10x 35 %, 25x 30 %, 5x 20 %, 50x 10 %, …; half-life 3.0 d, longs 50 %"
    )
    assert len("\n".join(lines)) <= CAPTION_LIMIT
    assert lines[9] == (
        "Bybit: defaults assumed (liquidations heard for 0.2 d so far; a fit needs 0.25 d)"
    )
    assert lines[10] == "Hyperliquid: defaults assumed (it publishes no liquidations to fit to)"
    assert lines[11].startswith("Defaults: 10x 20 %, 5x 20 %, 3x 15 %, 2x 15 %, …; half-life 3.0 d")
    lines = lines[:11] + lines[12:]
    assert lines[11] == (
        "Live score, 168 h: 41 % of $250M liquidated fell within ±0.5 % of a level held just "
        "before (a uniform spread: 12 %)"
    )
