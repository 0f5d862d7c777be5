"""/risk end to end: fake Bot API → real Application → desk → fake exchange's data → sendMessage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.render.numbers import price
from risk.liquidation import Position, liquidation_price
from risk.tiers import default_tier_table
from risk.venues import Side, Venue
from tests.e2e.harness import eventually, running_bot, settled


async def test_risk_card_numbers_equal_the_engine(tmp_path: Path) -> None:
    """The card's liquidation price is the engine's for the live mark, $1,000 margin, 10x."""
    async with running_bot(tmp_path) as bot:
        quote = bot.services.market.quote("binance", "BTC")
        assert quote is not None
        mark = quote.mark_price
        bot.telegram.push_message(10, "/risk BTC 10x long")
        [reply] = await bot.telegram.wait_for("sendMessage")
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, mark, 10_000 / mark)
    expected = liquidation_price(position, default_tier_table("binance", "BTC")).price
    assert expected is not None
    assert reply.chat_id == 10
    assert reply.text is not None
    assert f"Liquidation {price(expected)}" in reply.text
    assert "below mark" in reply.text
    assert "Binance" in reply.text
    assert "data " in reply.text
    assert " old" in reply.text
    assert reply.params["parse_mode"] == "HTML"
    button = reply.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "🔄 Refresh"


async def test_risk_on_another_venue_with_entry_and_size(tmp_path: Path) -> None:
    """Words in any order pick venue, entry and size, and the card says so."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(11, "/risk short 5x on bybit eth @ 3100 size 2")
        [reply] = await bot.telegram.wait_for("sendMessage")
    position = Position(Venue.BYBIT, "ETH", Side.SHORT, 5, 3_100, 2)
    expected = liquidation_price(position, default_tier_table("bybit", "ETH")).price
    assert expected is not None
    assert reply.text is not None
    assert f"Liquidation {price(expected)}" in reply.text
    assert "Bybit" in reply.text
    assert "Entry 3,100.0 · 2 ETH" in reply.text


async def test_malformed_risk_gets_usage_line(tmp_path: Path) -> None:
    """A word the parser cannot read is named, with a working example."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(12, "/risk BTX 10x long")
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert reply.text is not None
    assert reply.text.startswith("'BTX' is not a coin I track; did you mean BTC")
    assert reply.text.endswith("Example: /risk BTC 10x long @ 91000 size 0.5 on binance")


async def test_impossible_leverage_names_the_maximum(tmp_path: Path) -> None:
    """Leverage above the venue's maximum is refused with the maximum for that size."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(13, "/risk BTC 500x long")
        [reply] = await bot.telegram.wait_for("sendMessage")
    # $1,000 of margin at 500x is $500,000 of notional: Binance's second tier, 100x at most.
    allowed = default_tier_table("binance", "BTC").max_leverage_for_notional(500_000)
    assert allowed == 100
    assert reply.text == "500x is too high for BTC on binance at this size: the maximum is 100x."


async def test_refresh_edits_the_card_in_place(tmp_path: Path) -> None:
    """Refresh recomputes at the new mark and edits the same message."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(14, "/risk BTC 10x long")
        [card] = await bot.telegram.wait_for("sendMessage")
        bot.exchange.set_price("BTC", 85_000.0)
        await bot.exchange.push_marks("binance")
        data = card.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        message_id = card.result["message_id"]

        def moved() -> bool:
            quote = bot.services.market.quote("binance", "BTC")
            return quote is not None and quote.mark_price == 85_000.0

        await eventually(moved)
        bot.telegram.push_callback(14, message_id, data)
        [edit] = await bot.telegram.wait_for("editMessageText")
        await bot.telegram.wait_for("answerCallbackQuery")
    assert edit.params["message_id"] == message_id
    assert edit.text is not None
    assert "mark (85,000)" in edit.text
    assert card.text is not None
    assert card.text.split("\n")[1] == edit.text.split("\n")[1]  # same entry and size


async def test_contract_info_push_puts_binance_tiers_in_force_at_once(tmp_path: Path) -> None:
    """A `!contractInfo` push changes the next card's tier and labels it live with the fetch time."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(14, "/risk BTC 10x long")
        [before] = await bot.telegram.wait_for("sendMessage")
        pushed_ms = int(datetime.now(UTC).timestamp() * 1000)
        event = {
            "e": "contractInfo", "E": pushed_ms, "s": "BTCUSDT", "ps": "BTCUSDT",
            "ct": "PERPETUAL", "dt": 4133404800000, "ot": 1569398400000, "cs": "TRADING",
            "bks": [
                {"bs": 1, "bnf": 0, "bnc": 5_000, "mmr": 0.0065, "cf": 0, "mi": 51, "ma": 75},
                {"bs": 2, "bnf": 5_000, "bnc": 9e9, "mmr": 0.011, "cf": 22.5, "mi": 1, "ma": 50},
            ],
        }  # fmt: skip
        await bot.exchange.send_raw("binance", json.dumps(event))
        await eventually(lambda: bot.services.tiers.fetched_at("binance", "BTC") is not None)
        bot.telegram.push_message(14, "/risk BTC 10x long")
        [_, after] = await bot.telegram.wait_for("sendMessage", count=2)
    assert before.text is not None
    assert after.text is not None
    assert "tiers bundled (" in before.text
    fetched = datetime.fromtimestamp(pushed_ms / 1000, UTC)
    assert f"tier 2 (MMR 1.10%) · tiers live, fetched {fetched:%H:%M}" in after.text


async def test_a_flat_price_history_is_said_so(tmp_path: Path) -> None:
    """The fake's candles never move: the card says the price was flat, not that history is missing."""
    async with running_bot(tmp_path) as bot:
        store = bot.services.store

        async def candles_stored() -> bool:
            return len(await store.candles.recent("binance", "BTC", 3600, 200)) == 200

        await settled(candles_stored, timeout_s=15.0)
        bot.telegram.push_message(10, "/risk BTC 10x long")
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert reply.text is not None
    assert "not enough price history" not in reply.text
    assert "<b>Odds</b>: none, the price did not move (200 hourly closes" in reply.text
