"""/start, /watch, /positions, /unwatch, /alerts, /stop and the menus, end to end."""

from __future__ import annotations

from pathlib import Path

from bot.vocabulary.alert_settings import AlertSettings
from handlers.basic import ADMIN_COMMANDS, GROUP_COMMANDS, PRIVATE_COMMANDS
from tests.e2e.harness import running_bot


async def test_menus_are_set_per_scope(tmp_path: Path) -> None:
    """Start-up sets separate command lists for private chats, groups and group admins."""
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        private = tg.commands({"type": "all_private_chats"})
        groups = tg.commands({"type": "all_group_chats"})
        admins = tg.commands({"type": "all_chat_administrators"})
    assert [c["command"] for c in private] == [c.command for c in PRIVATE_COMMANDS]
    assert [c["command"] for c in groups] == [c.command for c in GROUP_COMMANDS]
    assert [c["command"] for c in admins] == [c.command for c in ADMIN_COMMANDS]
    assert "schedule" not in [c["command"] for c in groups]


async def test_watch_list_and_remove_by_button_and_number(tmp_path: Path) -> None:
    """A watch is stored, listed with a remove button, removed by button and by /unwatch N."""
    async with running_bot(tmp_path) as bot:
        tg, store = bot.telegram, bot.services.store
        tg.push_message(20, "/watch BTC 10x long @ 90000 size 0.5")
        [added] = await tg.wait_for("sendMessage")
        tg.push_message(20, "/watch eth 5x short on okx")
        await tg.wait_for("sendMessage", count=2)
        watches = await store.watches.list_for_chat(20)
        tg.push_message(20, "/positions")
        listed = (await tg.wait_for("sendMessage", count=3))[2]
        first_button = listed.params["reply_markup"]["inline_keyboard"][0][0]
        tg.push_callback(20, listed.result["message_id"], first_button["callback_data"])
        [edited] = await tg.wait_for("editMessageText")
        tg.push_message(20, f"/unwatch {watches[1].id}")
        done = (await tg.wait_for("sendMessage", count=4))[3]
        left = await store.watches.list_for_chat(20)
    assert added.text is not None
    assert added.text.startswith(
        f"👀 Watching #{watches[0].id} <b>BTC long 10x</b> @ 90,000 · 0.5 BTC · Binance"
    )
    assert "within 10%, 5%, 2%" in added.text
    first = watches[0]
    assert (first.symbol, first.side, first.venue, first.entry_price) == (
        "BTC",
        "long",
        "binance",
        90_000,
    )
    assert watches[1].venue == "okx"
    assert listed.text is not None
    assert "Watched positions</b> (2)" in listed.text
    assert "liquidation " in listed.text
    assert first_button["callback_data"] == f"uw|{watches[0].id}"
    assert edited.text is not None
    assert "Watched positions</b> (1)" in edited.text
    assert done.text == f"Stopped watching #{watches[1].id}."
    assert left == []


async def test_watch_survives_a_restart(tmp_path: Path) -> None:
    """A stored watch is there after the bot restarts on the same database."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(21, "/watch BTC 3x long")
        await bot.telegram.wait_for("sendMessage")
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(21, "/positions")
        [listed] = await bot.telegram.wait_for("sendMessage")
    assert listed.text is not None
    assert "BTC long 3x" in listed.text


async def test_bad_watch_and_unwatch_get_usage(tmp_path: Path) -> None:
    """Malformed /watch and /unwatch answer with a usage line and an example."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(22, "/watch BTC long")
        bot.telegram.push_message(22, "/unwatch abc")
        first, second = await bot.telegram.wait_for("sendMessage", count=2)
    assert (
        first.text
        == "missing leverage (10x)\nExample: /watch BTC 10x long @ 91000 size 0.5 on binance"
    )
    assert second.text == "Which one? Give its number from /positions.\nExample: /unwatch 3"


async def test_deep_link_start_watches(tmp_path: Path) -> None:
    """/start watch_BTC_10x_long stores the watch like /watch would."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(23, "/start watch_BTC_10x_long")
        [reply] = await bot.telegram.wait_for("sendMessage")
        watches = await bot.services.store.watches.list_for_chat(23)
    assert reply.text is not None
    assert reply.text.startswith("👀 Watching")
    assert [(w.symbol, w.leverage, w.side) for w in watches] == [("BTC", 10, "long")]


async def test_alerts_settings_buttons_and_words(tmp_path: Path) -> None:
    """/alerts shows settings; a button cycles a kind; words set the ladder and timezone."""
    async with running_bot(tmp_path) as bot:
        tg, store = bot.telegram, bot.services.store
        tg.push_message(24, "/alerts ladder 15 8 3")
        [shown] = await tg.wait_for("sendMessage")
        tg.push_callback(24, shown.result["message_id"], "al|wave")
        [edited] = await tg.wait_for("editMessageText")
        [toast] = await tg.wait_for("answerCallbackQuery")
        tg.push_message(24, "/alerts tz Europe/Berlin")
        tg.push_message(24, "/alerts quiet 25:00 7")
        replies = await tg.wait_for("sendMessage", count=3)
        chat = await store.chats.get(24)
    assert chat is not None
    settings = AlertSettings.from_stored(chat.settings)
    assert settings.ladder_pct == (15.0, 8.0, 3.0)
    assert settings.mode("wave") == "on"
    assert chat.timezone == "Europe/Berlin"
    assert shown.text is not None
    assert "Distance ladder: 15%, 8%, 3%" in shown.text
    assert "liquidation waves: 🔔 on" in str(edited.params["reply_markup"])
    assert toast.params["text"] == "liquidation waves: on"  # named as on its button
    assert (
        replies[2].text
        == "'25:00' is not a time of day (00:00 to 23:59).\nExample: /alerts quiet 23:00 07:00"
    )


async def test_stop_removes_everything(tmp_path: Path) -> None:
    """/stop removes every watch and switches market alerts off."""
    async with running_bot(tmp_path) as bot:
        tg, store = bot.telegram, bot.services.store
        tg.push_message(25, "/watch BTC 10x long")
        tg.push_message(25, "/alerts")
        await tg.wait_for("sendMessage", count=2)
        chat = await store.chats.get(25)
        assert chat is not None
        await store.chats.update_settings(
            25, AlertSettings().with_mode("wave", "on").to_stored(), bot.services.clock()
        )
        tg.push_message(25, "/stop")
        stop = (await tg.wait_for("sendMessage", count=3))[2]
        chat = await store.chats.get(25)
        watches = await store.watches.list_for_chat(25)
    assert stop.text is not None
    assert stop.text.startswith("Done: 1 watch(es) and 0 schedule(s) removed")
    assert watches == []
    assert chat is not None
    assert AlertSettings.from_stored(chat.settings).mode("wave") == "off"


async def test_group_command_with_bot_name(tmp_path: Path) -> None:
    """In a group, /risk@botname is answered in that group."""
    async with running_bot(tmp_path) as bot:
        name = bot.telegram.bot_user["username"]
        bot.telegram.push_message(
            -100, f"/risk@{name} BTC 10x long", chat_type="supergroup", user_id=5
        )
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert reply.chat_id == -100
    assert reply.text is not None
    assert "Liquidation" in reply.text


async def test_group_alerts_change_only_by_admins_and_go_to_the_chosen_topic(
    tmp_path: Path,
) -> None:
    """In a group a member may look but not change; an admin picks the forum topic for alerts."""
    group, admin, member = -100_777, 70, 80
    async with running_bot(tmp_path) as bot:
        tg, store = bot.telegram, bot.services.store
        tg.set_chat_member(group, admin, "administrator")
        tg.push_message(group, "/alerts ladder 20 10", user_id=member, chat_type="supergroup")
        [refused] = await tg.wait_for("sendMessage")
        tg.push_message(group, "/alerts", user_id=member, chat_type="supergroup")
        shown = (await tg.wait_for("sendMessage", count=2))[1]
        tg.push_callback(group, shown.result["message_id"], "al|wave", user_id=member)
        [answer] = await tg.wait_for("answerCallbackQuery")
        tg.push_message(
            group, "/alerts topic", user_id=admin, chat_type="supergroup", message_thread_id=9
        )
        chosen = (await tg.wait_for("sendMessage", count=3))[2]
        chat = await store.chats.get(group)
    assert refused.text == "Only the group's admins change its alerts."
    assert answer.params.get("show_alert") is True
    assert chat is not None
    settings = AlertSettings.from_stored(chat.settings)
    assert settings.ladder_pct == (10.0, 5.0, 2.0)
    assert settings.mode("wave") == "off"
    assert settings.topic_id == 9
    assert chosen.text is not None
    assert "posted in topic 9" in chosen.text
