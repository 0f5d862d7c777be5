"""The one error handler: log the error (the token is redacted by the log filter), tell the admins,
and answer the user with a short apology instead of silence."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

__all__ = ["APOLOGY", "make_error_handler"]

log = logging.getLogger(__name__)
APOLOGY = (
    "Sorry, something went wrong on our side while answering that. Please try again in a minute."
)

ErrorHandler = Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def make_error_handler(admin_chat_ids: Sequence[int]) -> ErrorHandler:
    """An error handler that logs, pings `admin_chat_ids` and apologises to the user."""

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        log.error("error while handling an update", exc_info=error)
        summary = html.escape(f"{type(error).__name__}: {error}"[:500])
        for chat_id in admin_chat_ids:
            try:
                await context.bot.send_message(
                    chat_id, f"⚠️ liqguard error: <code>{summary}</code>", parse_mode="HTML"
                )
            except TelegramError:
                log.warning("could not notify admin chat %s", chat_id)
        if isinstance(update, Update) and update.effective_message is not None:
            try:
                await update.effective_message.reply_text(APOLOGY)
            except TelegramError:
                log.warning("could not send the apology")

    return on_error
