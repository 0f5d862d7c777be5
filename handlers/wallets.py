"""/wallet 0x… [label] (and /watch 0x…), /wallets: Hyperliquid accounts kept in sync, with remove buttons."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chats.directory import ChatDirectory
from bot.commands.positions import ArgsError
from bot.commands.wallets import parse_wallet_args
from bot.render.wallet_text import render_wallet_list, render_wallet_view, wallet_name
from bot.vocabulary.wallets import WALLET_BLIND_SPOTS, Wallet, short_address
from bot.wallets.book import WalletBook, WalletLimit
from handlers.chats import is_admin, remember_chat

__all__ = ["handlers", "make_wallet", "wallet_words"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type != "private"


async def wallet_words(
    book: WalletBook, chats: ChatDirectory, update: Update, words: Sequence[str]
) -> None:
    """Watch the wallet the words name, read it now, and answer with its cards."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    request = parse_wallet_args(words)
    if isinstance(request, ArgsError):
        await message.reply_text(request.text("wallet"))
        return
    await remember_chat(chats, chat)
    added = await book.add(chat.id, request.address, request.label, user.id if user else None)
    if isinstance(added, WalletLimit):
        await message.reply_text(
            f"This chat watches {added.limit} wallets already; /wallets to remove one."
        )
        return
    text = render_wallet_view(added.view, group=_in_group(update))
    if added.created:
        text += f"\n\nKept in sync every {book.sync_interval_s:g} s. {WALLET_BLIND_SPOTS}"
    await message.reply_text(text, parse_mode=ParseMode.HTML)


def make_wallet(book: WalletBook, chats: ChatDirectory) -> Callback:
    """The /wallet handler (and /watch 0x…)."""

    async def wallet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Watch a Hyperliquid wallet."""
        await wallet_words(book, chats, update, context.args or [])

    return wallet


def _list_view(wallets: list[Wallet], *, group: bool) -> tuple[str, InlineKeyboardMarkup | None]:
    buttons = [
        [
            InlineKeyboardButton(
                f"❌ Remove #{w.id} {w.label or short_address(w.address)}",
                callback_data=f"wr|{w.id}",
            )
        ]
        for w in wallets
    ]
    return render_wallet_list(wallets, group=group), InlineKeyboardMarkup(
        buttons
    ) if buttons else None


def make_wallets(book: WalletBook) -> Callback:
    """The /wallets handler."""

    async def wallets(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the chat's wallets, each with a remove button."""
        message = update.effective_message
        if message is None:
            return
        found = await book.list_for_chat(message.chat_id)
        text, markup = _list_view(found, group=_in_group(update))
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)

    return wallets


def make_remove_button(book: WalletBook) -> Callback:
    """The ❌ Remove button under /wallets: in a group, for the member who added it or an admin."""

    async def remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop watching the wallet and redraw the list in place."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        chat_id, group = query.message.chat.id, query.message.chat.type != "private"
        wallet_id, user_id = int(query.data.split("|")[1]), query.from_user.id
        held = await book.get(chat_id, wallet_id)
        if (
            group
            and held
            and held.owner_id != user_id
            and not await is_admin(context.bot, chat_id, user_id)
        ):
            await query.answer("Only the member who added it, or an admin, can remove it.")
            return
        removed = await book.remove(chat_id, wallet_id)
        text, markup = _list_view(await book.list_for_chat(chat_id), group=group)
        if removed is not None:
            text = (
                f"Stopped watching {wallet_name(removed, group=group)} and its positions.\n\n{text}"
            )
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        await query.answer("Removed" if removed else "Already gone")

    return remove


def handlers(book: WalletBook, chats: ChatDirectory) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("wallet", make_wallet(book, chats)),
        CommandHandler("wallets", make_wallets(book)),
        CallbackQueryHandler(make_remove_button(book), pattern=r"^wr\|\d+$"),
    ]
