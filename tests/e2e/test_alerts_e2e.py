"""Alerts end to end: marks on the fake exchange's WebSocket to messages in the fake Bot API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.vocabulary.alert_settings import AlertSettings
from bot.vocabulary.positions import watch_position
from risk.liquidation import liquidation_price
from tests.e2e.harness import RunningBot, running_bot
from tests.fakes.telegram import BotApiCall

CHAT = 50


def in_chat(call: BotApiCall) -> bool:
    """A call addressed to the test chat."""
    return str(call.chat_id) == str(CHAT)


async def liquidation_of_first_watch(bot: RunningBot) -> float:
    """The liquidation price of the chat's first watch, as the engine computes it."""
    [watch] = await bot.services.store.watches.list_for_chat(CHAT)
    table = bot.services.tiers(watch.venue, watch.symbol)
    price = liquidation_price(watch_position(watch), table).price
    assert price is not None
    return price


async def watch_outside_the_ladder(bot: RunningBot) -> float:
    """Put BTC at 95,000 (14 % above the watch's liquidation price: outside the ladder), watch BTC 10x
    long @ 90,000; the watch's liquidation price."""
    bot.exchange.set_price("BTC", 95_000)
    for _ in range(100):
        await bot.exchange.push_marks("binance")
        quote = bot.services.market.quote("binance", "BTC")
        if quote is not None and quote.mark_price == 95_000:
            break
        await asyncio.sleep(0.02)
    bot.telegram.push_message(CHAT, "/watch BTC 10x long @ 90000 size 0.5")
    await bot.telegram.wait_for("sendMessage", predicate=in_chat)
    return await liquidation_of_first_watch(bot)


async def move_until_alerted(bot: RunningBot, price: float, count: int) -> list[BotApiCall]:
    """Set BTC's price and push Binance marks until `count` messages reached the chat."""
    bot.exchange.set_price("BTC", price)
    for _ in range(100):
        await bot.exchange.push_marks("binance")
        sent = [c for c in bot.telegram.calls("sendMessage") if in_chat(c) and c.ok]
        if len(sent) >= count:
            return sent
        await asyncio.sleep(0.05)
    raise AssertionError(f"no alert at {price}: {[c.text for c in sent]}")


async def test_a_fall_through_the_ladder_and_past_liquidation(tmp_path: Path) -> None:
    """10 %, 5 %, 2 %, then crossed: four alerts in order, a wobble in between sends nothing."""
    async with running_bot(tmp_path) as bot:
        lp = await watch_outside_the_ladder(bot)

        def mark(distance_pct: float) -> float:
            return round(lp / (1 - distance_pct / 100), 1)

        await move_until_alerted(bot, mark(9), 2)  # the engine reloads after /watch, then alerts
        await move_until_alerted(bot, mark(4.5), 3)
        for wobble in (5.1, 4.9, 5.3, 4.7):
            bot.exchange.set_price("BTC", mark(wobble))
            await bot.exchange.push_marks("binance")
        await move_until_alerted(bot, mark(1.5), 4)
        sent = await move_until_alerted(bot, mark(-0.5), 5)
        await asyncio.sleep(0.3)
        after = [c for c in bot.telegram.calls("sendMessage") if in_chat(c)]
    texts = [c.text or "" for c in sent[1:]]
    assert len(after) == 5
    assert ["within 10%" in texts[0], "within 5%" in texts[1], "within 2%" in texts[2]] == [
        True
    ] * 3
    assert texts[0].startswith("🟠 <b>BTC long 10x</b> #1 on Binance: liquidation")
    assert "(within 2%)" in texts[2]
    assert texts[3].startswith("💥 <b>BTC long 10x</b> #1 on Binance: the mark")
    assert "crossed your liquidation price" in texts[3]


async def test_a_liquidation_wave_is_one_message_then_edits(tmp_path: Path) -> None:
    """Liquidations streamed on the fake exchange open a wave; more of them edit it; a lull closes it."""
    offset = [timedelta()]

    def clock() -> datetime:
        return datetime.now(UTC) + offset[0]

    async with running_bot(tmp_path, clock=clock) as bot:
        tg, store = bot.telegram, bot.services.store
        tg.push_message(CHAT, "/alerts")
        await tg.wait_for("sendMessage", predicate=in_chat)
        settings = AlertSettings(wave_min_usd=1e6).with_mode("wave", "on")
        await store.chats.update_settings(CHAT, settings.to_stored(), clock())
        assert bot.app.job_queue is not None
        [job] = bot.app.job_queue.get_jobs_by_name("market alerts")
        market = bot.services.market

        async def liquidate(count: int) -> None:
            before = market.totals("1h", "BTC").count
            ts_ms = int(clock().timestamp() * 1000)
            for i in range(count):
                await bot.exchange.liquidate("bybit", "BTC", "long", 89_000, 5.0, ts_ms + i)
            async with asyncio.timeout(5):
                while market.totals("1h", "BTC").count < before + count:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)

        await liquidate(3)  # 3 × 5 BTC × 89,000 = $1.3M: over the $1M floor
        await job.run(bot.app)
        await tg.wait_for(
            "sendMessage", count=2, predicate=in_chat
        )  # /alerts, BTC (it is the market)
        for _ in range(2):
            offset[0] += timedelta(seconds=90)
            await liquidate(3)
            await job.run(bot.app)
        edits = await tg.wait_for("editMessageText", count=2, predicate=in_chat)
        offset[0] += timedelta(hours=1, minutes=1)
        await job.run(bot.app)
        offset[0] += timedelta(minutes=11)
        await job.run(bot.app)
        edits = await tg.wait_for("editMessageText", count=3, predicate=in_chat)
        sends = [c for c in tg.calls("sendMessage") if in_chat(c)]
    waves = [c for c in sends if "Liquidation wave" in (c.text or "")]
    assert len(waves) == 1  # one coin made the whole market's wave: one alert, not two
    btc = next(c for c in waves if "<b>BTC</b>" in (c.text or ""))
    btc_edits = [e.text or "" for e in edits if e.params["message_id"] == btc.result["message_id"]]
    assert len(btc_edits) == 3
    assert btc_edits[0].startswith("🌊 Liquidation wave in <b>BTC</b>\n$2.7M liquidated (last 1h)")
    assert btc_edits[1].startswith("🌊 Liquidation wave in <b>BTC</b>\n$4.0M liquidated (last 1h)")
    assert btc_edits[2].startswith(
        "✅ Liquidation wave over in <b>BTC</b>\n$4.0M liquidated (peak 1h), 100% longs"
    )


async def test_a_watch_inside_the_first_step_is_not_told_it_again(tmp_path: Path) -> None:
    """A 10x long at the mark is inside 10 %: the confirmation says so, and the next alert is 5 %."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(CHAT, "/watch BTC 10x long")
        [confirmed] = await bot.telegram.wait_for("sendMessage", predicate=in_chat)
        lp = await liquidation_of_first_watch(bot)
        for _ in range(10):  # the engine reloads after /watch and sees these marks
            await bot.exchange.push_marks("binance")
            await asyncio.sleep(0.05)
        quiet = [c for c in bot.telegram.calls("sendMessage") if in_chat(c)]
        sent = await move_until_alerted(bot, round(lp / (1 - 4.5 / 100), 1), 2)
    assert confirmed.text is not None
    assert "already within 10%" in confirmed.text
    assert len(quiet) == 1
    assert "within 5%" in (sent[1].text or "")


async def test_quiet_hours_hold_the_next_alert_at_once(tmp_path: Path) -> None:
    """Quiet hours set with /alerts apply to the very next alert, not after the engine's next reload."""
    async with running_bot(tmp_path) as bot:
        lp = await watch_outside_the_ladder(bot)
        await move_until_alerted(bot, round(lp / 0.91, 1), 2)  # within 10 %: sent
        now = datetime.now(UTC)
        start, end = (
            (now - timedelta(hours=1)).strftime("%H:%M"),
            (now + timedelta(hours=1)).strftime("%H:%M"),
        )
        bot.telegram.push_message(CHAT, f"/alerts quiet {start} {end}")
        await bot.telegram.wait_for("sendMessage", count=3, predicate=in_chat)
        bot.exchange.set_price("BTC", round(lp / 0.955, 1))  # within 5 %: held
        for _ in range(20):
            await bot.exchange.push_marks("binance")
            await asyncio.sleep(0.05)
        states = await bot.services.store.alert_states.all()
        sent = [c.text or "" for c in bot.telegram.calls("sendMessage") if in_chat(c) and c.ok]
    assert not any("within 5%" in text for text in sent)
    assert any("within 5%" in line for line in states[CHAT]["gate"]["held"])
