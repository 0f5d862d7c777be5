"""/liqs, /funding and /map end to end: fake exchange → real feeds and Application → fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

from bot.vocabulary.quotes import Freshness
from bot.vocabulary.records import VenueSnapshot
from tests.e2e.harness import RunningBot, eventually, running_bot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def block(text: str, venue: str) -> str:
    """The lines of one venue's block in a /funding answer."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"<b>{venue}</b>"))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("<b>")), len(lines) - 2
    )
    return "\n".join(lines[start:end])


async def seed_model_history(bot: RunningBot) -> None:
    """Forty minutes of Binance BTC snapshots with open interest rising, then rebuild the maps."""
    now = bot.services.clock()
    snapshots = [
        VenueSnapshot(
            "binance",
            "BTC",
            now - timedelta(minutes=40 - m),
            90_000.0 + 50 * (m % 3),
            open_interest=800.0 if m < 15 else 800.0 + 10 * (m - 14),
        )
        for m in range(35)
    ]
    await bot.services.store.snapshots.add_many(snapshots)
    await bot.services.maps.rebuild()


async def test_liqs_totals_split_venues_and_coverage(tmp_path: Path) -> None:
    """Liquidations that arrived are totalled per window and venue, with the coverage stated."""
    async with running_bot(tmp_path) as bot:
        await bot.exchange.liquidate("binance", "BTC", "long", 90_000.0, 2.0)
        await bot.exchange.liquidate("okx", "ETH", "short", 3_000.0, 10.0)
        market = bot.services.market
        await eventually(lambda: market.totals("1h").total_usd >= 210_000)
        bot.telegram.push_message(20, "/liqs")
        bot.telegram.push_message(20, "/liqs eth")
        all_coins, eth = await bot.telegram.wait_for("sendMessage", count=2)
    assert all_coins.params["parse_mode"] == "HTML"
    assert "<b>1h</b> $210K · 86% longs ($180K L / $30.0K S) · Binance $180K · OKX $30.0K" in (
        all_coins.text or ""
    )
    assert "Top coins 24h: BTC $180K · ETH $30.0K" in (all_coins.text or "")
    assert "Biggest 24h: $180K BTC long on Binance at 90,000" in (all_coins.text or "")
    assert "Binance: fed 1 liquidation ·" in (all_coins.text or "")
    assert "Hyperliquid: no public liquidation feed" in (all_coins.text or "")
    assert "lower bound" in (all_coins.text or "")
    assert "totals as of" in (all_coins.text or "")
    assert (eth.text or "").startswith("<b>ETH liquidations</b>")
    assert "<b>7d</b> $30.0K · 0% longs ($0 L / $30.0K S) · OKX $30.0K" in (eth.text or "")
    assert "Binance: up, no ETH liquidations seen" in (eth.text or "")


async def test_liqs_reports_a_venue_whose_feed_is_down(tmp_path: Path) -> None:
    """A frozen venue's gap is marked on the windows and spelled out in the coverage."""
    async with running_bot(tmp_path) as bot:
        bot.exchange.freeze("okx")
        market = bot.services.market

        def okx_gap() -> bool:
            now = bot.services.clock()
            return any(g.venue == "okx" for g in market.gaps(now - timedelta(hours=1), now))

        await eventually(okx_gap, timeout_s=10)
        bot.telegram.push_message(30, "/liqs BTC")
        [reply] = await bot.telegram.wait_for("sendMessage")
    lines = (reply.text or "").split("\n")
    last_hour = next(line for line in lines if line.startswith("<b>1h</b>"))
    assert "OKX" in last_hour.partition(" · ⚠️ gap: ")[2]
    assert any(line.startswith("OKX: ⚠️ feed down since ") for line in lines)
    assert "Hyperliquid: no public liquidation feed" in lines


async def test_liqs_unknown_coin_names_the_closest(tmp_path: Path) -> None:
    """An unknown coin gets one line with the closest tracked coin and an example."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(21, "/liqs ETG")
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert reply.text == "'ETG' is not a coin I track (closest: ETH). Example: /liqs BTC"


async def test_funding_shows_normalised_rates_per_venue(tmp_path: Path) -> None:
    """Rates set on each venue come back per 8h and per year, with interval and next time."""
    async with running_bot(tmp_path) as bot:
        bot.exchange.set_funding("binance", "BTC", 0.0003)
        bot.exchange.set_funding("bybit", "BTC", -0.0001, 8)
        bot.exchange.set_funding("okx", "BTC", 0.0002, 4)
        bot.exchange.set_funding("hyperliquid", "BTC", 0.00005)
        assert bot.app.job_queue is not None
        [poll] = bot.app.job_queue.get_jobs_by_name("ingest snapshots")
        await poll.run(bot.app)
        market = bot.services.market

        def updated() -> bool:
            rates = {q.venue: q.funding_rate for q in market.quotes("BTC")}
            return rates == {
                "binance": 0.0003,
                "bybit": -0.0001,
                "okx": 0.0002,
                "hyperliquid": 0.00005,
            }

        await eventually(updated)
        bot.telegram.push_message(22, "/funding BTC")
        [reply] = await bot.telegram.wait_for("sendMessage")
    text = reply.text or ""
    assert "<b>Binance</b> +0.0300%/8h · +32.85%/yr" in text
    assert "<b>Bybit</b> -0.0100%/8h · -10.95%/yr" in text
    assert "<b>OKX</b> +0.0400%/8h (+0.02000%/4h) · +43.80%/yr" in text
    assert "<b>Hyperliquid</b> +0.0400%/8h (+0.00500%/1h) · +43.80%/yr" in text
    assert "every 4h · next " in block(text, "OKX")
    assert " UTC (in " in block(text, "OKX")
    assert "stale" not in text
    assert "data " in text.split("\n")[-1]


async def test_funding_without_a_coin_is_a_table_of_every_coin(tmp_path: Path) -> None:
    """The table has a row per tracked coin with an 8h rate per venue."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(23, "/funding")
        [reply] = await bot.telegram.wait_for("sendMessage")
    text = reply.text or ""
    assert "coin     Binance     Bybit       OKX        HL" in text
    assert "\nBTC      +0.0100   +0.0100   +0.0100   +0.0100" in text
    assert "\nETH " in text
    assert len(text) < 4_096


async def test_funding_marks_a_frozen_venue_stale_and_answers_the_rest(tmp_path: Path) -> None:
    """With OKX frozen its block says stale; Binance, still streaming, does not."""
    async with running_bot(tmp_path) as bot:
        market = bot.services.market
        market.freshness = Freshness(mark_s=2.0)
        bot.exchange.freeze("okx")

        async def keep_binance_streaming() -> None:
            while True:  # a live venue pushes marks every second; this one a little faster
                await bot.exchange.push_marks("binance")
                await asyncio.sleep(0.2)

        streaming = asyncio.create_task(keep_binance_streaming())
        try:

            def okx_stale() -> bool:
                okx = market.quote("okx", "BTC")
                return okx is not None and okx.stale

            await eventually(okx_stale, timeout_s=10)
            await eventually(lambda: not getattr(market.quote("binance", "BTC"), "stale", True))
            bot.telegram.push_message(24, "/funding BTC")
            [reply] = await bot.telegram.wait_for("sendMessage")
        finally:
            streaming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await streaming
    text = reply.text or ""
    assert "⚠️ stale: mark " in block(text, "OKX")
    assert "stale" not in block(text, "Binance")
    assert "<b>OKX</b> +0.0100%/8h" in text  # the last known rate is still shown


async def test_map_while_the_model_warms_up(tmp_path: Path) -> None:
    """Without open-interest history the answer is text saying the model is warming up."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(25, "/map BTC")
        [reply] = await bot.telegram.wait_for("sendMessage")
    text = reply.text or ""
    assert text.startswith("<b>BTC liquidation map</b>: the model is still warming up.")
    assert "Mark 90,000 (Binance) · data " in text
    assert not bot.telegram.calls("sendPhoto")


async def test_map_sends_the_chart_with_its_caption(tmp_path: Path) -> None:
    """With a modeled map the bot sends a PNG whose caption reads it, within 1,024 characters."""
    async with running_bot(tmp_path) as bot:
        await seed_model_history(bot)
        assert not bot.services.maps.combined_map("BTC").is_empty
        bot.telegram.push_message(26, "/map btc")
        [photo] = await bot.telegram.wait_for("sendPhoto", timeout=10)
    assert photo.files["photo"].content.startswith(PNG_MAGIC)
    assert photo.files["photo"].filename == "liquidation-map-BTC.png"
    assert photo.files["photo"].content_type == "image/png"
    caption = photo.params["caption"]
    assert len(caption) <= 1_024
    assert caption.startswith("<b>BTC liquidation map</b> · Binance\nMark 90,000 (Binance)")
    assert "modeled, not observed" in caption
    assert "<b>Longs liquidated down to</b>\n−1% 89,100 $" in caption
    assert "model as of " in caption
    assert photo.params["parse_mode"] == "HTML"


async def test_map_is_rate_limited_per_chat(tmp_path: Path) -> None:
    """A second /map within 10 s in the same chat gets a wait; another chat is served."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(27, "/map BTC")
        bot.telegram.push_message(27, "/map ETH")
        bot.telegram.push_message(28, "/map ETH")
        replies = await bot.telegram.wait_for("sendMessage", count=3)
    same_chat = [r.text or "" for r in replies if r.chat_id == 27]
    other_chat = [r.text or "" for r in replies if r.chat_id == 28]
    assert len(same_chat) == 2
    assert any("warming up" in text for text in same_chat)
    assert any(text.startswith("One map every 10 s; try again in ") for text in same_chat)
    assert len(other_chat) == 1
    assert "warming up" in other_chat[0]


async def test_map_needs_a_coin(tmp_path: Path) -> None:
    """/map alone asks for a coin, with an example, and does not use up the chat's map."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(29, "/map")
        bot.telegram.push_message(29, "/map BTC")
        replies = await bot.telegram.wait_for("sendMessage", count=2)
    texts = [r.text or "" for r in replies]
    assert "Name a coin. Example: /map BTC or /map BTC heatmap" in texts
    assert any("warming up" in text for text in texts)
