"""/wallet 0x… [label] (and /watch 0x…), /wallets: Hyperliquid accounts kept in sync, with remove buttons."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.commands.positions import ArgsError
from bot.commands.wallets import parse_wallet_args
from bot.render.wallet_text import render_wallet_list, render_wallet_view, wallet_name
from bot.services import Services
from bot.vocabulary.records import Chat
from bot.vocabulary.wallets import WALLET_BLIND_SPOTS, Wallet
from bot.wallets.book import WalletLimit

__all__ = ["handlers", "wallet_words"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type != "private"


async def wallet_words(services: Services, update: Update, words: Sequence[str]) -> None:
    """Watch the wallet the words name, read it now, and answer with its cards."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    request = parse_wallet_args(words)
    if isinstance(request, ArgsError):
        await message.reply_text(request.text("wallet"))
        return
    await services.store.chats.upsert(
        Chat(id=chat.id, type=chat.type, title=chat.title), services.clock()
    )
    user = update.effective_user
    added = await services.wallets.add(
        chat.id, request.address, request.label, user.id if user else None
    )
    if isinstance(added, WalletLimit):
        await message.reply_text(
            f"This chat watches {added.limit} wallets already; /wallets to remove one."
        )
        return
    text = render_wallet_view(added.view, group=_in_group(update))
    if added.created:
        text += (
            f"\n\nKept in sync every {services.settings.wallet_sync_s:g} s. {WALLET_BLIND_SPOTS}"
        )
    await message.reply_text(text, parse_mode=ParseMode.HTML)


def make_wallet(services: Services) -> Callback:
    """The /wallet handler."""

    async def wallet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Watch a Hyperliquid wallet."""
        await wallet_words(services, update, context.args or [])

    return wallet


def _list_view(wallets: list[Wallet], *, group: bool) -> tuple[str, InlineKeyboardMarkup | None]:
    buttons = [
        [
            InlineKeyboardButton(
                f"❌ Remove #{w.id} {w.label or w.address[:10]}", callback_data=f"wr|{w.id}"
            )
        ]
        for w in wallets
    ]
    return render_wallet_list(wallets, group=group), InlineKeyboardMarkup(
        buttons
    ) if buttons else None


def make_wallets(services: Services) -> Callback:
    """The /wallets handler."""

    async def wallets(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the chat's wallets, each with a remove button."""
        message = update.effective_message
        if message is None:
            return
        found = await services.wallets.list_for_chat(message.chat_id)
        text, markup = _list_view(found, group=_in_group(update))
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)

    return wallets


def make_remove_button(services: Services) -> Callback:
    """The ❌ Remove button under /wallets."""

    async def remove(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop watching the wallet and redraw the list in place."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        chat_id, group = query.message.chat.id, query.message.chat.type != "private"
        removed = await services.wallets.remove(chat_id, int(query.data.split("|")[1]))
        text, markup = _list_view(await services.wallets.list_for_chat(chat_id), group=group)
        if removed is not None:
            text = (
                f"Stopped watching {wallet_name(removed, group=group)} and its positions.\n\n{text}"
            )
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        await query.answer("Removed" if removed else "Already gone")

    return remove


def handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("wallet", make_wallet(services)),
        CommandHandler("wallets", make_wallets(services)),
        CallbackQueryHandler(make_remove_button(services), pattern=r"^wr\|\d+$"),
    ]
