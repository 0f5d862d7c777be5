"""Buttons act on what they were made for; in a group a watch is its member's and /stop is the admins'."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.harness import running_bot
from tests.fakes.telegram import BotApiCall

GROUP, ADMIN, ALICE, BOB = -100_777, 501, 502, 503


def in_chat(chat_id: int) -> Callable[[BotApiCall], bool]:
    """Calls to `chat_id`."""
    return lambda call: str(call.chat_id) == str(chat_id)


async def test_an_old_button_does_not_remove_a_new_watch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """/watch, /positions, /unwatch, /watch again: the old button removes nothing and says so, twice."""
    async with running_bot(tmp_path) as bot:
        tg, store = bot.telegram, bot.services.store
        tg.push_message(30, "/watch BTC 10x long @ 60000")
        await tg.wait_for("sendMessage")
        [btc] = await store.watches.list_for_chat(30)
        tg.push_message(30, "/positions")
        listed = (await tg.wait_for("sendMessage", count=2))[1]
        old_button = listed.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        tg.push_message(30, f"/unwatch {btc.id}")
        tg.push_message(30, "/watch ETH 3x long")
        await tg.wait_for("sendMessage", count=4)
        [eth] = await store.watches.list_for_chat(30)
        for _press in range(2):
            tg.push_callback(30, listed.result["message_id"], old_button)
        answers = await tg.wait_for("answerCallbackQuery", count=2)
        left = await store.watches.list_for_chat(30)
        sent = tg.calls("sendMessage")
    assert eth.id != btc.id
    assert [w.id for w in left] == [eth.id]
    assert [a.params.get("text") for a in answers] == [
        f"#{btc.id} was already removed; nothing changed."
    ] * 2
    assert len(sent) == 4  # no apology after the presses
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_second_press_of_remove_answers_already_removed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The second press of one ❌ Remove answers the callback and changes nothing; no 400, no traceback."""
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_message(31, "/watch BTC 10x long")
        tg.push_message(31, "/watch ETH 5x short")
        await tg.wait_for("sendMessage", count=2)
        tg.push_message(31, "/positions")
        listed = (await tg.wait_for("sendMessage", count=3))[2]
        button = listed.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        tg.push_callback(31, listed.result["message_id"], button)
        await tg.wait_for("answerCallbackQuery")
        tg.push_callback(31, listed.result["message_id"], button)
        answers = await tg.wait_for("answerCallbackQuery", count=2)
        edits = tg.calls("editMessageText")
        left = await bot.services.store.watches.list_for_chat(31)
    number = button.split("|")[1]
    assert [a.params.get("text") for a in answers] == [
        f"Removed #{number}.",
        f"#{number} was already removed; nothing changed.",
    ]
    assert [e.ok for e in edits][:1] == [True]
    assert len(left) == 1
    assert len(tg.calls("sendMessage")) == 3
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_member_cannot_stop_the_group(tmp_path: Path) -> None:
    """A member's /stop is refused and removes nothing; an admin's /stop removes everything."""
    async with running_bot(tmp_path) as bot:
        tg, store = bot.telegram, bot.services.store
        tg.set_chat_member(GROUP, ADMIN, "administrator")
        tg.push_message(GROUP, "/schedule daily 08:00", user_id=ADMIN, chat_type="supergroup")
        tg.push_message(GROUP, "/watch BTC 10x long", user_id=ALICE, chat_type="supergroup")
        await tg.wait_for("sendMessage", count=2, predicate=in_chat(GROUP))
        tg.push_message(GROUP, "/stop", user_id=BOB, chat_type="supergroup")
        refused = (await tg.wait_for("sendMessage", count=3, predicate=in_chat(GROUP)))[2]
        kept = (
            await store.schedules.list_for_chat(GROUP),
            await store.watches.list_for_chat(GROUP),
        )
        tg.push_message(GROUP, "/stop", user_id=ADMIN, chat_type="supergroup")
        done = (await tg.wait_for("sendMessage", count=4, predicate=in_chat(GROUP)))[3]
        gone = (
            await store.schedules.list_for_chat(GROUP),
            await store.watches.list_for_chat(GROUP),
        )
    assert refused.text is not None
    assert refused.text.startswith("Only the group's admins can /stop the bot here")
    assert [len(rows) for rows in kept] == [1, 1]
    assert done.text is not None
    assert done.text.startswith("Done: 1 watch(es) and 1 schedule(s) removed")
    assert gone == ([], [])


async def test_a_group_watch_is_its_members(tmp_path: Path) -> None:
    """Alice's watch is listed as hers; Bob can neither /unwatch nor button it; an admin can."""
    async with running_bot(tmp_path) as bot:
        tg, store = bot.telegram, bot.services.store
        tg.set_chat_member(GROUP, ADMIN, "administrator")
        tg.push_message(GROUP, "/watch BTC 10x long", user_id=ALICE, chat_type="supergroup")
        await tg.wait_for("sendMessage", predicate=in_chat(GROUP))
        [watch] = await store.watches.list_for_chat(GROUP)
        tg.push_message(GROUP, "/positions", user_id=BOB, chat_type="supergroup")
        listed = (await tg.wait_for("sendMessage", count=2, predicate=in_chat(GROUP)))[1]
        tg.push_message(GROUP, f"/unwatch {watch.id}", user_id=BOB, chat_type="supergroup")
        refused = (await tg.wait_for("sendMessage", count=3, predicate=in_chat(GROUP)))[2]
        button = listed.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        tg.push_callback(GROUP, listed.result["message_id"], button, user_id=BOB)
        [pressed] = await tg.wait_for("answerCallbackQuery")
        still = await store.watches.list_for_chat(GROUP)
        tg.push_callback(GROUP, listed.result["message_id"], button, user_id=ADMIN)
        admin_press = (await tg.wait_for("answerCallbackQuery", count=2))[1]
        left = await store.watches.list_for_chat(GROUP)
    name = watch.owner_name
    assert watch.owner_id == ALICE
    assert name
    assert listed.text is not None
    assert f"set by {name}" in listed.text
    assert refused.text == f"#{watch.id} is {name}'s: only they or a group admin can remove it."
    assert pressed.params.get("text") == refused.text
    assert [w.id for w in still] == [watch.id]
    assert admin_press.params.get("text") == f"Removed #{watch.id}."
    assert left == []
