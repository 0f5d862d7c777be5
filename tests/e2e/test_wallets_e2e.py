"""Wallets end to end: /wallet, /wallets, /positions and the sync's announcements and alerts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.vocabulary.alert_settings import AlertSettings
from bot.wallets.pacing import WalletPacing
from tests.e2e.harness import RunningBot, running_bot, settled
from tests.fakes.exchange_wallets import FakePosition, WalletFailure
from tests.fakes.telegram import BotApiCall

CHAT = 60
ADDRESS = "0x12ab" + "0" * 32 + "9f3c"


def in_chat(call: BotApiCall) -> bool:
    """A call addressed to the test chat."""
    return str(call.chat_id) == str(CHAT)


def texts(bot: RunningBot) -> list[str]:
    """The texts sent to the test chat, in order."""
    return [c.text or "" for c in bot.telegram.sent_messages(CHAT) if c.method == "sendMessage"]


async def said(bot: RunningBot, count: int, timeout_s: float = 8.0) -> list[str]:
    """Wait until the chat got `count` messages; return their texts."""
    await bot.telegram.wait_for("sendMessage", count=count, predicate=in_chat, timeout=timeout_s)
    return texts(bot)


def _btc(size: float = 0.5, liq: float | None = 82_000.0) -> FakePosition:
    return FakePosition("BTC", size, 90_000.0, 10, "isolated", liq)


async def test_wallet_card_then_sync_announces_changes_and_close(tmp_path: Path) -> None:
    """/wallet answers with the card; a top-up and a close arrive as announcements; /positions marks it."""
    async with running_bot(tmp_path, wallet_pacing=WalletPacing(interval_s=1)) as bot:
        wallets = bot.exchange.wallets
        wallets.set_account_value(ADDRESS, 25_000.0)
        wallets.open_position(ADDRESS, _btc())
        bot.telegram.push_message(CHAT, f"/wallet {ADDRESS.upper().replace('0X', '0x')} main")
        [card] = await said(bot, 1)
        bot.telegram.push_message(CHAT, "/positions")
        positions = (await said(bot, 2))[1]
        wallets.open_position(ADDRESS, _btc(size=0.8, liq=84_500.0))
        changed = (await said(bot, 3))[2]
        wallets.close_position(ADDRESS, "BTC")
        closed = (await said(bot, 4))[3]
        watches = await bot.services.store.watches.list_for_chat(CHAT)
    assert "<b>main</b> <code>0x12ab" in card
    assert "Account value $25,000 · margin used $4,500 · 1 open position" in card
    assert "<b>BTC long 10x</b> · isolated · 0.5 BTC @ 90,000 ($45,000)" in card
    assert "Liquidation (Hyperliquid) 82,000 · 8.9% below mark (90,000)" in card
    assert "liqguard computes" in card
    assert "SAFE" in card or "CAUTION" in card
    assert "not its spot balances" in card
    assert "🔄 synced from wallet" in positions
    assert "liquidation (venue's) 82,000" in positions
    assert changed.startswith("🔄 Changed in <b>main</b>")
    assert "size 0.5 → 0.8 BTC" in changed
    assert "liquidation 82,000 → 84,500" in changed
    assert closed.startswith("✅ Closed in <b>main</b> <code>0x12ab")
    assert ": <b>BTC long</b>" in closed
    assert "Last seen: 0.8 BTC @ 90,000, 10x isolated, liquidation 84,500" in closed
    assert watches == []


async def test_alerts_measure_from_the_venues_liquidation_price(tmp_path: Path) -> None:
    """A wallet position 3 % from the venue's liquidation price alerts, though liqguard's own is far."""
    async with running_bot(tmp_path, wallet_pacing=WalletPacing(interval_s=1)) as bot:
        bot.exchange.wallets.set_account_value(ADDRESS, 1_000_000.0)
        bot.exchange.wallets.open_position(
            ADDRESS, FakePosition("BTC", 0.5, 90_000.0, 10, "cross", 87_300.0)
        )
        bot.telegram.push_message(CHAT, f"/wallet {ADDRESS}")
        await said(bot, 1)
        for _ in range(100):
            await bot.exchange.push_marks("hyperliquid")
            if len(texts(bot)) >= 2:
                break
            await asyncio.sleep(0.05)
        alert = (await said(bot, 2))[1]
    assert "87,300" in alert
    assert "5%" in alert


async def test_bad_addresses_empty_wallets_and_outages_say_so(tmp_path: Path) -> None:
    """A wrong address gets a line and an example; an empty wallet is kept; an outage shows the age."""
    async with running_bot(tmp_path, wallet_pacing=WalletPacing(interval_s=1)) as bot:
        tg = bot.telegram
        tg.push_message(CHAT, "/wallet 0x12ab")
        tg.push_message(CHAT, "/watch 0xZZ" + "1" * 38)
        tg.push_message(CHAT, "/wallet")
        bad = await said(bot, 3)
        tg.push_message(CHAT, f"/watch {ADDRESS}")
        empty = (await said(bot, 4))[3]
        bot.exchange.wallets.fail(WalletFailure(502), times=1000)
        tg.push_message(CHAT, f"/wallet {ADDRESS}")
        outage = (await said(bot, 5))[4]
        [wallet] = await bot.services.store.wallets.list_for_chat(CHAT)
    assert bad[0].startswith("'0x12ab' is not an address: it takes 0x and 40 hex digits")
    assert "Example: /wallet 0x" in bad[0]
    assert "is not an address" in bad[1]
    assert bad[2].startswith("Give the Hyperliquid address to watch")
    assert "0 open positions" in empty
    assert "No open position. The wallet is kept" in empty
    assert "Hyperliquid did not answer" in outage
    assert "Showing the last known positions" in outage
    assert "0 open positions" in outage
    assert wallet.state is not None


async def test_groups_see_short_addresses_and_wallets_survive_restart_and_remove(
    tmp_path: Path,
) -> None:
    """In a group the address is shortened; it survives a restart; only its member removes it, once."""
    group, member, other = -1001, 5, 6

    def in_group(call: BotApiCall) -> bool:
        return str(call.chat_id) == str(group)

    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(
            group, f"/wallet {ADDRESS} desk", chat_type="supergroup", user_id=member
        )
        [card] = await bot.telegram.wait_for("sendMessage", predicate=in_group)
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_message(group, "/wallets", chat_type="supergroup", user_id=other)
        [listed] = await tg.wait_for("sendMessage", predicate=in_group)
        button = listed.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        message_id = listed.result["message_id"]
        for count, presser in enumerate((other, member, member), start=1):
            tg.push_callback(group, message_id, button, user_id=presser)
            answers = await tg.wait_for("answerCallbackQuery", count=count)
        edited = tg.calls("editMessageText")
        left = await bot.services.store.wallets.list_for_chat(group)
    assert card.text is not None
    assert "<code>0x12ab…9f3c</code>" in card.text
    assert ADDRESS not in card.text
    assert listed.text is not None
    assert "0x12ab…9f3c" in listed.text
    assert [a.params.get("text") for a in answers] == [
        "Only the member who added it, or an admin, can remove it.",
        "Removed",
        "Already gone",
    ]
    assert edited[0].text is not None
    assert "Stopped watching <b>desk</b>" in edited[0].text
    assert left == []


async def test_stop_removes_the_chats_wallets_and_their_watches(tmp_path: Path) -> None:
    """/stop in a private chat removes its wallet and the watch synced from it, and says so."""
    async with running_bot(tmp_path) as bot:
        wallets = bot.exchange.wallets
        wallets.set_account_value(ADDRESS, 25_000.0)
        wallets.open_position(ADDRESS, _btc())
        bot.telegram.push_message(CHAT, f"/wallet {ADDRESS}")
        await said(bot, 1)
        bot.telegram.push_message(CHAT, "/stop")
        stopped = (await said(bot, 2))[1]
        left_wallets = await bot.services.store.wallets.list_for_chat(CHAT)
        left_watches = await bot.services.store.watches.list_for_chat(CHAT)
    assert stopped.startswith("Done: 1 watch(es), 1 wallet(s) and 0 schedule(s) removed")
    assert left_wallets == []
    assert left_watches == []


async def test_wallet_announcements_follow_the_chats_position_alert_settings(
    tmp_path: Path,
) -> None:
    """Position alerts silent: a change arrives without sound; switched off: only the watch follows."""
    async with running_bot(tmp_path, wallet_pacing=WalletPacing(interval_s=1)) as bot:
        wallets, store = bot.exchange.wallets, bot.services.store
        book = bot.worker.alerts.book
        wallets.set_account_value(ADDRESS, 25_000.0)
        wallets.open_position(ADDRESS, _btc())
        bot.telegram.push_message(CHAT, f"/wallet {ADDRESS} main")
        await said(bot, 1)
        silent = AlertSettings().with_mode("position", "silent")
        await bot.services.chats.change_settings(CHAT, silent, "UTC")
        await book.reload_chats()  # what the worker's periodic refresh does within 10 s
        wallets.open_position(ADDRESS, _btc(size=0.8, liq=84_500.0))
        await said(bot, 2)
        changed = bot.telegram.sent_messages(CHAT)[1]
        await bot.services.chats.change_settings(CHAT, silent.with_mode("position", "off"), "UTC")
        await book.reload_chats()
        wallets.close_position(ADDRESS, "BTC")

        async def closed() -> bool:
            return not await store.watches.list_for_chat(CHAT)

        await settled(closed)
        [wallet] = await store.wallets.list_for_chat(CHAT)
        rows = await store.outbox.statuses(CHAT)
    assert changed.text is not None
    assert changed.text.startswith("🔄 Changed in <b>main</b>")
    assert changed.params.get("disable_notification") is True
    assert wallet.version == 3  # opened (read by /wallet), changed, closed
    assert [key for key, _ in rows] == [f"wallet:{wallet.id}:v2:BTC:changed"]


async def test_start_deep_links_with_an_address_watch_the_wallet(tmp_path: Path) -> None:
    """/start watch_0x… and /start wallet_0x…_label answer as /wallet does; a bad address gets the usage."""
    other = "0x" + "cd" * 20
    async with running_bot(tmp_path, wallet_pacing=WalletPacing(interval_s=1)) as bot:
        wallets = bot.exchange.wallets
        wallets.set_account_value(ADDRESS, 25_000.0)
        wallets.open_position(ADDRESS, _btc())
        bot.telegram.push_message(CHAT, f"/start watch_{ADDRESS}")
        [card] = await said(bot, 1)
        bot.telegram.push_message(CHAT, f"/start wallet_{other}_desk")
        labelled = (await said(bot, 2))[1]
        bot.telegram.push_message(CHAT, "/start watch_0x12ab")
        bot.telegram.push_message(CHAT, "/start wallet")
        bad, bare = (await said(bot, 4))[2:]
        listed = await bot.services.store.wallets.list_for_chat(CHAT)
        watches = await bot.services.store.watches.list_for_chat(CHAT)
    assert card.startswith(f"👛 Wallet <code>{ADDRESS}</code> · Hyperliquid")
    assert "<b>BTC long 10x</b> · isolated · 0.5 BTC @ 90,000 ($45,000)" in card
    assert "Kept in sync every 1 s." in card
    assert labelled.startswith(f"👛 Wallet <b>desk</b> <code>{other}</code>")
    assert bad.startswith("'0x12ab' is not an address: it takes 0x and 40 hex digits")
    assert "Example: /wallet 0x" in bad
    assert bare.startswith("Give the Hyperliquid address to watch")
    assert [(w.address, w.label) for w in listed] == [(ADDRESS, None), (other, "desk")]
    assert [(w.symbol, w.wallet_id) for w in watches] == [("BTC", listed[0].id)]
