"""/watch, /positions, /unwatch: positions the bot keeps an eye on, with inline remove buttons."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chats.directory import ChatDirectory
from bot.chats.watches import WatchBook, WatchLimit
from bot.commands.positions import ArgsError, parse_position_args
from bot.desk.risk_desk import RiskDesk
from bot.render.limits import quote_input
from bot.render.watch_text import render_positions, render_watch_added, watch_request
from bot.vocabulary.cards import DeskRefusal
from handlers.chats import remember_chat

__all__ = ["handlers", "watch_words"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
WATCH_EXAMPLE = "BTC 10x long @ 91000 size 0.5 on binance"


async def watch_words(
    desk: RiskDesk, watches: WatchBook, chats: ChatDirectory, update: Update, words: Sequence[str]
) -> None:
    """Store a watch from the words of /watch (or a deep link) and confirm it."""
    message = update.effective_message
    if message is None:
        return
    request = parse_position_args(words, desk.symbols, WATCH_EXAMPLE)
    if isinstance(request, ArgsError):
        await message.reply_text(request.text("watch"), parse_mode=ParseMode.HTML)
        return
    card = await desk.card(request)
    if isinstance(card, DeskRefusal):
        await message.reply_text(card.message)
        return
    await remember_chat(chats, update.effective_chat)
    watch = await watches.add(message.chat_id, card)
    if isinstance(watch, WatchLimit):
        await message.reply_text(watch.message)
        return
    ladder = (await chats.settings(message.chat_id)).settings.ladder_pct
    await message.reply_text(render_watch_added(watch, card, ladder), parse_mode=ParseMode.HTML)


def make_watch(desk: RiskDesk, watches: WatchBook, chats: ChatDirectory) -> Callback:
    """The /watch handler."""

    async def watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Watch a position."""
        await watch_words(desk, watches, chats, update, context.args or [])

    return watch


async def _positions_view(
    desk: RiskDesk, watches: WatchBook, chat_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    listed = await watches.list(chat_id)
    cards = [await desk.card(watch_request(w)) for w in listed]
    buttons = [
        [
            InlineKeyboardButton(
                f"❌ Remove #{w.id} {w.symbol} {w.side} {w.leverage:g}x", callback_data=f"uw|{w.id}"
            )
        ]
        for w in listed
    ]
    return render_positions(listed, cards), InlineKeyboardMarkup(buttons) if buttons else None


def make_positions(desk: RiskDesk, watches: WatchBook) -> Callback:
    """The /positions handler."""

    async def positions(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the chat's watches, each with a remove button."""
        message = update.effective_message
        if message is None:
            return
        text, markup = await _positions_view(desk, watches, message.chat_id)
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)

    return positions


def make_unwatch(watches: WatchBook) -> Callback:
    """The /unwatch N handler."""

    async def unwatch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Remove one watch by its number."""
        message = update.effective_message
        if message is None:
            return
        raw = (context.args or [""])[0].lstrip("#")
        if not raw.isdigit():
            await message.reply_text(
                "Which one? Give its number from /positions.\nExample: /unwatch 3"
            )
            return
        removed = len(raw) <= 9 and await watches.remove(message.chat_id, int(raw))
        shown = quote_input(raw, html=False)
        await message.reply_text(
            f"Stopped watching #{shown}."
            if removed
            else f"You have no watch #{shown}; see /positions."
        )

    return unwatch


def make_remove_button(desk: RiskDesk, watches: WatchBook) -> Callback:
    """The ❌ Remove button under /positions."""

    async def remove(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Remove the watch and redraw the list in place."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        chat_id = query.message.chat.id
        removed = await watches.remove(chat_id, int(query.data.split("|")[1]))
        text, markup = await _positions_view(desk, watches, chat_id)
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        await query.answer("Removed" if removed else "Already gone")

    return remove


def handlers(
    desk: RiskDesk, watches: WatchBook, chats: ChatDirectory
) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("watch", make_watch(desk, watches, chats)),
        CommandHandler("positions", make_positions(desk, watches)),
        CommandHandler("unwatch", make_unwatch(watches)),
        CallbackQueryHandler(make_remove_button(desk, watches), pattern=r"^uw\|\d+$"),
    ]
