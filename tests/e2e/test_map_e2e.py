"""/map end to end on a first start: the backfill warms the map, the chart goes up as a named PNG."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.e2e.harness import eventually, running_bot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def test_first_start_backfills_and_map_is_warm(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With two days of published history the first /map is a chart, not "warming up"."""
    caplog.set_level(logging.INFO, logger="bot.market.backfill")
    async with running_bot(tmp_path, history_days=2) as bot:
        maps = bot.services.maps

        def warm() -> bool:
            held = {v for v in maps.venues_for("BTC") if not maps.map_for(v, "BTC").is_empty}
            return held == {"binance", "bybit", "okx"}

        await eventually(warm, timeout_s=30)
        bot.telegram.push_message(41, "/map BTC")
        [photo] = await bot.telegram.wait_for("sendPhoto", timeout=15)
    assert photo.files["photo"].content.startswith(PNG_MAGIC)
    assert photo.files["photo"].filename == "liquidation-map-BTC.png"
    caption = photo.params["caption"]
    assert "Binance + Bybit + OKX combined" in caption
    assert "backfill binance BTC open interest 3/30 days" in caplog.text
    assert "backfill binance BTC: the venue keeps 2.0 days of open interest" in caplog.text
    assert "Hyperliquid publishes no open-interest history" in caplog.text
