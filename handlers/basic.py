"""/start and /help: what the bot does and how to ask it."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.services import Services

__all__ = ["HELP_TEXT", "handlers"]

HELP_TEXT = (
    "<b>liqguard</b> — how close is your position to liquidation?\n\n"
    "<b>/risk</b> BTC 10x long — liquidation price, distance, clusters, odds, funding\n"
    "   options in any order: <code>@ 91000</code>, <code>size 0.5</code> or <code>$5000</code>, "
    "<code>on bybit</code>, <code>cross</code>, <code>wallet 20000</code>\n"
    "<b>/watch</b> BTC 10x long @ 91000 size 0.5 — alerts before it gets dangerous\n"
    "<b>/positions</b>, <b>/unwatch</b> N — your watched positions\n"
    "<b>/liqs</b> [BTC] — realized liquidations over 1h … 7d\n"
    "<b>/map</b> BTC — the liquidation map\n"
    "<b>/funding</b> [BTC] — funding per venue\n"
    "<b>/alerts</b> — alert settings, quiet hours, timezone\n"
    "<b>/stop</b> — remove every watch and subscription of this chat"
)


async def help_command(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer with the command list."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(HELP_TEXT, parse_mode=ParseMode.HTML)


def handlers(_services: Services) -> list[BaseHandler]:  # type: ignore[type-arg]
    """The handlers of this module."""
    return [CommandHandler("help", help_command), CommandHandler("start", help_command)]
