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

from bot.chats.directory import ChatDirectory
from bot.chats.watches import WatchBook
from bot.commands.positions import split_words
from bot.commands.wallets import looks_like_address
from bot.desk.risk_desk import RiskDesk
from bot.vocabulary.wallets import WALLET_BLIND_SPOTS
from bot.wallets.book import WalletBook
from handlers.chats import acting_member, remember_chat
from handlers.risk import answer_risk
from handlers.wallets import wallet_words
from handlers.watch import watch_words

__all__ = [
    "ADMIN_COMMANDS",
    "GROUP_COMMANDS",
    "HELP_TEXT",
    "PRIVATE_COMMANDS",
    "handlers",
    "set_menus",
]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]

STOP_REFUSED = (
    "Only the group's admins can /stop the bot here: it removes everyone's watches and the "
    "group's schedule. Your own watches: /positions, then ❌ Remove or /unwatch N."
)
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


def _names_wallet(words: list[str]) -> bool:
    """Whether a deep link asks for a wallet: `wallet_0x…`, or `watch_0x…` as /watch 0x… does."""
    link = words[0].lower()
    return link == "wallet" or (link == "watch" and len(words) > 1 and looks_like_address(words[1]))


def make_start(
    chats: ChatDirectory, watches: WatchBook, desk: RiskDesk, wallets: WalletBook
) -> Callback:
    """/start: welcome (and resume a chat that had blocked the bot); deep links watch_…, wallet_…
    and risk_…."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Welcome, or follow the deep link."""
        message = update.effective_message
        if message is None:
            return
        await remember_chat(chats, update.effective_chat)
        resumed = await chats.resume(message.chat_id)
        words = split_words(" ".join(context.args or []))
        if words and _names_wallet(words):
            await wallet_words(wallets, chats, update, words[1:])
        elif words and words[0].lower() == "watch":
            await watch_words(desk, watches, chats, update, words[1:])
        elif words and words[0].lower() == "risk":
            await answer_risk(desk, chats, update, words[1:])
        else:
            welcome = "Welcome back: your watches are active again.\n\n" if resumed else ""
            await message.reply_text(welcome + HELP_TEXT, parse_mode=ParseMode.HTML)

    return start


def make_stop(chats: ChatDirectory) -> Callback:
    """/stop: remove every wallet, watch, schedule and market subscription of the chat."""

    async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Forget what this chat asked for."""
        message = update.effective_message
        if message is None:
            return
        member = await acting_member(
            context.bot, message.chat, message.from_user, message.sender_chat
        )
        report = await chats.stop(message.chat_id, member)  # every watch, synced ones too
        if report is None:
            await message.reply_text(STOP_REFUSED)
            return
        also = f", {report.wallets} wallet(s)" if report.wallets else ""
        await message.reply_text(
            f"Done: {report.watches} watch(es){also} and {report.schedules} schedule(s) removed, "
            "market alerts off. "
            "/start to come back."
        )

    return stop


def handlers(
    chats: ChatDirectory, watches: WatchBook, desk: RiskDesk, wallets: WalletBook
) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("start", make_start(chats, watches, desk, wallets)),
        CommandHandler("help", help_command),
        CommandHandler("stop", make_stop(chats)),
    ]
