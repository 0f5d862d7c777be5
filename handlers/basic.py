"""/start (with deep links), /help and /stop, and the command menus set at start-up."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.commands.positions import split_words
from bot.outbox.sender import resume_chat
from bot.services import Services
from bot.vocabulary.alert_settings import AlertSettings
from bot.vocabulary.wallets import WALLET_BLIND_SPOTS
from handlers.risk import answer_risk
from handlers.watch import remember_chat, watch_words

__all__ = [
    "ADMIN_COMMANDS",
    "GROUP_COMMANDS",
    "HELP_TEXT",
    "PRIVATE_COMMANDS",
    "handlers",
    "set_menus",
]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]

HELP_TEXT = (
    "<b>liqguard</b> — how close is your position to liquidation?\n\n"
    "<b>/risk</b> BTC 10x long — liquidation price, distance, clusters, odds, funding\n"
    "   options in any order: <code>@ 91000</code>, <code>size 0.5</code> or <code>$5000</code>, "
    "<code>on bybit</code>, <code>cross</code>, <code>wallet 20000</code>\n"
    "<b>/watch</b> BTC 10x long @ 91000 size 0.5 — alerts before it gets dangerous\n"
    "<b>/positions</b>, <b>/unwatch</b> N — your watched positions\n"
    "<b>/wallet</b> 0x… [label] — watch a Hyperliquid account: its positions kept in sync, "
    "with the venue's own liquidation price; <b>/wallets</b> to list or remove\n"
    f"   {WALLET_BLIND_SPOTS}\n"
    "<b>/liqs</b> [BTC] — realized liquidations over 1h … 7d\n"
    "<b>/map</b> BTC — the liquidation map\n"
    "<b>/funding</b> [BTC] — funding per venue\n"
    "<b>/alerts</b> — alert settings, quiet hours, timezone\n"
    "<b>/stop</b> — remove every watch and subscription of this chat\n\n"
    "In groups: <b>/summary</b> now, <b>/schedule</b> hourly|4h|daily 08:00 (admins)."
)

PRIVATE_COMMANDS = [
    BotCommand("risk", "Liquidation risk of a position: /risk BTC 10x long"),
    BotCommand("watch", "Watch a position and get alerts"),
    BotCommand("positions", "Your watched positions"),
    BotCommand("wallet", "Watch a Hyperliquid wallet: /wallet 0x…"),
    BotCommand("wallets", "Your watched wallets"),
    BotCommand("unwatch", "Stop watching a position: /unwatch N"),
    BotCommand("liqs", "Realized liquidations, 1h to 7d"),
    BotCommand("map", "Liquidation map: /map BTC"),
    BotCommand("funding", "Funding per venue"),
    BotCommand("alerts", "Alert settings"),
    BotCommand("help", "How to use the bot"),
    BotCommand("stop", "Remove every watch and subscription"),
]
GROUP_COMMANDS = [
    BotCommand("summary", "Market liquidation summary now"),
    BotCommand("liqs", "Realized liquidations, 1h to 7d"),
    BotCommand("map", "Liquidation map: /map BTC"),
    BotCommand("funding", "Funding per venue"),
    BotCommand("risk", "Liquidation risk of a position"),
    BotCommand("help", "How to use the bot"),
]
ADMIN_COMMANDS = [
    *GROUP_COMMANDS,
    BotCommand("schedule", "Post summaries: /schedule hourly|4h|daily 08:00"),
    BotCommand("alerts", "Market alerts of this group"),
    BotCommand("stop", "Remove every subscription of this group"),
]


async def set_menus(bot: Bot) -> None:
    """The command menus: one list for private chats, one for groups, one for group admins."""
    await bot.set_my_commands(PRIVATE_COMMANDS, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(GROUP_COMMANDS, scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(ADMIN_COMMANDS, scope=BotCommandScopeAllChatAdministrators())


async def help_command(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer with the command list."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(HELP_TEXT, parse_mode=ParseMode.HTML)


def make_start(services: Services) -> Callback:
    """/start: welcome (and resume a chat that had blocked the bot); deep links watch_… and risk_…."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Welcome, or follow the deep link."""
        message = update.effective_message
        if message is None:
            return
        await remember_chat(services, update)
        resumed = await resume_chat(services.store, message.chat_id, services.clock())
        words = split_words(" ".join(context.args or []))
        if words and words[0].lower() == "watch":
            await watch_words(services, update, words[1:])
        elif words and words[0].lower() == "risk":
            await answer_risk(services, update, words[1:])
        else:
            welcome = "Welcome back: your watches are active again.\n\n" if resumed else ""
            await message.reply_text(welcome + HELP_TEXT, parse_mode=ParseMode.HTML)

    return start


def make_stop(services: Services) -> Callback:
    """/stop: remove every watch, schedule and market subscription of the chat."""

    async def stop(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Forget what this chat asked for."""
        message = update.effective_message
        if message is None:
            return
        store, now = services.store, services.clock()
        wallets = await services.wallets.remove_all(message.chat_id)
        watches = await store.watches.remove_all(message.chat_id)
        services.watches_changed()
        schedules = await store.schedules.list_for_chat(message.chat_id)
        for schedule in schedules:
            await store.schedules.remove(message.chat_id, schedule.kind)
        chat = await store.chats.get(message.chat_id)
        if chat is not None:
            quiet = (
                AlertSettings.from_stored(chat.settings)
                .with_mode("wave", "off")
                .with_mode("funding", "off")
            )
            await store.chats.update_settings(message.chat_id, quiet.to_stored(), now)
        await message.reply_text(
            f"Done: {watches} watch(es){f', {wallets} wallet(s)' if wallets else ''} and "
            f"{len(schedules)} schedule(s) removed, market alerts off. /start to come back."
        )

    return stop


def handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("start", make_start(services)),
        CommandHandler("help", help_command),
        CommandHandler("stop", make_stop(services)),
    ]
