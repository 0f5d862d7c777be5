"""/watch, /positions, /unwatch: positions the bot keeps an eye on, with inline remove buttons."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chats.directory import ChatDirectory
from bot.chats.watches import WatchBook, WatchLimit
from bot.commands.positions import ArgsError, parse_position_args
from bot.commands.wallets import looks_like_address
from bot.desk.risk_desk import RiskDesk
from bot.render.limits import split_text
from bot.render.watch_text import render_positions, render_removal, render_watch_added
from bot.vocabulary.cards import DeskRefusal
from bot.vocabulary.positions import watch_request
from handlers.chats import GROUP_TYPES, acting_member, edit_in_place, owner_of, remember_chat

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
        await message.reply_text(request.text("watch"))
        return
    card = await desk.card(request)
    if isinstance(card, DeskRefusal):
        await message.reply_text(card.message)
        return
    await remember_chat(chats, update.effective_chat)
    watch = await watches.add(message.chat_id, card, owner_of(message.chat, message.from_user))
    if isinstance(watch, WatchLimit):
        await message.reply_text(watch.message)
        return
    ladder = (await chats.settings(message.chat_id)).settings.ladder_pct
    await message.reply_text(render_watch_added(watch, card, ladder), parse_mode=ParseMode.HTML)


def make_watch(
    desk: RiskDesk, watches: WatchBook, chats: ChatDirectory, watch_wallet: Callback
) -> Callback:
    """The /watch handler; `/watch 0x…` is handed to `watch_wallet` (the /wallet handler)."""

    async def watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Watch a position, or the wallet an address names."""
        words = context.args or []
        if words and looks_like_address(words[0]):
            await watch_wallet(update, context)
            return
        await watch_words(desk, watches, chats, update, words)

    return watch


async def _positions_view(
    desk: RiskDesk, watches: WatchBook, chat_id: int, group: bool
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
    markup = InlineKeyboardMarkup(buttons) if buttons else None
    return render_positions(listed, cards, show_owner=group), markup


def make_positions(desk: RiskDesk, watches: WatchBook) -> Callback:
    """The /positions handler."""

    async def positions(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the chat's watches, each with a remove button."""
        message = update.effective_message
        if message is None:
            return
        group = message.chat.type in GROUP_TYPES
        text, markup = await _positions_view(desk, watches, message.chat_id, group)
        *first, last = split_text(text)  # 20 watches with long owner names pass 4,096 characters
        for part in first:
            await message.reply_text(part, parse_mode=ParseMode.HTML)
        await message.reply_text(last, parse_mode=ParseMode.HTML, reply_markup=markup)

    return positions


MAX_WATCH_DIGITS = 9


def make_unwatch(watches: WatchBook) -> Callback:
    """The /unwatch N handler."""

    async def unwatch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Remove one watch by its number."""
        message = update.effective_message
        if message is None:
            return
        raw = (context.args or [""])[0].lstrip("#")
        if not raw.isdigit() or len(raw) > MAX_WATCH_DIGITS:  # no watch has a 5,000-digit number
            await message.reply_text(
                "Which one? Give its number from /positions.\nExample: /unwatch 3"
            )
            return
        member = await acting_member(
            context.bot, message.chat, message.from_user, message.sender_chat
        )
        removal = await watches.remove(message.chat_id, int(raw), member)
        await message.reply_text(render_removal(removal, button=False))

    return unwatch


def _still_shows(message: MaybeInaccessibleMessage, data: str) -> bool:
    """Whether the list under the button still offers it (a stale list is redrawn, a fresh one not)."""
    markup = message.reply_markup if isinstance(message, Message) else None
    rows = markup.inline_keyboard if markup else ()
    return any(button.callback_data == data for row in rows for button in row)


REDRAWN_KEPT = 1024
"""Lists whose last redraw is remembered (the oldest forgotten first)."""


def make_remove_button(desk: RiskDesk, watches: WatchBook) -> Callback:
    """The ❌ Remove button under /positions."""
    redrawn: OrderedDict[tuple[int, int], str] = OrderedDict()
    """The last text each list was redrawn to here: a double tap's two presses both carry the list as
    it was before the first redraw, and the second must not ask Telegram for the same edit again."""

    async def remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Remove the watch the button was made for, answer the press, and redraw the list."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        chat = query.message.chat
        member = await acting_member(context.bot, chat, query.from_user)
        removal = await watches.remove(chat.id, int(query.data.split("|")[1]), member)
        await query.answer(render_removal(removal, button=True))
        stale = removal.outcome == "missing" and _still_shows(query.message, query.data)
        if removal.outcome == "removed" or stale:
            group = chat.type in GROUP_TYPES
            text, markup = await _positions_view(desk, watches, chat.id, group)
            shown = split_text(text)[-1]  # the part under the buttons
            where = (chat.id, query.message.message_id)
            if redrawn.get(where) != shown:
                redrawn[where] = shown
                redrawn.move_to_end(where)
                while len(redrawn) > REDRAWN_KEPT:
                    redrawn.popitem(last=False)
                await edit_in_place(query, shown, markup)

    return remove


def handlers(
    desk: RiskDesk, watches: WatchBook, chats: ChatDirectory, watch_wallet: Callback
) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module; `watch_wallet` answers `/watch 0x…`."""
    return [
        CommandHandler("watch", make_watch(desk, watches, chats, watch_wallet)),
        CommandHandler("positions", make_positions(desk, watches)),
        CommandHandler("unwatch", make_unwatch(watches)),
        CallbackQueryHandler(make_remove_button(desk, watches), pattern=r"^uw\|\d+$"),
    ]
