"""What Telegram refuses before it sends anything: the checks the fake Bot API applies to each request.

Limits (Bot API docs, "sendMessage", "sendPhoto", "InlineKeyboardButton", "answerCallbackQuery"):
text 1-4,096 characters and captions up to 1,024, both counted after entities are parsed; callback data
1-64 bytes; a callback answer up to 200 characters. With `parse_mode=HTML` the text must parse: only
Telegram's tags, each closed, entities well formed ("can't parse entities" otherwise).

Written apart from `bot.render.limits`, so the bot's fitting is checked by other code than its own.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

__all__ = ["refusal"]

_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"code", "pre", "blockquote", "tg-emoji"}
)
_STRAY_LT = re.compile(r"<(?!/?[a-zA-Z][a-zA-Z-]*(?:\s[^<>]*)?>)")
_STRAY_AMP = re.compile(r"&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)")
_TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})
_CAPTION_METHODS = frozenset({"sendPhoto", "sendDocument", "editMessageCaption"})


class _Entities(HTMLParser):
    """Parses Telegram HTML; `problem` says why it would be refused, `text` what it shows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.parts: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            self.problem = self.problem or f'unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problem = self.problem or f'unexpected end tag "{tag}"'
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _shown(text: str, parse_mode: str | None) -> tuple[str, str | None]:
    """The characters Telegram would show, and why it cannot parse the text (None: it can)."""
    if (parse_mode or "").upper() != "HTML":
        return text, None
    if _STRAY_LT.search(text) or _STRAY_AMP.search(text):
        return text, "a '<' or '&' that starts no tag or entity (escape it)"
    parser = _Entities()
    parser.feed(text)
    parser.close()
    if parser.open and parser.problem is None:
        parser.problem = f'tag "{parser.open[-1]}" is not closed'
    return "".join(parser.parts), parser.problem


def _buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    markup = params.get("reply_markup")
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or []
    return [button for row in rows for button in row if isinstance(button, dict)]


def refusal(method: str, params: dict[str, Any]) -> str | None:
    """The 400 description Telegram would answer `method` with, or None when it would accept it."""
    for button in _buttons(params):
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            return "Bad Request: BUTTON_DATA_INVALID"
    if method == "answerCallbackQuery" and len(str(params.get("text") or "")) > 200:
        return "Bad Request: MESSAGE_TOO_LONG"
    if method in _TEXT_METHODS:
        shown, problem = _shown(str(params.get("text") or ""), params.get("parse_mode"))
        if problem:
            return f"Bad Request: can't parse entities: {problem}"
        if not shown.strip():
            return "Bad Request: message text is empty"
        if len(shown) > 4096:
            return "Bad Request: message is too long"
    if method in _CAPTION_METHODS and params.get("caption") is not None:
        shown, problem = _shown(str(params["caption"]), params.get("parse_mode"))
        if problem:
            return f"Bad Request: can't parse entities: {problem}"
        if len(shown) > 1024:
            return "Bad Request: message caption is too long"
    return None
