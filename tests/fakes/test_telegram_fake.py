"""The fake Bot API against the real python-telegram-bot `Bot` and `Application`."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.fakes.telegram import FakeTelegram

App = Application[Any, Any, Any, Any, Any, Any]  # the builder's default types; none is read here

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /ping with pong."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("pong")


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer a yes/no keyboard."""
    assert update.effective_message is not None
    keyboard = [[InlineKeyboardButton("Yes", callback_data="yes")]]
    await update.effective_message.reply_text("Sure?", reply_markup=InlineKeyboardMarkup(keyboard))


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge the button and edit the message to show the choice."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"You chose {query.data}")


def build_app(tg: FakeTelegram) -> App:
    """An Application with the test handlers, talking to the fake."""
    app = ApplicationBuilder().token(tg.token).base_url(tg.base_url).build()
    app.add_handlers([CommandHandler("ping", ping), CommandHandler("menu", menu)])
    app.add_handler(CallbackQueryHandler(choose))
    return app


@asynccontextmanager
async def polling(tg: FakeTelegram) -> AsyncIterator[App]:
    """Run an Application on long polling, and stop it in PTB's documented order."""
    app = build_app(tg)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def free_port() -> int:
    """A loopback TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_get_me_answers_the_bot_user(tg: FakeTelegram, bot: Bot) -> None:
    """getMe returns the fake's bot user, which PTB caches as bot.username."""
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (123456, "liqguard_test_bot", True)
    assert bot.username == "liqguard_test_bot"
    assert tg.calls("getMe")[0].ok


async def test_send_message_is_recorded_with_decoded_params(tg: FakeTelegram, bot: Bot) -> None:
    """sendMessage params arrive decoded: ints as ints, text raw, markup as a dict."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])

    message = await bot.send_message(42, "123", reply_markup=markup, disable_notification=True)

    [call] = tg.sent_messages(chat_id=42)
    assert call.params["chat_id"] == 42
    assert call.text == "123"
    assert call.params["disable_notification"] is True
    assert call.params["reply_markup"] == markup.to_dict()
    assert (message.chat.id, message.text, message.reply_markup) == (42, "123", markup)


async def test_message_ids_increment(bot: Bot) -> None:
    """Each sent message gets the next message_id."""
    first = await bot.send_message(1, "a")
    second = await bot.send_message(1, "b")

    assert second.message_id == first.message_id + 1


async def test_send_photo_records_the_uploaded_bytes(tg: FakeTelegram, bot: Bot) -> None:
    """A photo upload is recorded as multipart bytes, with its caption as a param."""
    message = await bot.send_photo(7, PNG, caption="chart", filename="chart.png")

    [call] = tg.calls("sendPhoto")
    assert call.files["photo"].content == PNG
    assert call.files["photo"].filename == "chart.png"
    assert call.params == {"chat_id": 7, "caption": "chart"}
    assert message.photo[-1].file_size == len(PNG)
    assert message.caption == "chart"


async def test_edit_message_text_changes_the_stored_message(tg: FakeTelegram, bot: Bot) -> None:
    """Editing returns the edited message; repeating the same edit is 'not modified'."""
    sent = await bot.send_message(5, "draft")

    edited = await bot.edit_message_text("final", chat_id=5, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("final", chat_id=5, message_id=sent.message_id)

    assert isinstance(edited, type(sent))
    assert (edited.text, edited.edit_date is not None) == ("final", True)
    assert [c.text for c in tg.sent_messages(5)] == ["draft", "final"]


async def test_injected_429_raises_retry_after(
    tg: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 429 injection surfaces as RetryAfter with its retry_after; the next call succeeds."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # else PTB 22 warns on int retry_after (an error here)
    tg.fail_next("sendMessage", status=429, retry_after=3)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1, "hi")
    await bot.send_message(1, "hi again")

    assert caught.value.retry_after == timedelta(seconds=3)
    assert [c.status for c in tg.calls("sendMessage")] == [429, 200]
    assert [c.text for c in tg.sent_messages()] == ["hi again"]


async def test_injected_403_targets_one_chat(tg: FakeTelegram, bot: Bot) -> None:
    """A 403 aimed at one chat raises Forbidden there and leaves other chats alone."""
    tg.fail_next("sendMessage", status=403, chat_id=2)

    await bot.send_message(1, "to one")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(2, "to two")

    assert [c.chat_id for c in tg.sent_messages()] == [1]


async def test_injected_400_uses_a_custom_description(tg: FakeTelegram, bot: Bot) -> None:
    """A 400 injection carries the description given."""
    tg.fail_next("sendMessage", status=400, description="Bad Request: chat not found")

    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(1, "hi")


async def test_wrong_token_is_unauthorized(tg: FakeTelegram) -> None:
    """A token the fake does not know gets 401, which PTB raises as InvalidToken."""
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=tg.base_url):
            pass

    assert tg.calls()[0].status == 401


async def test_commands_are_kept_per_scope(tg: FakeTelegram, bot: Bot) -> None:
    """setMyCommands stores a list per scope that getMyCommands reads back."""
    from telegram import BotCommand, BotCommandScopeChat

    await bot.set_my_commands([BotCommand("risk", "Show risk")])
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(9))

    assert await bot.get_my_commands() == (BotCommand("risk", "Show risk"),)
    assert tg.commands({"type": "chat", "chat_id": 9}) == [
        {"command": "admin", "description": "Admin"}
    ]


async def test_get_chat_member_answers_the_configured_status(tg: FakeTelegram, bot: Bot) -> None:
    """getChatMember answers the status set per (chat, user), member otherwise."""
    tg.set_chat_member(-100, 5, "administrator")

    admin = await bot.get_chat_member(-100, 5)
    member = await bot.get_chat_member(-100, 6)
    chat = await bot.get_chat(-100)

    assert (admin.status, member.status) == ("administrator", "member")
    assert (chat.id, chat.type) == (-100, "supergroup")


async def test_get_updates_hands_out_pushed_updates_until_confirmed(
    tg: FakeTelegram, bot: Bot
) -> None:
    """A held long poll returns the pushed update; a later offset confirms it away."""
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    tg.push_message(1, "hello", username="alice")
    [update] = await poll

    message = update.message
    assert message is not None
    assert message.from_user is not None
    assert (message.text, message.from_user.username) == ("hello", "alice")
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_long_poll_is_capped() -> None:
    """With nothing queued, a long poll ends after the fake's cap, not the bot's timeout."""
    async with FakeTelegram(long_poll_cap_s=0.05) as tg, Bot(tg.token, base_url=tg.base_url) as bot:
        assert await asyncio.wait_for(bot.get_updates(timeout=30), timeout=2) == ()


async def test_other_methods_answer_true_and_are_recorded(tg: FakeTelegram, bot: Bot) -> None:
    """sendChatAction, deleteMessage and unknown methods answer True and are recorded."""
    sent = await bot.send_message(1, "bye")

    assert await bot.send_chat_action(1, "typing")
    assert await bot.delete_message(1, sent.message_id)
    assert await bot.do_api_request("someFutureMethod", api_kwargs={"x": 1}) is True
    with pytest.raises(BadRequest, match="not found"):
        await bot.delete_message(1, sent.message_id)
    with pytest.raises(BadRequest, match="'message_id' is required"):
        await bot.edit_message_reply_markup(chat_id=1)

    assert tg.calls("sendChatAction")[0].params == {"chat_id": 1, "action": "typing"}
    assert tg.calls("someFutureMethod")[0].params == {"x": 1}


async def test_wait_for_times_out_naming_what_was_seen(tg: FakeTelegram, bot: Bot) -> None:
    """wait_for raises TimeoutError listing the calls seen when nothing matches."""
    await bot.get_me()

    with pytest.raises(TimeoutError, match="getMe"):
        await tg.wait_for("sendMessage", timeout=0.05)


async def test_ping_command_round_trip(tg: FakeTelegram) -> None:
    """A /ping pushed to getUpdates reaches the CommandHandler, which replies pong."""
    async with polling(tg):
        tg.push_message(1, "/ping")
        [reply] = await tg.wait_for("sendMessage")

    assert (reply.chat_id, reply.text) == (1, "pong")
    assert tg.calls("deleteWebhook")  # start_polling clears any webhook first


async def test_group_command_with_bot_mention_and_topic(tg: FakeTelegram) -> None:
    """A /ping@bot in a forum topic is answered in the same chat and topic."""
    async with polling(tg):
        tg.push_message(
            -100, "/ping@liqguard_test_bot", chat_type="supergroup", message_thread_id=7
        )
        [reply] = await tg.wait_for("sendMessage")

    assert (reply.chat_id, reply.params["message_thread_id"]) == (-100, 7)


async def test_callback_query_round_trip(tg: FakeTelegram) -> None:
    """Pressing a button answers the query and edits the message that carried it."""
    async with polling(tg):
        tg.push_message(3, "/menu")
        [offer] = await tg.wait_for("sendMessage")
        tg.push_callback(3, offer.result["message_id"], "yes")
        [edit] = await tg.wait_for("editMessageText")
        await tg.wait_for("answerCallbackQuery")

    assert edit.params["message_id"] == offer.result["message_id"]
    assert edit.text == "You chose yes"
    assert "reply_markup" not in edit.result  # an edit without markup drops the keyboard


async def test_webhook_round_trip_and_wrong_secret(tg: FakeTelegram) -> None:
    """start_webhook registers the URL; updates with the secret are handled, others get 403."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    app = build_app(tg)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", secret_token="s3cret", webhook_url=url
        )
        try:
            update = tg.message_update(1, "/ping")
            wrong = await tg.post_to_webhook(url, update, secret_token="nope")
            right = await tg.post_to_webhook(url, update, secret_token="s3cret")
            [reply] = await tg.wait_for("sendMessage")
        finally:
            await app.updater.stop()
            await app.stop()

    assert (tg.webhook_url, tg.webhook_secret) == (url, "s3cret")
    assert (wrong, right) == (403, 200)
    assert reply.text == "pong"
    assert len(tg.sent_messages()) == 1
