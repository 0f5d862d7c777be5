"""/risk: the risk card, with a Refresh button that edits it in place."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chats.directory import ChatDirectory
from bot.commands.positions import ArgsError, parse_position_args
from bot.desk.risk_desk import RiskDesk
from bot.outbox.sender import is_not_modified
from bot.render.limits import MAX_CALLBACK_BYTES, fit_callback_data
from bot.render.risk_card import render_refusal, render_risk_card
from bot.vocabulary.cards import DeskRefusal, RiskCard
from bot.vocabulary.positions import PositionArgs

__all__ = [
    "decode_refresh",
    "encode_refresh",
    "handlers",
    "make_refresh_button",
    "make_risk_command",
]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
_PREFIX = "rf"


def encode_refresh(card: RiskCard) -> str:
    """Callback data that re-asks the same position (entry and size fixed), within 64 bytes."""
    p, r = card.position, card.request
    wallet = f"{r.wallet_balance:g}" if r.wallet_balance is not None else ""
    for digits in (10, 8, 6):  # a cut payload would decode to another position: shorten the numbers
        data = "|".join([
            _PREFIX, p.symbol, str(p.side)[0], f"{p.leverage:g}", f"{p.entry_price:.{digits}g}",
            f"{p.quantity:.{digits}g}", card.venue, str(p.margin_mode)[0], wallet,
        ])  # fmt: skip
        if len(data.encode()) <= MAX_CALLBACK_BYTES:
            break
    return fit_callback_data(data)


def decode_refresh(data: str) -> PositionArgs | None:
    """The position encoded by `encode_refresh`, or None for anything else."""
    parts = data.split("|")
    if len(parts) != 9 or parts[0] != _PREFIX:
        return None
    _, symbol, side, leverage, entry, quantity, venue, mode, wallet = parts
    try:
        return PositionArgs(
            symbol=symbol,
            side="long" if side == "l" else "short",
            leverage=float(leverage),
            entry_price=float(entry),
            quantity=float(quantity),
            venue=venue,
            margin_mode="cross" if mode == "c" else "isolated",
            wallet_balance=float(wallet) if wallet else None,
        )
    except ValueError:
        return None


def make_refresh_button(card: RiskCard) -> InlineKeyboardMarkup:
    """The Refresh button under a card."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("🔄 Refresh", callback_data=encode_refresh(card))]]
    )


async def answer_risk(
    desk: RiskDesk, chats: ChatDirectory, update: Update, words: Sequence[str]
) -> None:
    """Reply to `words` (as after /risk) with the risk card, a refusal or a usage line."""
    message = update.effective_message
    if message is None:
        return
    request = parse_position_args(words, desk.symbols)
    if isinstance(request, ArgsError):
        await message.reply_text(request.text("risk"), parse_mode=ParseMode.HTML)
        return
    answer = await desk.card(request)
    if isinstance(answer, DeskRefusal):
        await message.reply_text(render_refusal(answer), parse_mode=ParseMode.HTML)
        return
    text = render_risk_card(answer, await chats.timezone(message.chat_id))
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=make_refresh_button(answer)
    )


def make_risk_command(desk: RiskDesk, chats: ChatDirectory) -> Callback:
    """The /risk handler: parse → desk → render → reply."""

    async def risk(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer with the risk card, or a usage line."""
        await answer_risk(desk, chats, update, context.args or [])

    return risk


def make_refresh(desk: RiskDesk, chats: ChatDirectory) -> Callback:
    """The Refresh button: recompute the same position and edit the card in place."""

    async def refresh(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Edit the card with fresh numbers."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        request = decode_refresh(query.data)
        answer = (
            await desk.card(request) if request else DeskRefusal("This card is too old to refresh.")
        )
        if isinstance(answer, DeskRefusal):
            await query.answer(answer.message[:200], show_alert=True)
            return
        text = render_risk_card(answer, await chats.timezone(query.message.chat.id))
        try:
            await query.edit_message_text(
                text, parse_mode=ParseMode.HTML, reply_markup=make_refresh_button(answer)
            )
        except BadRequest as exc:
            if not is_not_modified(exc):
                raise
        await query.answer("Updated")

    return refresh


def handlers(desk: RiskDesk, chats: ChatDirectory) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("risk", make_risk_command(desk, chats)),
        CallbackQueryHandler(make_refresh(desk, chats), pattern=rf"^{_PREFIX}\|"),
    ]
