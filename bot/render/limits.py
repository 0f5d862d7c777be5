"""Telegram's size limits, known in one place: every outgoing text is fitted here where it is built.

| what | limit | counted as |
|---|---|---|
| message text | 4,096 characters | after HTML entities are parsed (tags do not count) |
| photo caption | 1,024 characters | the same |
| callback data | 64 bytes | UTF-8 |

User input that is echoed back is quoted cut short (`quote_input`), HTML-escaped, so a 5,000-character
argument can never make a reply Telegram refuses; a listing longer than one message is split at line
breaks (`split_text`) into messages that each fit.
"""

from __future__ import annotations

import re
from html import escape, unescape

__all__ = [
    "MAX_CALLBACK_BYTES",
    "MAX_CAPTION_CHARS",
    "MAX_ECHO_CHARS",
    "MAX_TEXT_CHARS",
    "fit_callback_data",
    "quote_input",
    "split_text",
    "visible_length",
]

MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024
MAX_CALLBACK_BYTES = 64
MAX_ECHO_CHARS = 40
"""User input echoed back is cut to about this many characters, with an ellipsis."""

_TAG = re.compile(r"<[^>]*>")


def quote_input(text: str, limit: int = MAX_ECHO_CHARS, *, html: bool = True) -> str:
    """User input, cut to `limit` characters with an ellipsis and (for an HTML reply) escaped.

    >>> quote_input("A" * 50)
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…'
    >>> quote_input("<b>")
    '&lt;b&gt;'
    """
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return escape(cut, quote=False) if html else cut


def visible_length(html: str) -> int:
    """How many characters Telegram counts for an HTML text: tags dropped, entities as one."""
    return len(unescape(_TAG.sub("", html)))


def split_text(html: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """`html` as one message, or as several split at line breaks, each within `limit`.

    Lines are kept whole (a tag never spans lines in what render builds); a single line over the
    limit is cut with an ellipsis rather than sent to be refused.
    """
    if visible_length(html) <= limit:
        return [html]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for raw in html.split("\n"):
        line = _cut_line(raw, limit)
        extra = visible_length(line) + (1 if current else 0)
        if current and size + extra > limit:
            parts.append("\n".join(current))
            current, size = [], 0
            extra = visible_length(line)
        current.append(line)
        size += extra
    if current:
        parts.append("\n".join(current))
    return parts


def _cut_line(line: str, limit: int) -> str:
    if visible_length(line) <= limit:
        return line
    plain = unescape(_TAG.sub("", line))
    return escape(plain[: limit - 1] + "…", quote=False)


def fit_callback_data(data: str) -> str:
    """`data` unchanged when it fits Telegram's 64 bytes; raises ValueError when it does not.

    Callback data is built by the bot, never from free user text, so an overlong one is a defect to
    catch where it is built, not something to cut silently (a cut payload would decode wrong).
    """
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(
            f"callback data is {len(data.encode())} bytes, over Telegram's 64: {data!r}"
        )
    return data
