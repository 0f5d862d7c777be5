"""/map end to end on a first start: the backfill warms the map, the chart goes up as a named PNG."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from bot.maps.service import LiquidationMapService
from tests.e2e.harness import eventually, running_bot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def warm(maps: LiquidationMapService) -> bool:
    """Whether the three venues with published history hold a BTC map."""
    held = {v for v in maps.venues_for("BTC") if not maps.map_for(v, "BTC").is_empty}
    return held == {"binance", "bybit", "okx"}


async def test_first_start_backfills_and_map_is_warm(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With two days of published history the first /map is a chart, not "warming up"."""
    caplog.set_level(logging.INFO, logger="bot.market.backfill")
    async with running_bot(tmp_path, history_days=2) as bot:
        await eventually(lambda: warm(bot.services.maps), timeout_s=30)
        bot.telegram.push_message(41, "/map BTC")
        [photo] = await bot.telegram.wait_for("sendPhoto", timeout=15)
    assert photo.files["photo"].content.startswith(PNG_MAGIC)
    assert photo.files["photo"].filename == "liquidation-map-BTC.png"
    caption = photo.params["caption"]
    assert "Binance + Bybit + OKX combined" in caption
    assert "backfill binance BTC open interest 3/30 days" in caplog.text
    assert "backfill binance BTC: the venue keeps 2.0 days of open interest" in caplog.text
    assert "Hyperliquid publishes no open-interest history" in caplog.text


async def test_heatmap_by_command_and_by_button_and_a_second_press(tmp_path: Path) -> None:
    """`/map BTC heatmap` sends the heatmap; the button under /map does too, and a second press
    within 10 s is answered with the wait, not a second photo."""
    async with running_bot(tmp_path, history_days=2) as bot:
        await eventually(lambda: warm(bot.services.maps), timeout_s=30)
        tg = bot.telegram
        tg.push_message(42, "/map BTC heatmap")
        [heat] = await tg.wait_for("sendPhoto", timeout=20)
        tg.push_message(43, "/map btc")
        chart = (await tg.wait_for("sendPhoto", count=2, timeout=20))[1]
        markup = chart.params["reply_markup"]
        markup = json.loads(markup) if isinstance(markup, str) else markup
        button = markup["inline_keyboard"][0][0]
        tg.push_callback(43, chart.result["message_id"], button["callback_data"])
        await tg.wait_for("sendPhoto", count=3, timeout=20)
        tg.push_callback(43, chart.result["message_id"], button["callback_data"])
        answers = await tg.wait_for("answerCallbackQuery", count=2, timeout=20)
        await asyncio.sleep(0.5)
        photos = tg.calls("sendPhoto")
    assert heat.files["photo"].filename == "liquidation-heatmap-BTC.png"
    assert heat.files["photo"].content.startswith(PNG_MAGIC)
    assert heat.params["caption"].startswith(
        "<b>BTC liquidation heatmap</b> · Binance + Bybit + OKX"
    )
    assert "Brightest band now: $" in heat.params["caption"]
    assert button["text"] == "🔥 Heatmap over time"
    assert len(photos) == 3
    assert photos[2].files["photo"].filename == "liquidation-heatmap-BTC.png"
    assert answers[0].text is None
    assert (answers[1].text or "").startswith("One map every 10 s; try again in ")
