"""/watch, /positions, /unwatch: positions the bot keeps an eye on, with inline remove buttons."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.commands.positions import ArgsError, parse_position_args
from bot.render.watch_text import render_positions, render_watch_added, watch_request
from bot.services import Services
from bot.vocabulary.alert_settings import AlertSettings
from bot.vocabulary.cards import DeskRefusal
from bot.vocabulary.records import Chat, Watch

__all__ = ["MAX_WATCHES", "handlers", "watch_words"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
MAX_WATCHES = 20
WATCH_EXAMPLE = "BTC 10x long @ 91000 size 0.5 on binance"


async def remember_chat(services: Services, update: Update) -> None:
    """Record the chat (type and title) so watches and settings can hang off it."""
    chat = update.effective_chat
    if chat is not None:
        await services.store.chats.upsert(
            Chat(id=chat.id, type=chat.type, title=chat.title), services.clock()
        )


async def watch_words(services: Services, update: Update, words: Sequence[str]) -> None:
    """Store a watch from the words of /watch (or a deep link) and confirm it."""
    message = update.effective_message
    if message is None:
        return
    request = parse_position_args(words, services.desk.symbols, WATCH_EXAMPLE)
    if isinstance(request, ArgsError):
        await message.reply_text(request.text("watch"), parse_mode=ParseMode.HTML)
        return
    card = await services.desk.card(request)
    if isinstance(card, DeskRefusal):
        await message.reply_text(card.message)
        return
    await remember_chat(services, update)
    existing = await services.store.watches.list_for_chat(message.chat_id)
    if len(existing) >= MAX_WATCHES:
        await message.reply_text(
            f"You watch {MAX_WATCHES} positions already; /positions to remove one."
        )
        return
    p = card.position
    watch = await services.store.watches.add(
        Watch(chat_id=message.chat_id, venue=card.venue, symbol=p.symbol, side=str(p.side),  # type: ignore[arg-type]
              leverage=p.leverage, entry_price=p.entry_price, quantity=p.quantity,
              margin_mode=str(p.margin_mode), wallet_balance=request.wallet_balance),
        services.clock(),
    )  # fmt: skip
    services.watches_changed()
    chat = await services.store.chats.get(message.chat_id)
    ladder = AlertSettings.from_stored(chat.settings if chat else None).ladder_pct
    await message.reply_text(render_watch_added(watch, card, ladder), parse_mode=ParseMode.HTML)


def make_watch(services: Services) -> Callback:
    """The /watch handler."""

    async def watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Watch a position."""
        await watch_words(services, update, context.args or [])

    return watch


async def _positions_view(
    services: Services, chat_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    watches = await services.store.watches.list_for_chat(chat_id)
    cards = [await services.desk.card(watch_request(w)) for w in watches]
    buttons = [
        [
            InlineKeyboardButton(
                f"❌ Remove #{w.id} {w.symbol} {w.side} {w.leverage:g}x", callback_data=f"uw|{w.id}"
            )
        ]
        for w in watches
    ]
    return render_positions(watches, cards), InlineKeyboardMarkup(buttons) if buttons else None


def make_positions(services: Services) -> Callback:
    """The /positions handler."""

    async def positions(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the chat's watches, each with a remove button."""
        message = update.effective_message
        if message is None:
            return
        text, markup = await _positions_view(services, message.chat_id)
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)

    return positions


def make_unwatch(services: Services) -> Callback:
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
        removed = await services.store.watches.remove(message.chat_id, int(raw))
        services.watches_changed()
        await message.reply_text(
            f"Stopped watching #{raw}." if removed else f"You have no watch #{raw}; see /positions."
        )

    return unwatch


def make_remove_button(services: Services) -> Callback:
    """The ❌ Remove button under /positions."""

    async def remove(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Remove the watch and redraw the list in place."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        chat_id = query.message.chat.id
        removed = await services.store.watches.remove(chat_id, int(query.data.split("|")[1]))
        services.watches_changed()
        text, markup = await _positions_view(services, chat_id)
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        await query.answer("Removed" if removed else "Already gone")

    return remove


def handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("watch", make_watch(services)),
        CommandHandler("positions", make_positions(services)),
        CommandHandler("unwatch", make_unwatch(services)),
        CallbackQueryHandler(make_remove_button(services), pattern=r"^uw\|\d+$"),
    ]
